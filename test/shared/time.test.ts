import { describe, expect, it } from 'vitest';
import { endOfLocalDay, formatTime, localDay, offsetMinutes } from '../../src/shared/time';

const reference = new Map<string, [Intl.DateTimeFormat, Intl.DateTimeFormat]>();

/** What Intl says, field by field, read at the instant itself (what the cached arithmetic must match). */
function intl(at: Date, timeZone: string): { day: string; time: string; offset: number } {
  let f = reference.get(timeZone);
  if (!f) {
    f = [
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }),
    ];
    reference.set(timeZone, f);
  }
  const parts = Object.fromEntries(f[0].formatToParts(at).map((p) => [p.type, p.value]));
  const name = f[1].formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, offset };
}

const ZONES = [
  'Asia/Shanghai',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe', // 30-minute DST
  'Asia/Kathmandu', // +05:45
  'America/Goose_Bay', // changed at 00:01 local until 2011
  'UTC',
];

describe('time zone helpers', () => {
  it('match Intl around every offset change and at random instants', () => {
    const instants: number[] = [];
    // Around DST changes: the minutes on both sides of 2026's European and US changes, Lord Howe's, and Goose
    // Bay's 00:01 changes of 1990.
    for (const iso of [
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
      '2026-03-08T07:00:00Z',
      '2026-11-01T06:00:00Z',
      '2026-04-04T15:00:00Z',
      '2026-10-03T15:30:00Z',
      '1990-04-01T04:01:00Z',
      '1990-10-28T03:01:00Z',
    ]) {
      const t = Date.parse(iso);
      for (let d = -90; d <= 90; d++) instants.push(t + d * 60_000 + (d % 7) * 1000);
    }
    let seed = 7;
    for (let i = 0; i < 800; i++) {
      seed = (seed * 48271) % 2147483647;
      instants.push(Date.UTC(1985, 0, 1) + (seed / 2147483647) * 60 * 365 * 86_400_000);
    }
    const wrong: string[] = [];
    for (const zone of ZONES)
      for (const t of instants) {
        const at = new Date(t);
        const want = intl(at, zone);
        const got = { day: localDay(at, zone), time: formatTime(at, zone).slice(11), offset: offsetMinutes(at, zone) };
        if (got.day !== want.day || got.time !== want.time || got.offset !== want.offset)
          wrong.push(`${zone} ${at.toISOString()}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
      }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('formats and ends local days', () => {
    expect(formatTime(new Date('2026-12-01T16:05:00Z'), 'Asia/Shanghai')).toBe('2026-12-02 00:05');
    expect(localDay(new Date('2026-12-01T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-12-01');
    expect(endOfLocalDay('2026-12-01', 'Asia/Shanghai')?.toISOString()).toBe('2026-12-01T15:59:59.000Z');
    expect(endOfLocalDay('2026-02-30', 'Asia/Shanghai')).toBeNull();
    expect(() => formatTime(new Date(), 'Not/AZone')).toThrow(RangeError);
  });
});
