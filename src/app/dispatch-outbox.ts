import { type Platform, type PlatformAdapter, PlatformApiError } from '../platforms/types';
import type { AppDeps } from './deps';
import { supersedeOlderCopies } from './effects';
import type { OutboxRow } from './ports';
import { renderView } from './render-view';

export interface DispatchOptions {
  batch?: number;
  maxAttempts?: number;
  /** How long a leased row stays invisible to other dispatchers. */
  leaseMs?: number;
}

/** Exponential backoff: 1 s, 2 s, 4 s … capped at 10 min, and never earlier than the platform asked. */
export function backoffMs(attempts: number, retryAfterMs?: number): number {
  const exp = Math.min(600_000, 1000 * 2 ** Math.max(0, attempts));
  return Math.max(exp, retryAfterMs ?? 0);
}

/**
 * Delivers due outbox rows after commit. Views are rendered now, from the current state, so a retried or late message
 * never shows an outdated card. Returns how many rows were sent and failed in this pass.
 */
export async function dispatchOutbox(
  deps: AppDeps,
  adapters: ReadonlyMap<Platform, PlatformAdapter>,
  opts: DispatchOptions = {},
): Promise<{ sent: number; failed: number }> {
  const { batch = 50, maxAttempts = 10, leaseMs = 60_000 } = opts;
  let sent = 0;
  let failed = 0;
  for (;;) {
    const now = deps.clock.now();
    const rows = deps.outbox.lease(now, new Date(now.getTime() + leaseMs), batch);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (await deliver(deps, adapters, row, maxAttempts)) sent++;
      else failed++;
    }
    if (rows.length < batch) break;
  }
  return { sent, failed };
}

async function deliver(
  deps: AppDeps,
  adapters: ReadonlyMap<Platform, PlatformAdapter>,
  row: OutboxRow,
  maxAttempts: number,
): Promise<boolean> {
  const log = deps.logger.child({ platform: row.platform, outboxId: row.id });
  const adapter = adapters.get(row.platform);
  if (!adapter) {
    deps.outbox.markFailed(row.id, `platform ${row.platform} is not running`, null);
    log.error('outbox row for a platform that is not running; dead-lettered');
    return false;
  }
  const { payload } = row;
  const rendered = deps.tx(() => renderView(deps, payload.view, payload.viewer));
  try {
    if (payload.op === 'send') {
      const { messageId } = await adapter.send(payload.target, rendered.content, row.key);
      if (payload.urgent && adapter.urgent && payload.target.kind === 'user') {
        // A repeated nudge: buzz the person in-app (Feishu urgent_app). Best effort: the message itself is out.
        await adapter.urgent(messageId, [payload.target.id]).catch((e: unknown) => {
          log.warn('urgent notification failed', { error: e instanceof Error ? e.message : String(e) });
        });
      }
      deps.tx(() => {
        const now = deps.clock.now();
        deps.outbox.markSent(row.id, messageId, now);
        const card = rendered.card;
        if (card) {
          const copy = {
            regNo: card.regNo,
            platform: row.platform,
            messageId,
            viewerId: payload.viewer,
            kind: card.kind,
            banner: card.banner,
            renderedVersion: card.version,
          };
          deps.cardMessages.record(copy, now);
          supersedeOlderCopies(deps, copy, now);
          // The project changed while this card was on its way: queue an update so no copy stays stale.
          const current = deps.projects.get(card.regNo);
          if (current && current.version !== card.version) {
            deps.outbox.enqueue(
              row.platform,
              { op: 'update', messageId, view: payload.view, viewer: payload.viewer },
              now,
            );
          }
        }
      });
    } else {
      if (rendered.content.kind !== 'card')
        throw new PlatformApiError('only cards can be updated', row.platform, { permanent: true });
      await adapter.update(payload.messageId, rendered.content.card);
      deps.tx(() => deps.outbox.markSent(row.id, payload.messageId, deps.clock.now()));
    }
    return true;
  } catch (e) {
    const apiErr = e instanceof PlatformApiError ? e : null;
    const attempts = row.attempts + 1;
    const giveUp = apiErr?.opts.permanent === true || attempts >= maxAttempts;
    const next = giveUp
      ? null
      : new Date(deps.clock.now().getTime() + backoffMs(row.attempts, apiErr?.opts.retryAfterMs));
    deps.outbox.markFailed(row.id, e instanceof Error ? e.message : String(e), next);
    const fields = {
      attempts,
      code: apiErr?.opts.code,
      status: apiErr?.opts.status,
      error: e instanceof Error ? e.message : String(e),
    };
    // A card copy the platform will not let us update (e.g. WeCom without a fresh response code) is stale, not lost.
    if (giveUp && payload.op === 'update' && apiErr?.opts.permanent) log.warn('card copy could not be updated', fields);
    else if (giveUp) log.error('outbox delivery failed for good', fields);
    else log.warn('outbox delivery failed; will retry', { ...fields, retryAt: next?.toISOString() });
    return false;
  }
}

/**
 * Serialises dispatch passes in this process: a kick while a pass runs schedules exactly one more pass,
 * so bursts of events never run two passes at once (the lease also guards other processes).
 */
export function createOutboxRunner(run: () => Promise<unknown>, onError: (e: unknown) => void) {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      try {
        await run();
      } catch (e) {
        onError(e);
      }
    } while (again);
    running = null;
  };
  return {
    kick(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = loop();
      return running;
    },
    idle(): Promise<void> {
      return running ?? Promise.resolve();
    },
  };
}
