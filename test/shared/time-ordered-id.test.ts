import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/shared/time-ordered-id';

describe('timeOrderedId', () => {
  it('is a version 7 UUID whose first 48 bits are the time', () => {
    const id = timeOrderedId(Date.UTC(2026, 11, 2, 7, 0, 0, 123));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 2, 7, 0, 0, 123));
  });

  it('ids made later sort later; ids made in the same millisecond differ', () => {
    const t = Date.UTC(2026, 11, 2);
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(t + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 10; i < ids.length; i++) expect((ids[i] as string) > (ids[i - 10] as string)).toBe(true);
  });
});

describe('timeOrderedId over the whole range of 48-bit times', () => {
  it('keeps the layout at the edges and carries 74 random bits', () => {
    for (const t of [0, 1, 0xffffffffffff]) {
      const id = timeOrderedId(t);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    }
    // Every random nibble position takes many values across ids of one millisecond (none is fixed).
    const ids = Array.from({ length: 400 }, () => timeOrderedId(0).replace(/-/g, ''));
    for (let pos = 13; pos < 32; pos++) {
      if (pos === 16) continue; // the variant nibble: 8, 9, a or b
      expect(new Set(ids.map((h) => h[pos])).size, `nibble ${pos}`).toBeGreaterThan(8);
    }
    expect(new Set(ids.map((h) => h[16]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
