import cron from 'node-cron';
import type { Logger } from '../shared/logger';

export interface ScheduledJob {
  name: string;
  /** node-cron expression; six fields = with seconds. */
  schedule: string;
  tick: () => Promise<unknown>;
}

/**
 * The only place node-cron tasks are registered. Job bodies read due work from SQLite (node-cron is in-process
 * and not durable), so a restart loses nothing. `noOverlap` keeps a slow tick from running twice at once.
 */
export function startScheduler(jobs: ScheduledJob[], timeZone: string, logger: Logger): { stop(): Promise<void> } {
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      async () => {
        try {
          await job.tick();
        } catch (e) {
          logger.error('scheduled job failed', { job: job.name, error: e instanceof Error ? e.message : String(e) });
        }
      },
      { name: job.name, timezone: timeZone, noOverlap: true },
    ),
  );
  return {
    async stop() {
      for (const t of tasks) await t.destroy();
    },
  };
}
