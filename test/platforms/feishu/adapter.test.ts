import { describe, expect, it } from 'vitest';
import { FeishuAdapter, type FeishuAdapterOptions } from '../../../src/platforms/feishu/adapter';
import type { RawInbound } from '../../../src/platforms/types';
import { MalformedPayloadError, VerificationError } from '../../../src/shared/errors';
import { silentLogger } from '../../../src/shared/logger';
import {
  cardActionEvent,
  type Delivery,
  encryptFeishu,
  plainDelivery,
  signAndEncrypt,
  signFeishu,
  textMessageEvent,
  urlVerification,
} from '../../helpers/feishu-deliveries';

const NOW = new Date('2024-05-01T08:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const ENCRYPT_KEY = 'enc-key-123';
const TOKEN = 'verif-token';

function adapter(omit: ('encryptKey' | 'verificationToken')[] = []): FeishuAdapter {
  const opts: FeishuAdapterOptions = {
    appId: 'cli_adapter',
    appSecret: 's',
    baseUrl: 'http://127.0.0.1:9',
    clock: () => NOW,
    logger: silentLogger,
    encryptKey: ENCRYPT_KEY,
    verificationToken: TOKEN,
  };
  for (const k of omit) delete opts[k];
  const a = new FeishuAdapter(opts);
  a.botOpenId = 'ou_bot'; // as learned from GET /open-apis/bot/v3/info at start-up
  return a;
}

/** Changes one character of the ciphertext to a different base64 character. */
function tamper(body: string): string {
  const i = body.indexOf('"encrypt":"') + 20;
  const c = body[i] === 'A' ? 'B' : 'A';
  return body.slice(0, i) + c + body.slice(i + 1);
}

function raw(d: Delivery, dropHeaders: string[] = []): RawInbound {
  const headers: Record<string, string | undefined> = { ...d.headers };
  for (const h of dropHeaders) delete headers[h];
  return { method: 'POST', query: {}, headers, rawBody: Buffer.from(d.body, 'utf8') };
}

const message = () =>
  textMessageEvent({
    openId: 'ou_a',
    chatId: 'oc_g',
    chatType: 'group',
    text: '@_user_1 /approve R-1',
    mentions: [{ key: '@_user_1', openId: 'ou_bot', name: 'Handoff' }],
    eventId: 'e1',
  });
const signed = (env: Record<string, unknown>, o: { token?: string; ts?: number } = {}) =>
  signAndEncrypt(env, { encryptKey: ENCRYPT_KEY, verificationToken: o.token ?? TOKEN, timestamp: o.ts ?? NOW_S });

describe('FeishuAdapter.parseHttp with an encrypt key', () => {
  it('verifies, decrypts and normalizes a message event', () => {
    expect(adapter().parseHttp(raw(signed(message())))).toMatchObject({
      kind: 'message',
      eventId: 'e1',
      actor: { platform: 'feishu', userId: 'ou_a' },
      chat: { chatId: 'oc_g', type: 'group' },
      text: '/approve R-1',
    });
  });

  it('normalizes a card action with a form', () => {
    const env = cardActionEvent({
      openId: 'ou_b',
      messageId: 'om_1',
      chatId: 'oc_1',
      value: { v: 1, type: 'reject', requestId: 'R-1' },
      formValue: { reason: '重复立项' },
    });
    expect(adapter().parseHttp(raw(signed(env)))).toMatchObject({
      kind: 'cardAction',
      messageId: 'om_1',
      value: { v: 1, type: 'reject', requestId: 'R-1' },
      form: { reason: '重复立项' },
    });
  });

  it('rejects a tampered body, a wrong signature and missing signature headers', () => {
    const d = signed(message());
    const tampered = { ...d, body: tamper(d.body) };
    expect(tampered.body).not.toBe(d.body);
    expect(() => adapter().parseHttp(raw(tampered))).toThrow(VerificationError);
    const wrongSig = { ...d, headers: { ...d.headers, 'x-lark-signature': 'f'.repeat(64) } };
    expect(() => adapter().parseHttp(raw(wrongSig))).toThrow(VerificationError);
    expect(() => adapter().parseHttp(raw(d, ['x-lark-signature', 'x-lark-request-timestamp']))).toThrow(
      VerificationError,
    );
    expect(() => adapter().parseHttp(raw(d, ['x-lark-request-nonce']))).toThrow(VerificationError);
  });

  it('rejects stale and future timestamps (replays)', () => {
    expect(() => adapter().parseHttp(raw(signed(message(), { ts: NOW_S - 301 })))).toThrow(VerificationError);
    expect(() => adapter().parseHttp(raw(signed(message(), { ts: NOW_S + 301 })))).toThrow(VerificationError);
    expect(adapter().parseHttp(raw(signed(message(), { ts: NOW_S - 299 })))).toMatchObject({ kind: 'message' });
  });

  it('rejects a wrong verification token even with a valid signature', () => {
    expect(() => adapter().parseHttp(raw(signed(message(), { token: 'other' })))).toThrow(VerificationError);
  });

  it('skips the token check when no verification token is configured', () => {
    const a = adapter(['verificationToken']);
    expect(a.parseHttp(raw(signed(message(), { token: '' })))).toMatchObject({ kind: 'message' });
  });

  it('answers an encrypted url_verification without signature headers, but still checks the token', () => {
    const d = signed(urlVerification('ch-123'));
    const unsigned = raw(d, ['x-lark-signature', 'x-lark-request-timestamp', 'x-lark-request-nonce']);
    expect(adapter().parseHttp(unsigned)).toEqual({ kind: 'handshake', body: { challenge: 'ch-123' } });
    expect(adapter().parseHttp(raw(d))).toEqual({ kind: 'handshake', body: { challenge: 'ch-123' } });
    const wrong = raw(signed(urlVerification('ch-1'), { token: 'nope' }), ['x-lark-signature']);
    expect(() => adapter().parseHttp(wrong)).toThrow(VerificationError);
  });

  it('refuses plaintext bodies unless they are signed', () => {
    const plain = plainDelivery(message(), { verificationToken: TOKEN });
    expect(() => adapter().parseHttp(raw(plain))).toThrow(VerificationError);
    const ts = String(NOW_S);
    const signedPlain = {
      body: plain.body,
      headers: {
        'x-lark-request-timestamp': ts,
        'x-lark-request-nonce': 'n',
        'x-lark-signature': signFeishu(ts, 'n', ENCRYPT_KEY, plain.body),
      },
    };
    expect(adapter().parseHttp(raw(signedPlain))).toMatchObject({ kind: 'message' });
  });

  it('answers undecryptable bodies with VerificationError, not a crash', () => {
    for (const encrypt of ['123123', encryptFeishu('not json', ENCRYPT_KEY), encryptFeishu('{}', 'other key')]) {
      const body = JSON.stringify({ encrypt });
      const ts = String(NOW_S);
      const headers = {
        'x-lark-request-timestamp': ts,
        'x-lark-request-nonce': 'n',
        'x-lark-signature': signFeishu(ts, 'n', ENCRYPT_KEY, body),
      };
      expect(() => adapter().parseHttp(raw({ headers, body }))).toThrow(VerificationError);
    }
  });

  it('answers non-JSON and non-object bodies with MalformedPayloadError', () => {
    expect(() => adapter().parseHttp(raw({ headers: {}, body: 'not json' }))).toThrow(MalformedPayloadError);
    expect(() => adapter().parseHttp(raw({ headers: {}, body: '[1,2]' }))).toThrow(MalformedPayloadError);
  });
});

describe('FeishuAdapter.parseHttp without an encrypt key', () => {
  const plainAdapter = () => adapter(['encryptKey']);

  it('accepts plaintext with the verification token', () => {
    expect(plainAdapter().parseHttp(raw(plainDelivery(message(), { verificationToken: TOKEN })))).toMatchObject({
      kind: 'message',
      eventId: 'e1',
    });
    expect(plainAdapter().parseHttp(raw(plainDelivery(urlVerification('c9', TOKEN))))).toEqual({
      kind: 'handshake',
      body: { challenge: 'c9' },
    });
  });

  it('refuses a wrong or missing token and encrypted bodies', () => {
    expect(() => plainAdapter().parseHttp(raw(plainDelivery(message(), { verificationToken: 'x' })))).toThrow(
      VerificationError,
    );
    expect(() => plainAdapter().parseHttp(raw(plainDelivery(message())))).toThrow(VerificationError);
    expect(() => plainAdapter().parseHttp(raw(signed(message())))).toThrow(VerificationError);
  });

  it('refuses everything when neither secret is configured', () => {
    const open = adapter(['encryptKey', 'verificationToken']);
    expect(() => open.parseHttp(raw(plainDelivery(message(), { verificationToken: TOKEN })))).toThrow(
      VerificationError,
    );
  });
});

describe('FeishuAdapter.renderAck', () => {
  it('delegates to render-card', () => {
    expect(adapter().renderAck({ toast: { type: 'error', text: '无权操作' } })).toEqual({
      toast: { type: 'error', content: '无权操作' },
    });
    expect(adapter().platform).toBe('feishu');
    expect(adapter().ackDeadlineMs).toBe(3000);
  });
});
