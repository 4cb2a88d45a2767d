import { offsetMinutes } from './time';

/**
 * Working hours for step timeouts: Monday to Friday, 09:00–18:00 in the configured time zone (the same window as
 * the default REMINDER_CRON). No holiday calendar: a public holiday on a weekday counts as a working day.
 */
export const WORKING_DAY = { startHour: 9, endHour: 18, days: [1, 2, 3, 4, 5] } as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The instant of local wall-clock time `hour`:00 on the local day that contains `at`. */
function localHour(at: Date, hour: number, timeZone: string): Date {
  const local = new Date(at.getTime() + offsetMinutes(at, timeZone) * 60_000);
  const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour);
  return new Date(wall - offsetMinutes(new Date(wall), timeZone) * 60_000);
}

function localWeekday(at: Date, timeZone: string): number {
  return new Date(at.getTime() + offsetMinutes(at, timeZone) * 60_000).getUTCDay();
}

/** Working hours between `from` and `to` (fractional; 0 when `to` is not after `from`). */
export function workingHoursBetween(from: Date, to: Date, timeZone: string): number {
  if (to.getTime() <= from.getTime()) return 0;
  let ms = 0;
  // Walk the local days from `from` to `to`, adding each working window's overlap (at most ~2 years of days).
  let day = localHour(from, 12, timeZone);
  for (let i = 0; i < 800 && localHour(day, 0, timeZone).getTime() <= to.getTime(); i++) {
    if ((WORKING_DAY.days as readonly number[]).includes(localWeekday(day, timeZone))) {
      const start = Math.max(localHour(day, WORKING_DAY.startHour, timeZone).getTime(), from.getTime());
      const end = Math.min(localHour(day, WORKING_DAY.endHour, timeZone).getTime(), to.getTime());
      if (end > start) ms += end - start;
    }
    day = localHour(new Date(day.getTime() + DAY_MS), 12, timeZone);
  }
  return ms / HOUR_MS;
}
