/**
 * Plaintext Feishu envelope → ParsedDelivery. No verification here (see verify.ts / adapter.ts).
 * Lenient where Feishu is inconsistent (null user_id, missing optional fields, µs create_time on card callbacks);
 * strict on the fields we act on (ids), which throw MalformedPayloadError when missing.
 */
import { MalformedPayloadError } from '../../shared/errors';
import { assertJsonDepth, isFormScalar } from '../../shared/json-shape';
import type { ChatRef, InboundEvent, ParsedDelivery } from '../types';
import { decodeSubmitName, fieldModelName, isRecord, type Json, rec, str } from './payloads';

export const EVENT_MESSAGE = 'im.message.receive_v1';
export const EVENT_CARD_ACTION = 'card.action.trigger';

export interface NormalizeContext {
  /**
   * The bot's own open_id (GET /open-apis/bot/v3/info at start-up). In group chats only messages that @-mention it
   * are acted on; while it is unknown, group messages are ignored (p2p messages always count).
   */
  botOpenId: string | null;
}

/**
 * Mention tokens in message text: `@{<open_id>}` stands for a person the sender @-mentioned; the pipeline maps it
 * to the org user (src/app/mentions.ts), so `/due … @郑工` names the mentioned person, not a display name.
 */
export const mentionToken = (openId: string) => `@{${openId}}`;

export function normalizeEnvelope(envelope: unknown, ctx: NormalizeContext = { botOpenId: null }): ParsedDelivery {
  if (!isRecord(envelope)) throw new MalformedPayloadError('envelope is not an object');
  assertJsonDepth(envelope, 'Feishu event');
  if (envelope.type === 'url_verification') {
    const challenge = envelope.challenge;
    if (typeof challenge !== 'string') throw new MalformedPayloadError('url_verification without challenge');
    return { kind: 'handshake', body: { challenge } };
  }
  if ('encrypt' in envelope) throw new MalformedPayloadError('envelope is still encrypted');
  if (envelope.schema !== '2.0') return { kind: 'ignored', reason: 'not a schema 2.0 event' };
  const header = rec(envelope.header);
  if (!header) throw new MalformedPayloadError('event without header');
  const eventType = str(header.event_type);
  const eventId = str(header.event_id);
  if (!eventType || !eventId) throw new MalformedPayloadError('event header without event_type/event_id');
  const event = rec(envelope.event);
  if (!event) throw new MalformedPayloadError('event without body');
  switch (eventType) {
    case EVENT_MESSAGE:
      return normalizeMessage(eventId, event, ctx);
    case EVENT_CARD_ACTION:
      return normalizeCardAction(eventId, event);
    default:
      return { kind: 'ignored', reason: `unsupported event type: ${eventType}` };
  }
}

function normalizeMessage(eventId: string, event: Json, ctx: NormalizeContext): InboundEvent {
  const sender = rec(event.sender);
  const message = rec(event.message);
  if (!sender || !message) throw new MalformedPayloadError('message event without sender/message');
  const senderType = sender.sender_type;
  if (senderType !== undefined && senderType !== 'user') {
    return { kind: 'ignored', reason: `sender is not a user: ${String(senderType)}` };
  }
  const messageType = message.message_type;
  if (messageType !== 'text') return { kind: 'ignored', reason: `unsupported message type: ${String(messageType)}` };
  const openId = str(rec(sender.sender_id)?.open_id);
  const chatId = str(message.chat_id);
  const messageId = str(message.message_id);
  const content = message.content;
  if (!openId || !chatId || !messageId || typeof content !== 'string') {
    throw new MalformedPayloadError('message event without sender open_id/chat_id/message_id/content');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (e) {
    throw new MalformedPayloadError('message content is not JSON', { cause: e });
  }
  const text = isRecord(parsed) ? parsed.text : undefined;
  if (typeof text !== 'string') throw new MalformedPayloadError('text message without text');
  const mentions = readMentions(message.mentions);
  const p2p = message.chat_type === 'p2p';
  if (!p2p) {
    if (!ctx.botOpenId) return { kind: 'ignored', reason: 'group message while the bot open_id is unknown' };
    if (!mentions.some((m) => m.openId === ctx.botOpenId)) {
      return { kind: 'ignored', reason: 'group message that does not @-mention the bot' };
    }
  }
  return {
    kind: 'message',
    eventId,
    actor: { platform: 'feishu', userId: openId },
    chat: { chatId, type: p2p ? 'p2p' : 'group' },
    messageId,
    text: cleanText(replaceMentions(text, mentions, ctx.botOpenId)),
  };
}

interface Mention {
  key: string;
  openId: string | null;
}

function readMentions(v: unknown): Mention[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((m) => {
    const key = isRecord(m) ? str(m.key) : undefined;
    return key ? [{ key, openId: str(rec(m.id)?.open_id) ?? null }] : [];
  });
}

/**
 * `@_user_N` placeholders → a mention token for each mentioned person (see mentionToken); the bot's own mention,
 * `@_all` and placeholders without an open_id are removed. Longest keys first, so `@_user_12` is not read as
 * `@_user_1` + "2".
 */
function replaceMentions(text: string, mentions: Mention[], botOpenId: string | null): string {
  const byKey = new Map(mentions.map((m) => [m.key, m.openId]));
  return text.replace(/@_user_\d+|@_all/g, (key) => {
    const openId = byKey.get(key);
    return openId && openId !== botOpenId ? ` ${mentionToken(openId)} ` : ' ';
  });
}

/**
 * Removes mention placeholders (`@_user_1`, `@_all`), collapses runs of spaces/tabs, trims every line and
 * drops empty lines. Line breaks between non-empty lines are kept (a rejection reason may span lines).
 */
export function cleanText(text: string): string {
  return text
    .replace(/@_user_\d+|@_all/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.replace(/[^\S\r\n]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

function normalizeCardAction(eventId: string, event: Json): InboundEvent {
  const operator = rec(event.operator);
  const openId = str(operator?.open_id) ?? str(event.open_id);
  if (!openId) throw new MalformedPayloadError('card action without operator open_id');
  const action = rec(event.action);
  if (!action) throw new MalformedPayloadError('card action without action');
  const context = rec(event.context);
  const messageId = str(context?.open_message_id) ?? str(event.open_message_id) ?? null;
  const chatId = str(context?.open_chat_id) ?? str(event.open_chat_id);
  // The callback does not say whether the chat is p2p or a group; 'p2p' is a placeholder the app must not rely on.
  const chat: ChatRef | null = chatId ? { chatId, type: 'p2p' } : null;
  const form = rec(action.form_value);
  return {
    kind: 'cardAction',
    eventId,
    actor: { platform: 'feishu', userId: openId },
    chat,
    messageId,
    value: actionValue(action),
    ...(form ? { form: formValues(form) } : {}),
  };
}

/**
 * The clicked component's value: `action.value` when it is present (an object, or a JSON string of one);
 * otherwise the intent decoded from the button `name` (form submit, see payloads.ts); otherwise `{ name }`;
 * otherwise null.
 */
function actionValue(action: Json): unknown {
  let value = action.value;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
      assertJsonDepth(value, 'Feishu action.value');
    } catch (e) {
      if (e instanceof MalformedPayloadError) throw e;
      // keep the plain string
    }
  }
  const hasValue = isRecord(value) ? Object.keys(value).length > 0 : value !== undefined && value !== null;
  if (hasValue) return value;
  const name = str(action.name);
  if (name) return decodeSubmitName(name) ?? { name };
  return null;
}

function formValues(form: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(form)) {
    if (v === null) continue;
    if (!isFormScalar(v)) throw new MalformedPayloadError(`form_value.${key.slice(0, 40)} is not a string`);
    out[fieldModelName(key)] = v;
  }
  return out;
}

/**
 * The long-connection EventDispatcher hands handlers `{ ...rest, ...header, ...event }` (feishu.md §3).
 * Rebuild a schema 2.0 envelope from it; the whole flattened object becomes `event` (extra keys are harmless).
 */
export function envelopeFromFlattened(data: unknown): Json {
  if (!isRecord(data)) throw new MalformedPayloadError('dispatcher data is not an object');
  return {
    schema: '2.0',
    header: {
      event_id: data.event_id,
      event_type: data.event_type,
      create_time: data.create_time,
      app_id: data.app_id,
      tenant_key: data.tenant_key,
    },
    event: data,
  };
}
