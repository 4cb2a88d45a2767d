import { describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import type { RawInbound } from '../../../src/platforms/types';
import { WecomAdapter } from '../../../src/platforms/wecom/adapter';
import { encodeButtonKey } from '../../../src/platforms/wecom/payloads';
import { MalformedPayloadError, VerificationError } from '../../../src/shared/errors';
import { silentLogger } from '../../../src/shared/logger';
import { MapAdapterState } from '../../helpers/fake-wecom';
import {
  type CallbackSecrets,
  cardClickXml,
  type Delivery,
  encryptedDelivery,
  textMessageXml,
  verificationRequest,
  WECOM_KAT,
  wecomSignature,
} from '../../helpers/wecom-deliveries';

const NOW = new Date('2026-03-02T02:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const SECRETS: CallbackSecrets = {
  token: 'cbtoken',
  aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  corpId: 'wwcorp',
};

function adapter(state = new MapAdapterState(() => NOW), over: Partial<CallbackSecrets & { agentId: string }> = {}) {
  return new WecomAdapter({
    corpId: over.corpId ?? SECRETS.corpId,
    agentId: over.agentId ?? 1000002,
    secret: 's',
    token: over.token ?? SECRETS.token,
    aesKey: over.aesKey ?? SECRETS.aesKey,
    baseUrl: 'http://127.0.0.1:9',
    clock: () => NOW,
    logger: silentLogger,
    state,
  });
}

const get = (d: Delivery): RawInbound => ({ method: 'GET', query: d.query, headers: {}, rawBody: Buffer.alloc(0) });
const post = (d: Delivery, body = d.body): RawInbound => ({
  method: 'POST',
  query: d.query,
  headers: { 'content-type': 'text/xml' },
  rawBody: Buffer.from(body, 'utf8'),
});
const text = (content: string, msgId = '1001') =>
  textMessageXml({ corpId: SECRETS.corpId, from: 'zhangsan', content, msgId });

describe('WecomAdapter.parseHttp: URL verification (GET)', () => {
  it('answers the decrypted echostr as text/plain', () => {
    const d = verificationRequest(SECRETS, '1616140317555161061', { timestamp: NOW_S });
    expect(adapter().parseHttp(get(d))).toEqual({
      kind: 'handshake',
      body: '1616140317555161061',
      contentType: 'text/plain',
    });
  });

  it('puts back a "+" of the echostr that arrived as a space (unencoded query)', () => {
    let d = verificationRequest(SECRETS, 'echo-plus', { timestamp: NOW_S });
    for (let i = 0; i < 100 && !d.query.echostr?.includes('+'); i++) {
      d = verificationRequest(SECRETS, 'echo-plus', { timestamp: NOW_S });
    }
    const query = { ...d.query, echostr: (d.query.echostr ?? '').replace(/\+/g, ' ') };
    expect(adapter().parseHttp({ ...get(d), query })).toMatchObject({ body: 'echo-plus' });
  });

  it('passes the official vectors (URL verification and message)', () => {
    const k = WECOM_KAT;
    const at = (ts: string) =>
      new WecomAdapter({
        corpId: k.corpId,
        agentId: 218,
        secret: 's',
        token: k.token,
        aesKey: k.aesKey,
        baseUrl: 'http://127.0.0.1:9',
        clock: () => new Date(Number(ts) * 1000),
        logger: silentLogger,
        state: new MapAdapterState(),
      });
    const v = k.verify;
    const query = { msg_signature: v.signature, timestamp: v.timestamp, nonce: v.nonce, echostr: v.echostr };
    expect(at(v.timestamp).parseHttp({ method: 'GET', query, headers: {}, rawBody: Buffer.alloc(0) })).toMatchObject({
      body: v.plain,
    });
    const m = k.message;
    const body = `<xml><ToUserName><![CDATA[${k.corpId}]]></ToUserName><Encrypt><![CDATA[${m.encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
    const mq = { msg_signature: m.signature, timestamp: m.timestamp, nonce: m.nonce };
    expect(
      at(m.timestamp).parseHttp({ method: 'POST', query: mq, headers: {}, rawBody: Buffer.from(body) }),
    ).toMatchObject({
      kind: 'message',
      eventId: '4561255354251345929',
      actor: { platform: 'wecom', userId: 'mycreate' },
      text: 'hello',
    });
  });

  it.each([
    ['a wrong signature', { signature: '0'.repeat(40) }],
    ['a stale timestamp', { timestamp: NOW_S - 301 }],
  ])('refuses %s', (_name, o) => {
    const d = verificationRequest(SECRETS, 'echo', { timestamp: NOW_S, ...o });
    expect(() => adapter().parseHttp(get(d))).toThrow(VerificationError);
  });

  it('refuses an echostr encrypted for another corp, and a missing echostr', () => {
    const d = verificationRequest({ ...SECRETS, corpId: 'wwother' }, 'echo', { timestamp: NOW_S });
    expect(() => adapter().parseHttp(get(d))).toThrow(VerificationError);
    const { echostr: _e, ...query } = d.query;
    expect(() => adapter().parseHttp({ ...get(d), query })).toThrow(MalformedPayloadError);
  });
});

describe('WecomAdapter.parseHttp: callbacks (POST)', () => {
  it('verifies, decrypts and normalizes a text message', () => {
    const d = encryptedDelivery(SECRETS, text('/status HO-2026-0001', '7788'), { timestamp: NOW_S });
    expect(adapter().parseHttp(post(d))).toEqual({
      kind: 'message',
      eventId: '7788',
      actor: { platform: 'wecom', userId: 'zhangsan' },
      chat: { chatId: 'dm:zhangsan', type: 'p2p' },
      messageId: '7788',
      text: '/status HO-2026-0001',
    });
  });

  it('stores the response code a click brings, once, for its card', () => {
    const state = new MapAdapterState(() => NOW);
    const a = adapter(state);
    const value = { v: 1 as const, type: 'withdraw' as const, regNo: 'HO-2026-0001' };
    const xml = cardClickXml({
      corpId: SECRETS.corpId,
      from: 'lisi',
      eventKey: encodeButtonKey(0, { value }, null),
      taskId: 'ho_0123456789abcdef0123456789abcdef01234567',
      responseCode: 'RC-1',
      createTime: NOW_S,
    });
    const ev = a.parseHttp(post(encryptedDelivery(SECRETS, xml, { timestamp: NOW_S })));
    expect(ev).toMatchObject({ kind: 'cardAction', value, messageId: 'ho_0123456789abcdef0123456789abcdef01234567' });
    a.parseHttp(post(encryptedDelivery(SECRETS, xml, { timestamp: NOW_S })));
    expect(a.codes.count('ho_0123456789abcdef0123456789abcdef01234567')).toBe(1);
  });

  it.each<[string, (d: Delivery) => RawInbound]>([
    ['a wrong signature', (d) => post({ ...d, query: { ...d.query, msg_signature: 'f'.repeat(40) } })],
    ['a stale timestamp', (d) => post({ ...d, query: { ...d.query, timestamp: String(NOW_S - 600) } })],
    ['no signature at all', (d) => post({ ...d, query: {} })],
  ])('refuses %s with VerificationError', (_name, change) => {
    const d = encryptedDelivery(SECRETS, text('/help'), { timestamp: NOW_S });
    expect(() => adapter().parseHttp(change(d))).toThrow(VerificationError);
  });

  it('refuses a ciphertext for another corp id, another key, or garbage, with VerificationError', () => {
    const wrongCorp = encryptedDelivery(SECRETS, text('/help'), { timestamp: NOW_S, receiveId: 'wwother' });
    expect(() => adapter().parseHttp(post(wrongCorp))).toThrow(VerificationError);
    const otherKey = encryptedDelivery(
      { ...SECRETS, aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg' },
      text('/help'),
      {
        timestamp: NOW_S,
      },
    );
    expect(() => adapter().parseHttp(post(otherKey))).toThrow(VerificationError);
    const garbage = 'AAAA'.repeat(16);
    const signed = encryptedDelivery(SECRETS, text('/help'), { timestamp: NOW_S });
    const g = { ...signed, query: { ...signed.query } };
    g.query.msg_signature = wecomSignature(SECRETS.token, g.query.timestamp ?? '', g.query.nonce ?? '', garbage);
    expect(() => adapter().parseHttp(post(g, `<xml><Encrypt><![CDATA[${garbage}]]></Encrypt></xml>`))).toThrow(
      VerificationError,
    );
  });

  it.each([
    ['not XML', '{"encrypt":"x"}'],
    ['XML without Encrypt', '<xml><ToUserName>wwcorp</ToUserName></xml>'],
    ['truncated XML', '<xml><Encrypt><![CDATA[abc'],
  ])('refuses a body that is %s with MalformedPayloadError', (_name, body) => {
    const d = encryptedDelivery(SECRETS, text('/help'), { timestamp: NOW_S });
    expect(() => adapter().parseHttp(post(d, body))).toThrow(MalformedPayloadError);
  });
});

describe('WecomAdapter.renderAck', () => {
  it('answers every callback with an empty 200 body (no passive reply)', () => {
    const card: CardModel = { header: { title: 't', color: 'blue' }, blocks: [], actions: [], forms: [] };
    const message = {
      kind: 'message' as const,
      eventId: 'e',
      actor: { platform: 'wecom' as const, userId: 'u' },
      chat: { chatId: 'dm:u', type: 'p2p' as const },
      messageId: 'm',
      text: '/help',
    };
    expect(adapter().httpReply({}, message)).toEqual({ body: '', contentType: 'text/plain' });
    expect(adapter().httpReply({ toast: { type: 'info', text: 'x' }, card }, { kind: 'ignored', reason: 'r' })).toEqual(
      {
        body: '',
        contentType: 'text/plain',
      },
    );
  });
});
