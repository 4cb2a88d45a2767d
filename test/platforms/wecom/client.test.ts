import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformApiError } from '../../../src/platforms/types';
import { WecomClient } from '../../../src/platforms/wecom/client';
import { silentLogger } from '../../../src/shared/logger';
import { FakeClock } from '../../helpers/fake-clock';
import { type FakeWecom, startFakeWecom } from '../../helpers/fake-wecom';

const APP = { corpId: 'wwcorp', secret: 's3cret', agentId: 1000002 };
let fake: FakeWecom;
let clock: FakeClock;

beforeAll(async () => {
  fake = await startFakeWecom(APP);
});
afterAll(() => fake.close());
beforeEach(() => {
  clock = new FakeClock();
});

function client(over: { secret?: string; timeoutMs?: number } = {}): WecomClient {
  return new WecomClient({
    corpId: APP.corpId,
    secret: over.secret ?? APP.secret,
    baseUrl: `${fake.baseUrl}/`,
    clock: () => clock.now(),
    logger: silentLogger,
    ...(over.timeoutMs !== undefined ? { timeoutMs: over.timeoutMs } : {}),
  });
}

const text = (touser: string) => ({ touser, agentid: APP.agentId, msgtype: 'text', text: { content: 'hi' } });

async function failure(p: Promise<unknown>): Promise<PlatformApiError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PlatformApiError);
  return e as PlatformApiError;
}

describe('WecomClient tokens', () => {
  it('fetches a token once and reuses it until shortly before it expires', async () => {
    const c = client();
    const before = fake.tokenRequests.length;
    await Promise.all([c.post('send', 'message/send', text('a')), c.post('send', 'message/send', text('b'))]);
    await c.post('send', 'message/send', text('c'));
    expect(fake.tokenRequests.length - before).toBe(1);
    expect(fake.tokenRequests.at(-1)).toEqual({ corpid: APP.corpId, corpsecret: APP.secret });
    clock.advance(7200_000 - 5 * 60_000);
    await c.post('send', 'message/send', text('d'));
    expect(fake.tokenRequests.length - before).toBe(2);
  });

  it('refreshes the token once and retries when WeCom says it expired (42001)', async () => {
    const c = client();
    await c.post('send', 'message/send', text('a'));
    const before = fake.tokenRequests.length;
    const sent = fake.messages.length;
    fake.expireTokens();
    await c.post('send', 'message/send', text('after-expiry'));
    expect(fake.tokenRequests.length - before).toBe(1);
    expect(fake.messages.slice(sent).map((m) => m.touser)).toEqual(['after-expiry']);
  });

  it('refreshes on an invalid token (40014) but only once', async () => {
    const c = client();
    await c.post('send', 'message/send', text('a'));
    fake.failNext(2, { errcode: 40014, errmsg: 'invalid access_token' });
    const e = await failure(c.post('send', 'message/send', text('b')));
    expect(e.opts).toMatchObject({ code: 40014 });
    expect(e.opts.permanent).toBeUndefined();
  });

  it('maps a wrong secret to a permanent error', async () => {
    const e = await failure(client({ secret: 'wrong' }).post('send', 'message/send', text('a')));
    expect(e.opts).toMatchObject({ code: 40001, permanent: true });
    expect(e.message).not.toContain('wrong');
  });
});

describe('WecomClient error mapping', () => {
  it.each([
    ['45009 rate limit', { errcode: 45009 }, { code: 45009, retryAfterMs: 60_000 }],
    ['45033 concurrency limit', { errcode: 45033 }, { code: 45033, retryAfterMs: 1000 }],
    ['-1 system busy', { errcode: -1 }, { code: -1, retryAfterMs: 1000 }],
    ['HTTP 502', { status: 502 }, { status: 502 }],
    ['HTTP 429', { status: 429 }, { status: 429, retryAfterMs: 60_000 }],
  ])('%s is retryable', async (_name, fault, expected) => {
    const c = client();
    fake.failNext(1, fault);
    const e = await failure(c.post('send', 'message/send', text('a')));
    expect(e.opts).toMatchObject(expected);
    expect(e.opts.permanent).toBeUndefined();
  });

  it.each([
    ['81013 all recipients invalid', { errcode: 81013 }, { code: 81013 }],
    ['HTTP 404', { status: 404 }, { status: 404 }],
  ])('%s is permanent', async (_name, fault, expected) => {
    const c = client();
    fake.failNext(1, fault);
    const e = await failure(c.post('send', 'message/send', text('a')));
    expect(e.opts).toMatchObject({ ...expected, permanent: true });
  });

  it('turns a timeout and a refused connection into retryable errors without the token in the message', async () => {
    const c = client({ timeoutMs: 200 });
    await c.post('send', 'message/send', text('warm-up'));
    fake.failNext(1, { hang: true });
    const timeout = await failure(c.post('send', 'message/send', text('a')));
    expect(timeout.message).toMatch(/timeout/);
    expect(timeout.message).not.toMatch(/tok-|access_token/);
    const dead = new WecomClient({
      corpId: APP.corpId,
      secret: APP.secret,
      baseUrl: 'http://127.0.0.1:9',
      clock: () => clock.now(),
      logger: silentLogger,
    });
    const refused = await failure(dead.post('send', 'message/send', text('a')));
    expect(refused.opts.permanent).toBeUndefined();
  });

  it('posts to a group robot webhook without an access token', async () => {
    const c = client();
    await c.postWebhook('webhook', fake.webhookUrl('news-key'), { msgtype: 'text', text: { content: '喜报' } });
    expect(fake.webhooks.at(-1)).toMatchObject({ target: 'news-key', msgtype: 'text' });
    expect(fake.requests.at(-1)?.query.access_token).toBeUndefined();
    const e = await failure(c.postWebhook('webhook', fake.webhookUrl('unknown'), { msgtype: 'text' }));
    expect(e.opts).toMatchObject({ code: 93000, permanent: true });
  });
});
