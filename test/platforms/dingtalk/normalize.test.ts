import { describe, expect, it } from 'vitest';
import { cleanText, normalizeCardCallback, normalizeRobotMessage } from '../../../src/platforms/dingtalk/normalize';
import { decodeButtonPayload, encodeButtonPayload } from '../../../src/platforms/dingtalk/payloads';
import { MalformedPayloadError } from '../../../src/shared/errors';
import { buttonAction, cardCallback, robotMessage } from '../../helpers/dingtalk-deliveries';

describe('robot message → InboundEvent', () => {
  it('maps a one-to-one text message; the p2p chat id routes back to the sender', () => {
    const msg = robotMessage({ staffId: '0425', text: ' /list', msgId: 'msgA', conversationId: 'cidP2P' });
    expect(normalizeRobotMessage(msg)).toEqual({
      kind: 'message',
      eventId: 'msgA',
      actor: { platform: 'dingtalk', userId: '0425' },
      chat: { chatId: 'p2p:0425', type: 'p2p' },
      messageId: 'msgA',
      text: '/list',
    });
  });

  it('maps a group message to the conversationId and strips leftover leading @mentions', () => {
    const msg = robotMessage({
      staffId: 'u2',
      text: ' @Handoff  /reject   R-1\n  太贵了 ',
      conversationType: '2',
      conversationId: 'cidG',
    });
    expect(normalizeRobotMessage(msg)).toMatchObject({
      chat: { chatId: 'cidG', type: 'group' },
      text: '/reject R-1\n太贵了',
    });
  });

  it('keeps @mentions that are not leading', () => {
    expect(cleanText('/approve R-1 @张三 ')).toBe('/approve R-1 @张三');
    expect(cleanText('  ')).toBe('');
  });

  it('ignores non-text messages and senders without a staff id', () => {
    expect(normalizeRobotMessage(robotMessage({ staffId: 'u', text: '', msgtype: 'picture' }))).toMatchObject({
      kind: 'ignored',
    });
    const external = { ...robotMessage({ staffId: 'u', text: 'hi' }), senderStaffId: undefined };
    expect(normalizeRobotMessage(external)).toMatchObject({ kind: 'ignored' });
  });

  it('refuses payloads without the ids we act on', () => {
    expect(() => normalizeRobotMessage({ ...robotMessage({ staffId: 'u', text: 'x' }), msgId: undefined })).toThrow(
      MalformedPayloadError,
    );
    expect(() => normalizeRobotMessage('nope')).toThrow(MalformedPayloadError);
    const noText = { ...robotMessage({ staffId: 'u', text: 'x' }), text: {} };
    expect(() => normalizeRobotMessage(noText)).toThrow(MalformedPayloadError);
  });
});

describe('card callback → InboundEvent', () => {
  const value = { v: 1, type: 'approve', regNo: 'P-1', round: 1, step: 0 };

  it('decodes the button value from params.action; messageId is the outTrackId', () => {
    const cb = cardCallback({ userId: 'u9', outTrackId: 'ot1', action: buttonAction(value) });
    expect(normalizeCardCallback(cb, 'frame-1')).toEqual({
      kind: 'cardAction',
      eventId: 'frame-1',
      actor: { platform: 'dingtalk', userId: 'u9' },
      chat: { chatId: 'p2p:u9', type: 'p2p' },
      messageId: 'ot1',
      value,
    });
  });

  it('maps input slots back to form field names for a form submit', () => {
    const action = buttonAction({ v: 1, type: 'reject', regNo: 'P-1' }, { in3: 'reason' });
    const cb = cardCallback({ userId: 'u', outTrackId: 'ot', action, params: { in1: 'no', in3: '价格不对' } });
    const ev = normalizeCardCallback(cb, 'e');
    expect(ev).toMatchObject({ value: { type: 'reject' }, form: { reason: '价格不对' } });
  });

  it('reads a group space as the chat, and falls back to `value` / object content', () => {
    const cb = cardCallback({
      userId: 'u',
      outTrackId: 'ot',
      action: buttonAction(value),
      spaceType: 'IM_GROUP',
      spaceId: 'cidG',
    });
    expect(normalizeCardCallback(cb, 'e')).toMatchObject({ chat: { chatId: 'cidG', type: 'group' } });
    const viaValue = { ...cb, content: undefined };
    expect(normalizeCardCallback(viaValue, 'e')).toMatchObject({ value });
    const objectContent = { ...cb, content: JSON.parse(String(cb.content)), spaceType: '' };
    expect(normalizeCardCallback(objectContent, 'e')).toMatchObject({ value, chat: null });
  });

  it('gives `{ actionId }` when no action param came back, so the app answers with help', () => {
    const cb = cardCallback({ userId: 'u', outTrackId: 'ot', actionId: 'btn_x' });
    expect(normalizeCardCallback(cb, 'e')).toMatchObject({ value: { actionId: 'btn_x' } });
    expect(normalizeCardCallback({ ...cb, content: 'not json', value: undefined }, 'e')).toMatchObject({ value: null });
  });

  it('ignores other callback types and refuses callbacks without user/outTrackId', () => {
    const cb = cardCallback({ userId: 'u', outTrackId: 'ot' });
    expect(normalizeCardCallback({ ...cb, type: 'lifecycle' }, 'e')).toMatchObject({ kind: 'ignored' });
    expect(() => normalizeCardCallback({ ...cb, userId: '' }, 'e')).toThrow(MalformedPayloadError);
    expect(() => normalizeCardCallback({ ...cb, outTrackId: undefined }, 'e')).toThrow(MalformedPayloadError);
  });

  it('button payloads round-trip and garbage decodes to undefined', () => {
    const p = { a: value, f: { in1: 'comment' } };
    expect(decodeButtonPayload(encodeButtonPayload(p))).toEqual(p);
    expect(decodeButtonPayload(JSON.stringify({ a: 1 }))).toEqual({ a: 1 });
    expect(decodeButtonPayload('%%%')).toBeUndefined();
    expect(decodeButtonPayload(Buffer.from('[1]').toString('base64url'))).toBeUndefined();
  });
});
