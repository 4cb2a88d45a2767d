/**
 * DingTalk payloads (Stream `data` or HTTP body: the same JSON) → InboundEvent. No verification here.
 * Strict on the ids we act on (MalformedPayloadError), lenient elsewhere.
 *
 * Robot message (dingtalk-wecom.md B3): eventId = messageId = `msgId`; actor = `senderStaffId` (`senderId` is an
 * encrypted id and useless for identities); chat by `conversationType` ("1" p2p, "2" group; see payloads.ts for the
 * p2p chat id). Only `msgtype: text` is handled. Text: DingTalk removes the @robot mention itself (leaving a leading
 * space); any leading @mentions that remain are stripped too, then spaces are collapsed and lines trimmed.
 *
 * Card callback (B6): `content` (a JSON string; older payloads also carry `value`) holds
 * `cardPrivateData: { actionIds, params }`; our template passes `params.action` (payloads.ts) and the input slots.
 * The callback carries no per-click id, so the caller supplies eventId (Stream: the frame's messageId).
 */
import { MalformedPayloadError } from '../../shared/errors';
import { assertJsonDepth, isFormScalar } from '../../shared/json-shape';
import type { ChatRef, InboundEvent } from '../types';
import { decodeButtonPayload, isRecord, type Json, p2pChatId, rec, str, tryJson } from './payloads';

export function normalizeRobotMessage(data: unknown): InboundEvent {
  if (!isRecord(data)) throw new MalformedPayloadError('robot message is not an object');
  assertJsonDepth(data, 'DingTalk robot message');
  const msgId = str(data.msgId);
  const conversationId = str(data.conversationId);
  if (!msgId || !conversationId) throw new MalformedPayloadError('robot message without msgId/conversationId');
  const staffId = str(data.senderStaffId);
  if (!staffId) return { kind: 'ignored', reason: 'sender has no staff id (external user?)' };
  if (data.msgtype !== 'text') return { kind: 'ignored', reason: `unsupported msgtype: ${String(data.msgtype)}` };
  const content = rec(data.text)?.content;
  if (typeof content !== 'string') throw new MalformedPayloadError('text message without text.content');
  const chat: ChatRef =
    data.conversationType === '2'
      ? { chatId: conversationId, type: 'group' }
      : { chatId: p2pChatId(staffId), type: 'p2p' };
  return {
    kind: 'message',
    eventId: msgId,
    actor: { platform: 'dingtalk', userId: staffId },
    chat,
    messageId: msgId,
    text: cleanText(content),
  };
}

/** Drops leading @mentions, collapses runs of spaces/tabs, trims every line and drops empty lines. */
export function cleanText(text: string): string {
  return text
    .replace(/^\s*(?:@\S+\s+)+/, '')
    .split(/\r?\n/)
    .map((line) => line.replace(/[^\S\r\n]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

export function normalizeCardCallback(data: unknown, eventId: string): InboundEvent {
  if (!isRecord(data)) throw new MalformedPayloadError('card callback is not an object');
  assertJsonDepth(data, 'DingTalk card callback');
  if (data.type !== undefined && data.type !== 'actionCallback') {
    return { kind: 'ignored', reason: `unsupported card callback type: ${String(data.type)}` };
  }
  const userId = str(data.userId);
  const outTrackId = str(data.outTrackId);
  if (!userId || !outTrackId) throw new MalformedPayloadError('card callback without userId/outTrackId');
  const privateData = rec(readContent(data.content) ?? readContent(data.value))?.cardPrivateData;
  const params = rec(rec(privateData)?.params) ?? {};
  const actionIds = rec(privateData)?.actionIds;
  const actionId = Array.isArray(actionIds) ? str(actionIds[0]) : undefined;
  const encoded = str(params.action);
  const payload = encoded ? decodeButtonPayload(encoded) : undefined;
  const value: unknown = payload ? payload.a : actionId ? { actionId } : null;
  const ev: InboundEvent = {
    kind: 'cardAction',
    eventId,
    actor: { platform: 'dingtalk', userId },
    chat: chatOf(data, userId),
    messageId: outTrackId,
    value,
  };
  if (payload?.f) {
    const form: Record<string, unknown> = {};
    for (const [slot, name] of Object.entries(payload.f)) {
      const v = params[slot];
      if (v === undefined || v === null) continue;
      if (!isFormScalar(v)) throw new MalformedPayloadError(`card param ${slot.slice(0, 40)} is not a string`);
      form[name] = v;
    }
    ev.form = form;
  }
  return ev;
}

function readContent(v: unknown): Json | undefined {
  const parsed = typeof v === 'string' ? tryJson(v) : v;
  assertJsonDepth(parsed, 'DingTalk card content');
  return rec(parsed);
}

function chatOf(data: Json, userId: string): ChatRef | null {
  const spaceId = str(data.spaceId);
  if (data.spaceType === 'IM_GROUP' && spaceId) return { chatId: spaceId, type: 'group' };
  if (data.spaceType === 'IM_ROBOT') return { chatId: p2pChatId(userId), type: 'p2p' };
  return null;
}
