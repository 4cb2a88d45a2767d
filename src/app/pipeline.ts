import type { FormDraft } from '../../cards/draft';
import type { CardModel } from '../../cards/model';
import { NOT_A_COMMAND_HINT } from '../commands/help';
import type { Intent } from '../commands/intents';
import { parseCardAction } from '../commands/parse-card-action';
import { type ParseResult, parseSlash } from '../commands/parse-slash';
import type { AckReply, DeferredAck, InboundEvent, Platform, SendTarget } from '../platforms/types';
import type { AppDeps } from './deps';
import { type AnsweredCopy, copyView, liveCopies, refreshCopy } from './effects';
import { handleIntent, type Outcome, StaleVersionError } from './handle-intent';
import { resolveMentions } from './mentions';
import { renderView } from './render-view';
import type { View } from './views';

/**
 * The one inbound path for every platform: dedupe on the event id, resolve the user, parse the intent, run it, and
 * queue replies — all in ONE synchronous transaction, so a crash can lose nothing and a redelivery changes nothing
 * (grouped with the deliveries that arrive together: one commit for all, each rolled back alone if it fails).
 * No platform API is called here; replies go to the outbox (or back inline in the ack).
 */
export interface PipelineOptions {
  /** After each commit (the app kicks the outbox). */
  afterCommit?: () => void;
  /** What of a click's answer the platform needs delivered after the ack (PlatformAdapter.deferredAck). */
  deferredAck?: (reply: AckReply, ev: InboundEvent) => DeferredAck;
  /** The platform's answer to a click surely shows the clicked card (PlatformAdapter.answersClickedCard). */
  answersClickedCard?: boolean;
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
      reply = await deps.txGrouped(() => {
        // A click's answer shows the clicked card re-rendered: the refresh of the project's copies leaves it out.
        const answering: AnsweredCopy | undefined =
          opts.answersClickedCard && ev.kind === 'cardAction' && ev.messageId
            ? { platform, messageId: ev.messageId }
            : undefined;
        const r = handleOnce(deps, platform, ev, at, answering);
        const d = deferred?.(r, ev);
        if (d) queueAnswer(deps, platform, ev, r, d, at);
        // If the answer does not show it after all (a refused form, a locked copy, an update the platform cannot
        // make), it is updated like every other copy.
        const left = answering?.left;
        if (left && !(answering.shown && (!d || d.updateCard))) refreshCopy(deps, left, at);
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
  answering: AnsweredCopy | undefined,
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
    const reply: AckReply = { toast: { type: 'error', text: parsed.error } };
    // A form refused before it reached the workflow (a required field left empty): the typed values stay.
    const again =
      ev.kind === 'cardAction' && ev.form
        ? formAgain(
            deps,
            platform,
            ev,
            user,
            { ok: false, text: parsed.error, ...(parsed.field ? { field: parsed.field } : {}) },
            null,
          )
        : null;
    if (again) {
      reply.card = again.card;
      clickedViews.set(reply, again.clicked);
    }
    return reply;
  }

  const outcome: Outcome = handleIntent(
    deps,
    parsed.intent,
    { user, platform, ...(answering ? { answering } : {}) },
    at,
  );
  if (ev.kind === 'message') {
    if (outcome.text) queue({ type: 'text', text: outcome.text }, user);
    if (outcome.view) queue(outcome.view, user);
    return {};
  }
  // A card click: the answer is a toast, the clicked card re-rendered inline, and any extra view as a message.
  if (outcome.view) queue(outcome.view, user);
  return answerClick(deps, platform, ev, user, parsed.intent, outcome, at, answering);
}

/** A card click's answer: a toast and the clicked card re-rendered (a refused form keeps its typed values). */
function answerClick(
  deps: AppDeps,
  platform: Platform,
  ev: Extract<InboundEvent, { kind: 'cardAction' }>,
  user: string,
  intent: Intent,
  outcome: Outcome,
  at: Date,
  answering: AnsweredCopy | undefined,
): AckReply {
  const reply: AckReply = outcome.text ? { toast: { type: outcome.ok ? 'success' : 'error', text: outcome.text } } : {};
  if (!outcome.ok && ev.form) {
    const again = formAgain(deps, platform, ev, user, outcome, intent);
    if (again) {
      reply.card = again.card;
      clickedViews.set(reply, again.clicked);
      return reply;
    }
  }
  if (outcome.regNo && ev.messageId) {
    const copies = deps.cardMessages.forProject(outcome.regNo);
    const known = copies.find((m) => m.platform === platform && m.messageId === ev.messageId);
    // A registration form that was just submitted becomes the project's card, refreshed like any other copy.
    if (known || (intent.type === 'register' && outcome.ok)) {
      const live = !known || liveCopies(deps, outcome.regNo, copies).some((m) => m.messageId === known.messageId);
      const view: View =
        !live && known
          ? { type: 'superseded', regNo: outcome.regNo, kind: known.kind }
          : copyView(outcome.regNo, known);
      const viewer = known ? known.viewerId : user;
      const rendered = renderView(deps, view, viewer);
      if (rendered.content.kind === 'card' && !live) reply.card = rendered.content.card;
      else if (rendered.content.kind === 'card' && rendered.card) {
        reply.card = rendered.content.card;
        clickedViews.set(reply, { view, viewer });
        if (answering) answering.shown = true;
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

/** Form values as typed, as text (multi-selects as lists); anything else a form never sends is left out. */
function typedValues(form: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(form)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.filter((x) => typeof x === 'string');
  }
  return out;
}

/**
 * A refused form submission: the clicked card re-rendered for the clicker with every typed value kept and the
 * refusal next to its field. The clicked card is found by its message (a project or docs copy), else by the
 * intent (the registration and subflow forms are not tracked). Null when there is nothing to re-render.
 */
function formAgain(
  deps: AppDeps,
  platform: Platform,
  ev: Extract<InboundEvent, { kind: 'cardAction' }>,
  user: string,
  outcome: Outcome,
  intent: { type: string; regNo?: string | undefined; kind?: string | undefined } | null,
): { card: CardModel; clicked: { view: View; viewer: string | null } } | null {
  const action = ev.value as Record<string, unknown>;
  const draft: FormDraft = {
    action,
    values: typedValues(ev.form ?? {}),
    error: outcome.text,
    ...(outcome.field ? { field: outcome.field } : {}),
  };
  const type = intent?.type ?? String(action.type ?? '');
  const regNo = intent?.regNo ?? (typeof action.regNo === 'string' ? action.regNo : undefined);
  const copies = regNo ? deps.cardMessages.forProject(regNo) : [];
  const known = copies.find((m) => m.platform === platform && m.messageId === ev.messageId);
  // An older, superseded copy is never brought back to life: the normal path answers with its locked state.
  if (known && regNo && !liveCopies(deps, regNo, copies).some((m) => m.messageId === known.messageId)) return null;
  let view: View | null = null;
  if (known && regNo) {
    view = copyView(regNo, known, draft);
  } else if (type === 'register') view = { type: 'registerForm', draft };
  else if (type === 'raise' && regNo) {
    const kind = intent?.kind ?? (typeof action.kind === 'string' ? action.kind : '');
    view = { type: 'raiseForm', regNo, kind, draft };
  }
  if (!view) return null;
  const viewer = known ? known.viewerId : user;
  const rendered = renderView(deps, view, viewer);
  if (rendered.content.kind !== 'card') return null;
  return { card: rendered.content.card, clicked: { view, viewer } };
}
