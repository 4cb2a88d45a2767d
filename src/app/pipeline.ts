import { NOT_A_COMMAND_HINT } from '../commands/help';
import { parseCardAction } from '../commands/parse-card-action';
import { type ParseResult, parseSlash } from '../commands/parse-slash';
import type { AckReply, DeferredAck, InboundEvent, Platform, SendTarget } from '../platforms/types';
import type { AppDeps } from './deps';
import { liveCopies } from './effects';
import { handleIntent, type Outcome, StaleVersionError } from './handle-intent';
import { resolveMentions } from './mentions';
import { renderView } from './render-view';
import type { View } from './views';

/**
 * The one inbound path for every platform: dedupe on the event id, resolve the user, parse the intent, run it, and
 * queue replies — all in ONE synchronous transaction, so a crash can lose nothing and a redelivery changes nothing.
 * No platform API is called here; replies go to the outbox (or back inline in the ack).
 */
export interface PipelineOptions {
  /** After each commit (the app kicks the outbox). */
  afterCommit?: () => void;
  /** What of a click's answer the platform needs delivered after the ack (PlatformAdapter.deferredAck). */
  deferredAck?: (reply: AckReply, ev: InboundEvent) => DeferredAck;
}

/** The clicked card's view, kept beside the reply so a deferred or late update renders the same card. */
const clickedViews = new WeakMap<AckReply, { view: View; viewer: string | null }>();

export function createPipeline(deps: AppDeps, platform: Platform, opts: PipelineOptions = {}) {
  const afterCommit = opts.afterCommit ?? (() => {});
  const deferred = opts.deferredAck;
  const handle = async function handle(ev: InboundEvent): Promise<AckReply> {
    if (ev.kind === 'ignored') return {};
    const at = deps.clock.now();
    const log = deps.logger.child({ platform, eventId: ev.eventId });
    let reply: AckReply;
    try {
      reply = deps.tx(() => {
        const r = handleOnce(deps, platform, ev, at);
        if (deferred) queueAnswer(deps, platform, ev, r, deferred(r, ev), at);
        return r;
      });
    } catch (e) {
      if (!(e instanceof StaleVersionError)) throw e;
      log.warn('concurrent update lost the compare-and-set', { regNo: e.message });
      reply = { toast: { type: 'warning', text: '该项目刚被其他人更新，请刷新卡片后重试。' } };
      const r = reply;
      if (deferred) deps.tx(() => queueAnswer(deps, platform, ev, r, deferred(r, ev), at));
    }
    afterCommit();
    return reply;
  };
  /**
   * The ack went out before `reply` was ready (the platform's deadline): what the ack would have shown is queued
   * as messages instead — the toast as a text to the clicker, the re-rendered card as an update of the clicked one.
   */
  const late = (ev: InboundEvent, reply: AckReply): void => {
    if (ev.kind !== 'cardAction') return;
    const already = deferred?.(reply, ev) ?? {};
    const inline: DeferredAck = {
      ...(reply.toast?.text && !already.text ? { text: reply.toast.text } : {}),
      ...(reply.card && !already.updateCard ? { updateCard: true } : {}),
    };
    deps.tx(() => queueAnswer(deps, platform, ev, reply, inline, deps.clock.now()));
    afterCommit();
  };
  return Object.assign(handle, { late });
}

/** Queues the parts of a click's answer that leave as messages (inside the caller's transaction). */
function queueAnswer(
  deps: AppDeps,
  platform: Platform,
  ev: Exclude<InboundEvent, { kind: 'ignored' }>,
  reply: AckReply,
  d: DeferredAck,
  at: Date,
): void {
  if (ev.kind !== 'cardAction') return;
  const clicker = deps.org.userByIdentity(platform, ev.actor.userId);
  if (d.text) {
    const view: View = { type: 'text', text: d.text };
    deps.outbox.enqueue(
      platform,
      { op: 'send', target: { kind: 'user', id: ev.actor.userId }, view, viewer: clicker },
      at,
    );
  }
  const clicked = clickedViews.get(reply);
  if (d.updateCard && ev.messageId && clicked) {
    deps.outbox.enqueue(platform, { op: 'update', messageId: ev.messageId, ...clicked }, at);
  }
}

function handleOnce(
  deps: AppDeps,
  platform: Platform,
  ev: Exclude<InboundEvent, { kind: 'ignored' }>,
  at: Date,
): AckReply {
  if (!deps.inbound.claim(platform, ev.eventId, at)) {
    deps.logger.info('duplicate delivery ignored', { platform, eventId: ev.eventId });
    return {};
  }
  const replyTarget: SendTarget =
    ev.kind === 'message' ? { kind: 'chat', id: ev.chat.chatId } : { kind: 'user', id: ev.actor.userId };
  const queue = (view: View, viewer: string | null) =>
    deps.outbox.enqueue(platform, { op: 'send', target: replyTarget, view, viewer }, at);

  const user = deps.org.userByIdentity(platform, ev.actor.userId);
  if (!user) {
    const text = `你不在本系统的组织名单中（${platform} 账号 ${ev.actor.userId}），请联系管理员把你加入 ORG_FILE 后再试。`;
    deps.logger.warn('unknown user', { platform, platformUserId: ev.actor.userId });
    if (ev.kind === 'message') queue({ type: 'text', text }, null);
    return { toast: { type: 'error', text } };
  }

  let parsed: ParseResult | null;
  if (ev.kind === 'message') {
    parsed = parseSlash(resolveMentions(deps, platform, ev.text), deps.processes.current().def.subflows);
    if (parsed === null) {
      queue({ type: 'text', text: NOT_A_COMMAND_HINT }, user);
      return {};
    }
  } else {
    parsed = parseCardAction(ev.value, ev.form);
  }
  if (!parsed.ok) {
    if (ev.kind === 'message') queue({ type: 'text', text: parsed.error }, user);
    return { toast: { type: 'error', text: parsed.error } };
  }

  const outcome: Outcome = handleIntent(deps, parsed.intent, { user, platform }, at);
  if (ev.kind === 'message') {
    if (outcome.text) queue({ type: 'text', text: outcome.text }, user);
    if (outcome.view) queue(outcome.view, user);
    return {};
  }
  // A card click: the answer is a toast, the clicked card re-rendered inline, and any extra view as a message.
  if (outcome.view) queue(outcome.view, user);
  const reply: AckReply = { toast: { type: outcome.ok ? 'success' : 'error', text: outcome.text || '已打开' } };
  if (outcome.regNo && ev.messageId) {
    const known = deps.cardMessages
      .forProject(outcome.regNo)
      .find((m) => m.platform === platform && m.messageId === ev.messageId);
    // A registration form that was just submitted becomes the project's card, refreshed like any other copy.
    if (known || (parsed.intent.type === 'register' && outcome.ok)) {
      const live = !known || liveCopies(deps, outcome.regNo).some((m) => m.messageId === known.messageId);
      const view: View =
        !live && known
          ? { type: 'superseded', regNo: outcome.regNo, kind: known.kind }
          : known?.kind === 'docs'
            ? { type: 'docs', regNo: outcome.regNo }
            : { type: 'project', regNo: outcome.regNo, ...(known?.banner ? { banner: known.banner } : {}) };
      const viewer = known ? known.viewerId : user;
      const rendered = renderView(deps, view, viewer);
      if (rendered.content.kind === 'card' && !live) reply.card = rendered.content.card;
      else if (rendered.content.kind === 'card' && rendered.card) {
        reply.card = rendered.content.card;
        clickedViews.set(reply, { view, viewer });
        const { version, ...card } = rendered.card;
        deps.cardMessages.record(
          { ...card, platform, messageId: ev.messageId, viewerId: viewer, renderedVersion: version },
          at,
        );
      }
    }
  }
  return reply;
}
