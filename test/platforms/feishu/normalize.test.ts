import { describe, expect, it } from 'vitest';
import { cleanText, envelopeFromFlattened, normalizeEnvelope } from '../../../src/platforms/feishu/normalize';
import { encodeSubmitName } from '../../../src/platforms/feishu/payloads';
import { MalformedPayloadError } from '../../../src/shared/errors';
import { cardActionEvent, textMessageEvent, urlVerification } from '../../helpers/feishu-deliveries';

const BOT = { botOpenId: 'ou_bot' };

describe('normalizeEnvelope: messages', () => {
  it('strips the bot mention placeholder in a group message', () => {
    const env = textMessageEvent({
      openId: 'ou_alice',
      chatId: 'oc_group',
      chatType: 'group',
      text: '@_user_1  /approve   42 ',
      mentions: [{ key: '@_user_1', openId: 'ou_bot', name: 'Handoff' }],
      eventId: 'ev_1',
      messageId: 'om_1',
    });
    expect(normalizeEnvelope(env, BOT)).toEqual({
      kind: 'message',
      eventId: 'ev_1',
      actor: { platform: 'feishu', userId: 'ou_alice' },
      chat: { chatId: 'oc_group', type: 'group' },
      messageId: 'om_1',
      text: '/approve 42',
    });
  });

  it('normalizes a p2p message', () => {
    const env = textMessageEvent({ openId: 'ou_bob', chatId: 'oc_p2p', chatType: 'p2p', text: '/list' });
    const ev = normalizeEnvelope(env, BOT);
    expect(ev).toMatchObject({ kind: 'message', chat: { chatId: 'oc_p2p', type: 'p2p' }, text: '/list' });
  });

  it('removes @_all and several user placeholders, keeps line breaks between lines', () => {
    expect(cleanText('@_all @_user_12 驳回 R-1\n  @_user_2  预算\t不足  \n\n')).toBe('驳回 R-1\n预算 不足');
  });

  it('ignores non-text messages', () => {
    const env = textMessageEvent({ openId: 'ou_a', chatId: 'oc_1', chatType: 'p2p', text: 'x' });
    const event = env.event as { message: Record<string, unknown> };
    event.message.message_type = 'image';
    event.message.content = JSON.stringify({ image_key: 'img_v2_1' });
    expect(normalizeEnvelope(env, BOT)).toEqual({ kind: 'ignored', reason: 'unsupported message type: image' });
  });

  it('ignores messages sent by bots (echo)', () => {
    const env = textMessageEvent({ openId: 'ou_bot', chatId: 'oc_1', chatType: 'group', text: 'hi' });
    (env.event as { sender: Record<string, unknown> }).sender.sender_type = 'app';
    expect(normalizeEnvelope(env, BOT)).toMatchObject({ kind: 'ignored' });
  });

  it('is lenient with null user ids and missing optional fields', () => {
    const env = {
      schema: '2.0',
      header: { event_id: 'ev_9', event_type: 'im.message.receive_v1', token: '' },
      event: {
        sender: { sender_id: { open_id: 'ou_x', user_id: null, union_id: null }, sender_type: 'user' },
        message: {
          message_id: 'om_9',
          chat_id: 'oc_9',
          chat_type: 'group',
          message_type: 'text',
          content: '{"text":"@_user_1 帮助"}',
          mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot', user_id: '' }, name: 'bot' }],
        },
      },
    };
    expect(normalizeEnvelope(env, BOT)).toMatchObject({ kind: 'message', eventId: 'ev_9', text: '帮助' });
  });

  it('throws MalformedPayloadError when ids or content are missing or broken', () => {
    const env = textMessageEvent({ openId: 'ou_a', chatId: 'oc_1', chatType: 'p2p', text: 'x' });
    const broken = structuredClone(env);
    (broken.event as { message: Record<string, unknown> }).message.content = '{not json';
    expect(() => normalizeEnvelope(broken)).toThrow(MalformedPayloadError);
    const noSender = structuredClone(env);
    (noSender.event as { sender: Record<string, unknown> }).sender.sender_id = {};
    expect(() => normalizeEnvelope(noSender)).toThrow(MalformedPayloadError);
    expect(() => normalizeEnvelope({ schema: '2.0', header: { event_type: 'x' } })).toThrow(MalformedPayloadError);
    expect(() => normalizeEnvelope('nope')).toThrow(MalformedPayloadError);
  });
});

describe('normalizeEnvelope: card actions', () => {
  const value = { v: 1, type: 'approve', requestId: 'R-42' };

  it('maps operator, message, chat and the callback value', () => {
    const env = cardActionEvent({ openId: 'ou_c', messageId: 'om_5', chatId: 'oc_5', value, eventId: 'ev_c' });
    expect(normalizeEnvelope(env, BOT)).toEqual({
      kind: 'cardAction',
      eventId: 'ev_c',
      actor: { platform: 'feishu', userId: 'ou_c' },
      chat: { chatId: 'oc_5', type: 'p2p' },
      messageId: 'om_5',
      value,
    });
  });

  it('passes form_value as form, stripping the repeated-name suffix', () => {
    const env = cardActionEvent({
      openId: 'ou_c',
      messageId: 'om_5',
      chatId: 'oc_5',
      value: { v: 1, type: 'reject', requestId: 'R-42' },
      formValue: { reason__1: '预算不足', kind: 'hard' },
    });
    expect(normalizeEnvelope(env, BOT)).toMatchObject({
      value: { v: 1, type: 'reject', requestId: 'R-42' },
      form: { reason: '预算不足', kind: 'hard' },
    });
  });

  it('decodes the intent from the submit button name when no value is delivered', () => {
    const intent = { v: 1, type: 'reject', requestId: 'R-7' };
    const env = cardActionEvent({
      openId: 'ou_c',
      messageId: 'om_5',
      chatId: 'oc_5',
      name: encodeSubmitName(0, intent),
      formValue: { reason: 'no' },
    });
    expect(normalizeEnvelope(env, BOT)).toMatchObject({ value: intent, form: { reason: 'no' } });
  });

  it('falls back to { name } for a name in another encoding, and to null without either', () => {
    const base = { openId: 'ou_c', messageId: 'om_5', chatId: 'oc_5' };
    expect(normalizeEnvelope(cardActionEvent({ ...base, name: 'Button_submit' }))).toMatchObject({
      value: { name: 'Button_submit' },
    });
    expect(normalizeEnvelope(cardActionEvent({ ...base, value: {}, name: 'x' }))).toMatchObject({
      value: { name: 'x' },
    });
    expect(normalizeEnvelope(cardActionEvent(base))).toMatchObject({ value: null });
  });

  it('accepts the legacy top-level ids and a JSON-string value', () => {
    const env = {
      schema: '2.0',
      header: { event_id: 'ev_l', event_type: 'card.action.trigger', create_time: '1700000000000000' },
      event: { operator: { open_id: 'ou_l', user_id: null }, open_message_id: 'om_l', action: { value: '{"v":1}' } },
    };
    expect(normalizeEnvelope(env, BOT)).toEqual({
      kind: 'cardAction',
      eventId: 'ev_l',
      actor: { platform: 'feishu', userId: 'ou_l' },
      chat: null,
      messageId: 'om_l',
      value: { v: 1 },
    });
  });

  it('throws MalformedPayloadError without an operator', () => {
    const env = cardActionEvent({ openId: 'ou_c', messageId: 'om_5', chatId: 'oc_5', value });
    (env.event as Record<string, unknown>).operator = { open_id: null };
    expect(() => normalizeEnvelope(env, BOT)).toThrow(MalformedPayloadError);
  });
});

describe('normalizeEnvelope: other deliveries', () => {
  it('answers url_verification as a handshake', () => {
    expect(normalizeEnvelope(urlVerification('ch-1', 'vt'))).toEqual({
      kind: 'handshake',
      body: { challenge: 'ch-1' },
    });
  });

  it('ignores other event types and v1 events', () => {
    const other = { schema: '2.0', header: { event_id: 'e', event_type: 'im.chat.member.bot.added_v1' }, event: {} };
    expect(normalizeEnvelope(other)).toEqual({
      kind: 'ignored',
      reason: 'unsupported event type: im.chat.member.bot.added_v1',
    });
    expect(normalizeEnvelope({ uuid: 'u', event: { type: 'message' } })).toMatchObject({ kind: 'ignored' });
  });

  it('rebuilds an envelope from the flattened long-connection handler data', () => {
    const env = cardActionEvent({ openId: 'ou_c', messageId: 'om_5', chatId: 'oc_5', value: { v: 1 }, eventId: 'e1' });
    const flat = { schema: '2.0', ...(env.header as object), ...(env.event as object) };
    expect(normalizeEnvelope(envelopeFromFlattened(flat))).toMatchObject({
      kind: 'cardAction',
      eventId: 'e1',
      actor: { userId: 'ou_c' },
      messageId: 'om_5',
      value: { v: 1 },
    });
  });
});
