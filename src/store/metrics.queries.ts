import type { MetricsSources } from '../shared/metrics';
import type { DB } from './db';

/** The numbers `/metrics` reads at scrape time: plain aggregate SQL over the audit log and the outbox. */
export function sqliteMetricsSources(db: DB, now: () => Date): MetricsSources {
  const sqlite = db.$client;
  const decisions = sqlite.prepare('select action, count(*) as n from audit_log group by action');
  const outbox = sqlite.prepare('select platform, status, count(*) as n from outbox group by platform, status');
  const oldest = sqlite.prepare("select min(created_at) as t from outbox where status = 'pending'");
  return {
    decisionsByAction: () => decisions.all() as { action: string; n: number }[],
    outboxByStatus: () => outbox.all() as { platform: string; status: string; n: number }[],
    oldestPendingAgeSeconds: () => {
      const t = (oldest.get() as { t: number | null } | undefined)?.t;
      return t == null ? 0 : Math.max(0, (now().getTime() - t) / 1000);
    },
  };
}
