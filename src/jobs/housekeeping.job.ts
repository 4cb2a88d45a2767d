import type { AppDeps } from '../app/deps';

const DAY_MS = 86_400_000;
/** Platforms retry a delivery for hours (Feishu: about 7 h); a week of event ids is ample for deduplication. */
export const KEEP_EVENT_IDS_DAYS = 7;
/** Delivered outbox rows are kept a month for troubleshooting; dead letters are never purged automatically. */
export const KEEP_SENT_OUTBOX_DAYS = 30;

/** Daily: keeps the deduplication and outbox tables from growing without bound. Projects and the audit log stay. */
export function tick(deps: AppDeps, now: Date): { events: number; outbox: number } {
  const result = deps.tx(() => ({
    events: deps.inbound.purgeBefore(new Date(now.getTime() - KEEP_EVENT_IDS_DAYS * DAY_MS)),
    outbox: deps.outbox.purgeSentBefore(new Date(now.getTime() - KEEP_SENT_OUTBOX_DAYS * DAY_MS)),
  }));
  if (result.events || result.outbox) deps.logger.info('housekeeping', result);
  return result;
}
