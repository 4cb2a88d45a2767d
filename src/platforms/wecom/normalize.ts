/**
 * Decrypted WeCom callback XML → InboundEvent. No verification here (see verify.ts / adapter.ts).
 *
 * - `MsgType=text` → `message`: actor = FromUserName, chat = the user's p2p chat with the app (`dm:<userid>`),
 *   eventId = messageId = MsgId (a number or a base64-ish string, kept as a string). WeCom dedupes messages on
 *   MsgId and retries with the same MsgId.
 * - `Event=template_card_event` → `cardAction`: the intent is decoded from `EventKey` (payloads.ts), messageId =
 *   TaskId (= the messageId `send` returned). WeCom dedupes events on FromUserName + CreateTime; a retry repeats the
 *   whole payload, so eventId = `tce:<FromUserName>:<CreateTime>:<hash of TaskId + EventKey>` is stable across
 *   retries and distinct for two clicks in the same second on different cards/buttons.
 *   The event's `ResponseCode` (one fresh update code per click) is returned next to the event for the adapter.
 * - Everything else (other message types, enter_agent, menu events, …) → `ignored`.
 * Strict on the fields we act on (missing → MalformedPayloadError, HTTP 400).
 */
import { MalformedPayloadError } from '../../shared/errors';
import type { InboundEvent } from '../types';
import { decodeButtonKey, dmChatId, type KeyStore, sha256Hex, type XmlFields } from './payloads';

export const EVENT_TEMPLATE_CARD = 'template_card_event';

export interface Normalized {
  event: InboundEvent;
  /** The one-shot update code a card click brings, for the card `taskId`. */
  responseCode: { taskId: string; code: string } | null;
}

export interface NormalizeOptions {
  /** Our app's AgentID; deliveries for another agent are ignored. */
  agentId: string;
  keys: KeyStore | null;
}

export function normalizeCallback(fields: XmlFields, opts: NormalizeOptions): Normalized {
  const agent = fields.AgentID?.trim();
  if (agent && agent !== opts.agentId) return ignored(`delivery for another agent: ${agent}`);
  const msgType = fields.MsgType;
  if (!msgType) throw new MalformedPayloadError('callback without MsgType');
  if (msgType === 'text') return { event: normalizeText(fields), responseCode: null };
  if (msgType !== 'event') return ignored(`unsupported message type: ${msgType}`);
  const event = fields.Event;
  if (event === EVENT_TEMPLATE_CARD) return normalizeCardEvent(fields, opts.keys);
  return ignored(`unsupported event: ${event ?? '(none)'}`);
}

function normalizeText(f: XmlFields): InboundEvent {
  const userId = nonEmpty(f.FromUserName);
  const msgId = nonEmpty(f.MsgId);
  const content = f.Content;
  if (!userId || !msgId || content === undefined) {
    throw new MalformedPayloadError('text message without FromUserName/MsgId/Content');
  }
  return {
    kind: 'message',
    eventId: msgId,
    actor: { platform: 'wecom', userId },
    chat: { chatId: dmChatId(userId), type: 'p2p' },
    messageId: msgId,
    text: cleanText(content),
  };
}

function normalizeCardEvent(f: XmlFields, keys: KeyStore | null): Normalized {
  const userId = nonEmpty(f.FromUserName);
  const createTime = nonEmpty(f.CreateTime);
  const taskId = nonEmpty(f.TaskId);
  const eventKey = f.EventKey;
  if (!userId || !createTime || !taskId || eventKey === undefined) {
    throw new MalformedPayloadError('template_card_event without FromUserName/CreateTime/TaskId/EventKey');
  }
  const code = nonEmpty(f.ResponseCode);
  const responseCode = code ? { taskId, code } : null;
  const decoded = decodeButtonKey(eventKey, keys);
  if (decoded === 'noop')
    return { event: { kind: 'ignored', reason: 'read-only card placeholder button' }, responseCode };
  return {
    event: {
      kind: 'cardAction',
      eventId: cardEventId(userId, createTime, taskId, eventKey),
      actor: { platform: 'wecom', userId },
      chat: { chatId: dmChatId(userId), type: 'p2p' },
      messageId: taskId,
      // An unknown key becomes a null value: the app answers "无法识别的卡片操作".
      value: decoded ? decoded.value : null,
      ...(decoded?.form ? { form: decoded.form } : {}),
    },
    responseCode,
  };
}

export function cardEventId(userId: string, createTime: string, taskId: string, eventKey: string): string {
  return `tce:${userId}:${createTime}:${sha256Hex(`${taskId}\n${eventKey}`).slice(0, 16)}`;
}

/** Collapses runs of spaces/tabs, trims every line and drops empty lines (line breaks inside a reason stay). */
export function cleanText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/[^\S\r\n]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function ignored(reason: string): Normalized {
  return { event: { kind: 'ignored', reason }, responseCode: null };
}
