import type { AppDeps } from '../app/deps';
import { remindOverdue } from '../app/reminders';

/**
 * The reminder job's body: reads what is due from SQLite chunk by chunk, each chunk one short transaction that
 * records what it queued, so two overlapping ticks or a restart between ticks never send twice. Tests call it with
 * a fake `now`.
 */
export function tick(deps: AppDeps, now: Date): { reminders: number; nudges: number } {
  const result = remindOverdue(deps, now);
  if (result.reminders || result.nudges) deps.logger.info('reminders queued', result);
  return result;
}
