/** Calendar helpers in a named IANA time zone (no dependency: Intl does the zone maths). */

/**
 * Zone offsets are read from Intl once per zone and UTC hour (when the offset is the same at both ends of the hour;
 * an hour with a change in it is read per call) and the calendar fields computed from the shifted instant:
 * `formatToParts` (and a new formatter) per call was a visible share of rendering each card's history.
 */
const HOUR = 3_600_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
/** zone|hour → the offset through that hour, or NaN when it changes within it. */
const hourOffsets = new Map<string, number>();

/** Minutes east of UTC of `timeZone` at instant `at` (e.g. +480 for Asia/Shanghai). */
export function offsetMinutes(at: Date, timeZone: string): number {
  const hour = Math.floor(at.getTime() / HOUR);
  const key = `${timeZone}|${hour}`;
  let off = hourOffsets.get(key);
  if (off === undefined) {
    const first = readOffset(new Date(hour * HOUR), timeZone);
    off = first === readOffset(new Date(hour * HOUR + HOUR - 1), timeZone) ? first : Number.NaN;
    if (hourOffsets.size >= 20_000) hourOffsets.clear();
    hourOffsets.set(key, off);
  }
  return Number.isNaN(off) ? readOffset(at, timeZone) : off;
}

function readOffset(at: Date, timeZone: string): number {
  let fmt = offsetFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, fmt);
  }
  const name = fmt.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name ?? '');
  if (!m) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The wall clock of `at` in `timeZone`, as the UTC fields of a shifted Date. */
const wallClock = (at: Date, timeZone: string) => new Date(at.getTime() + offsetMinutes(at, timeZone) * 60_000);
const two = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of `at` in `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${w.getUTCFullYear()}-${two(w.getUTCMonth() + 1)}-${two(w.getUTCDate())}`;
}

/** The last second of calendar day `YYYY-MM-DD` in `timeZone`; null for an impossible date. */
export function endOfLocalDay(day: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d, 23, 59, 59);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return new Date(utc - offsetMinutes(new Date(utc), timeZone) * 60_000);
}

/** `YYYY-MM-DD HH:mm` of `at` in `timeZone`. */
export function formatTime(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${localDay(at, timeZone)} ${two(w.getUTCHours())}:${two(w.getUTCMinutes())}`;
}
