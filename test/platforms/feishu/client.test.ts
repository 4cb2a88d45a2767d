import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { FeishuAdapter } from '../../../src/platforms/feishu/adapter';
import { toPlatformApiError, toUuid } from '../../../src/platforms/feishu/client';
import { PlatformApiError } from '../../../src/platforms/types';
import { createLogger, type Logger } from '../../../src/shared/logger';
import { type FakeFeishu, startFakeFeishu } from '../../helpers/fake-feishu';

const APP = { appId: 'cli_client_test', appSecret: 'sec-client' };
const card: CardModel = {
  header: { title: '立项审批', color: 'blue' },
  blocks: [{ type: 'markdown', text: 'hello' }],
  actions: [{ label: '同意', style: 'primary', value: { v: 1, type: 'approve', regNo: 'HO-2026-0001' } }],
  forms: [],
};

let fake: FakeFeishu;
const logLines: string[] = [];
const logger: Logger = createLogger('debug', {}, (l) => logLines.push(l));

function adapter(over: Partial<{ appId: string; appSecret: string; timeoutMs: number }> = {}): FeishuAdapter {
  return new FeishuAdapter({ ...APP, ...over, baseUrl: `${fake.baseUrl}/`, clock: () => new Date(), logger });
}

async function caught(p: Promise<unknown>): Promise<PlatformApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformApiError);
    return e as PlatformApiError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  fake = await startFakeFeishu(APP);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  logLines.length = 0;
});

describe('FeishuAdapter over the real SDK', () => {
  it('fetches a tenant token with the configured app id and secret, once per adapter', async () => {
    const a = adapter();
    await a.send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'hi' }, 'k-token-1');
    await a.send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'hi again' }, 'k-token-2');
    expect(fake.tokenRequests).toEqual([{ app_id: APP.appId, app_secret: APP.appSecret }]);
    // A second adapter with the same app id has its own cache (the SDK default cache is process-wide).
    await adapter().send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'x' }, 'k-token-3');
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.requests.find((r) => r.path === '/open-apis/im/v1/messages')?.headers.authorization).toMatch(
      /^Bearer t-fake-\d+$/,
    );
  });

  it('reports each request of a call as it leaves: the token fetch, then the API request; none when not asked', async () => {
    const a = adapter();
    let departures = 0;
    const onDeparture = () => departures++;
    await a.send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'hi' }, 'k-dep-1', { onDeparture });
    expect([departures, fake.tokenRequests.length, fake.messages.length]).toEqual([2, 1, 1]);
    const sent = await a.send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'again' }, 'k-dep-2', {
      onDeparture,
    });
    expect(departures).toBe(3);
    await a.update(sent.messageId, card, { onDeparture });
    expect(departures).toBe(4);
    await a.send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'plain' }, 'k-dep-3');
    expect([departures, fake.messages.length]).toEqual([4, 3]);
  });

  it('sends a card to a user by open_id with the idempotency key as uuid', async () => {
    const { messageId } = await adapter().send({ kind: 'user', id: 'ou_alice' }, { kind: 'card', card }, 'req-1:n1');
    expect(messageId).toBe('om_1');
    expect(fake.messages).toEqual([
      expect.objectContaining({
        messageId: 'om_1',
        receive_id_type: 'open_id',
        receive_id: 'ou_alice',
        msg_type: 'interactive',
        uuid: 'req-1:n1',
      }),
    ]);
    expect(fake.lastCardTo('ou_alice')).toMatchObject({ schema: '2.0', header: { template: 'blue' } });
  });

  it('sends text to a chat by chat_id', async () => {
    await adapter().send({ kind: 'chat', id: 'oc_team' }, { kind: 'text', text: '新项目已提交' }, 'k-chat');
    expect(fake.messagesTo('oc_team')).toEqual([
      expect.objectContaining({ receive_id_type: 'chat_id', msg_type: 'text', content: { text: '新项目已提交' } }),
    ]);
  });

  it('posts one message for the same idempotency key sent twice', async () => {
    const a = adapter();
    const first = await a.send({ kind: 'user', id: 'ou_b' }, { kind: 'card', card }, 'same-key');
    const second = await a.send({ kind: 'user', id: 'ou_b' }, { kind: 'card', card }, 'same-key');
    expect(second.messageId).toBe(first.messageId);
    expect(fake.messagesTo('ou_b')).toHaveLength(1);
  });

  it('hashes idempotency keys longer than 50 characters, stably', async () => {
    const long = `outbox:${'x'.repeat(80)}`;
    expect(toUuid(long)).toHaveLength(50);
    expect(toUuid(long)).toBe(toUuid(long));
    expect(toUuid('short')).toBe('short');
    await adapter().send({ kind: 'user', id: 'ou_l' }, { kind: 'text', text: 't' }, long);
    expect(fake.messages[0]?.uuid).toBe(toUuid(long));
  });

  it('patches a sent card', async () => {
    const a = adapter();
    const { messageId } = await a.send({ kind: 'user', id: 'ou_p' }, { kind: 'card', card }, 'k-p');
    await a.update(messageId, { ...card, header: { title: '已同意', color: 'green' }, actions: [] });
    expect(fake.updates).toHaveLength(1);
    expect(fake.updates[0]?.messageId).toBe(messageId);
    expect(fake.lastCardTo('ou_p')).toMatchObject({ header: { title: { content: '已同意' }, template: 'green' } });
  });

  it('maps HTTP 429 to a retryable error with retryAfterMs from x-ogw-ratelimit-reset', async () => {
    const a = adapter();
    await a.send({ kind: 'user', id: 'ou_w' }, { kind: 'text', text: 'warm' }, 'k-warm');
    fake.failNext(1, { status: 429, resetSeconds: 2 });
    const e = await caught(a.send({ kind: 'user', id: 'ou_r' }, { kind: 'text', text: 'x' }, 'k-429'));
    expect(e.opts).toEqual({ status: 429, code: 99991400, retryAfterMs: 2000 });
    expect(e.platform).toBe('feishu');
    expect(fake.messagesTo('ou_r')).toHaveLength(0);
  });

  it('maps the older HTTP 400 + 99991400 rate limit the same way', async () => {
    fake.failNext(1, { status: 400, code: 99991400, resetSeconds: 3 });
    const e = await caught(adapter().send({ kind: 'user', id: 'ou_r' }, { kind: 'text', text: 'x' }, 'k-400rl'));
    expect(e.opts).toMatchObject({ status: 400, code: 99991400, retryAfterMs: 3000 });
    expect(e.opts.permanent).toBeUndefined();
  });

  it('treats "operation triggers the frequency limit" (230020) as a rate limit', async () => {
    fake.failNext(1, { status: 400, code: 230020 });
    const e = await caught(adapter().update('om_any', card));
    expect(e.opts).toEqual({ status: 400, code: 230020, retryAfterMs: 1000 });
  });

  it('turns HTTP 200 with code != 0 into a PlatformApiError (the SDK resolves it)', async () => {
    fake.failNext(1, { status: 200, code: 230002, msg: 'bot is not in the chat' });
    const e = await caught(adapter().send({ kind: 'chat', id: 'oc_x' }, { kind: 'text', text: 'x' }, 'k-biz'));
    expect(e.opts).toMatchObject({ code: 230002, status: 200, permanent: true });
  });

  it('marks other 4xx as permanent and 5xx as retryable', async () => {
    const a = adapter();
    fake.failNext(1, { status: 400, code: 230001 });
    const bad = await caught(a.send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'x' }, 'k-400'));
    expect(bad.opts).toEqual({ status: 400, code: 230001, permanent: true });
    fake.failNext(1, { status: 503, code: 1 });
    const down = await caught(a.update('om_missing', card));
    expect(down.opts).toEqual({ status: 503, code: 1 });
  });

  it('reports an update of an unknown message as a permanent error', async () => {
    const a = adapter();
    const e = await caught(a.update('om_unknown', card));
    expect(e.opts).toMatchObject({ code: 230011, permanent: true });
  });

  it('refreshes the token once when Feishu says it is invalid', async () => {
    const a = adapter();
    await a.send({ kind: 'user', id: 'ou_t' }, { kind: 'text', text: 'one' }, 'k-t1');
    fake.invalidateTokens();
    await a.send({ kind: 'user', id: 'ou_t' }, { kind: 'text', text: 'two' }, 'k-t2');
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.messagesTo('ou_t')).toHaveLength(2);
  });

  it('maps wrong credentials and network failures to retryable errors without leaking the secret', async () => {
    const wrong = await caught(
      adapter({ appSecret: 'wrong-secret' }).send({ kind: 'user', id: 'ou_1' }, { kind: 'text', text: 'x' }, 'k'),
    );
    expect(wrong.message).toContain('tenant_access_token');
    expect(wrong.opts.permanent).toBeUndefined();
    expect(logLines.join('\n')).not.toContain('wrong-secret');
    expect(
      toPlatformApiError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'send'),
    ).toMatchObject({ opts: {} });
  });

  it('gives up on a request that is never answered after the configured timeout', async () => {
    const a = adapter({ timeoutMs: 300 });
    await a.send({ kind: 'user', id: 'ou_h' }, { kind: 'text', text: 'warm' }, 'k-h0');
    fake.failNext(1, { status: 0, hang: true });
    const e = await caught(a.send({ kind: 'user', id: 'ou_h' }, { kind: 'text', text: 'x' }, 'k-h1'));
    expect(e.message).toMatch(/timeout/i);
    expect(e.opts.permanent).toBeUndefined();
  });

  it('buzzes users and performs delayed card updates', async () => {
    const a = adapter();
    const { messageId } = await a.send({ kind: 'user', id: 'ou_u' }, { kind: 'card', card }, 'k-u');
    expect(await a.urgent(messageId, ['ou_u'])).toEqual([]);
    expect(fake.urgents).toEqual([{ messageId, userIds: ['ou_u'] }]);
    await a.updateByCallbackToken('c-token', card);
    expect(fake.cardUpdates).toEqual([{ token: 'c-token', card: expect.objectContaining({ schema: '2.0' }) }]);
  });
});
