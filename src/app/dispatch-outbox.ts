import { type CallHooks, type Platform, type PlatformAdapter, PlatformApiError } from '../platforms/types';
import type { AppDeps } from './deps';
import { supersedeOlderCopies } from './effects';
import type { OutboxRow } from './ports';
import { renderView } from './render-view';

/** Exponential backoff: 1 s, 2 s, 4 s … capped at 10 min, and never earlier than the platform asked. */
export function backoffMs(attempts: number, retryAfterMs?: number): number {
  const exp = Math.min(600_000, 1000 * 2 ** Math.max(0, attempts));
  return Math.max(exp, retryAfterMs ?? 0);
}

/**
 * Delivers one leased outbox row and records the outcome (sent, retry later, dead letter). The view is rendered now,
 * from the current state, so a retried or late message never shows an outdated card. True when it was delivered.
 */
export async function deliverRow(
  deps: AppDeps,
  adapters: ReadonlyMap<Platform, PlatformAdapter>,
  row: OutboxRow,
  maxAttempts: number,
  hooks?: CallHooks,
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
      const { messageId } = await adapter.send(payload.target, rendered.content, row.key, hooks);
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
      await adapter.update(payload.messageId, rendered.content.card, hooks);
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
