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
