/**
 * Prometheus metrics (`/metrics`, text format, prom-client). One registry per running bot, so tests can run several.
 *
 * Counted where they happen: inbound deliveries and their ack latency (webhook route and long-connection
 * transports), calls to the platform APIs (send/update/urgent, from the outbox), reminder sweeps. Read from SQLite
 * at scrape time, so they are true across restarts and for every process sharing the file: decisions (the
 * append-only audit log, by action), outbox depth and age of the oldest pending row, outbox rows by status.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the scrape reads from the database. */
export interface MetricsSources {
  decisionsByAction(): { action: string; n: number }[];
  outboxByStatus(): { platform: string; status: string; n: number }[];
  /** Seconds since the oldest pending outbox row was created, 0 when none is pending. */
  oldestPendingAgeSeconds(): number;
}

export type InboundResult = 'ok' | 'handshake' | 'rejected' | 'malformed' | 'too_large' | 'error';

export interface Metrics {
  readonly registry: Registry;
  /** One inbound delivery answered (or refused) after `seconds`. */
  inbound(platform: string, transport: string, result: InboundResult, seconds: number): void;
  /** One call to a platform API made by the outbox dispatcher. */
  platformCall(platform: string, op: string, ok: boolean): void;
  /** One reminder sweep and what it queued. */
  reminderSweep(ok: boolean, queued?: { reminders: number; nudges: number }): void;
  render(): Promise<string>;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'handoff_' });
  const inbound = new Counter({
    name: 'handoff_inbound_deliveries_total',
    help: 'Inbound deliveries (webhook requests, long-connection events) by platform, transport and result',
    labelNames: ['platform', 'transport', 'result'] as const,
    registers: [registry],
  });
  const ack = new Histogram({
    name: 'handoff_ack_latency_seconds',
    help: 'Time from receiving a delivery to its acknowledgement (Feishu allows 3 s)',
    labelNames: ['platform', 'transport'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'handoff_platform_calls_total',
    help: 'Platform API calls made by the outbox dispatcher, by platform, operation and result',
    labelNames: ['platform', 'op', 'result'] as const,
    registers: [registry],
  });
  const sweeps = new Counter({
    name: 'handoff_reminder_sweeps_total',
    help: 'Reminder sweeps run, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const queued = new Counter({
    name: 'handoff_reminders_queued_total',
    help: 'Messages queued by reminder sweeps: overdue-document reminders and nudges of waiting work',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  new Counter({
    name: 'handoff_decisions_total',
    help: 'Decisions in the audit log, by action (read from SQLite at scrape time)',
    labelNames: ['action'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { action, n } of sources.decisionsByAction()) this.inc({ action }, n);
    },
  });
  const rows = sources.outboxByStatus;
  new Gauge({
    name: 'handoff_outbox_depth',
    help: 'Outbox rows waiting to be delivered, by platform',
    labelNames: ['platform'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of rows()) if (r.status === 'pending') this.set({ platform: r.platform }, r.n);
    },
  });
  new Gauge({
    name: 'handoff_outbox_rows',
    help: 'Outbox rows by platform and status: sent = delivered (purged after 30 days), dead = given up',
    labelNames: ['platform', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of rows()) this.set({ platform: r.platform, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'handoff_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox row still waiting to be delivered (0 when none)',
    registers: [registry],
    collect() {
      this.set(sources.oldestPendingAgeSeconds());
    },
  });
  return {
    registry,
    inbound(platform, transport, result, seconds) {
      inbound.inc({ platform, transport, result });
      ack.observe({ platform, transport }, seconds);
    },
    platformCall(platform, op, ok) {
      calls.inc({ platform, op, result: ok ? 'ok' : 'error' });
    },
    reminderSweep(ok, q) {
      sweeps.inc({ result: ok ? 'ok' : 'error' });
      if (q) {
        queued.inc({ kind: 'reminder' }, q.reminders);
        queued.inc({ kind: 'nudge' }, q.nudges);
      }
    },
    render: () => registry.metrics(),
  };
}
