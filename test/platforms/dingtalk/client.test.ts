import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { DingtalkAdapter, type DingtalkAdapterOptions, toOutTrackId } from '../../../src/platforms/dingtalk/adapter';
import { PlatformApiError } from '../../../src/platforms/types';
import { silentLogger } from '../../../src/shared/logger';
import { FakeClock } from '../../helpers/fake-clock';
import { type FakeDingtalk, startFakeDingtalk } from '../../helpers/fake-dingtalk';

const APP = { clientId: 'dingappkey', clientSecret: 'sec-client' };
const card: CardModel = {
  header: { title: '立项审批', color: 'blue' },
  blocks: [{ type: 'markdown', text: 'hello' }],
  actions: [{ label: '同意', style: 'primary', value: { v: 1, type: 'approve', regNo: 'R-1' } }],
  forms: [],
};

let fake: FakeDingtalk;
let clock: FakeClock;

function adapter(over: Partial<DingtalkAdapterOptions> = {}): DingtalkAdapter {
  return new DingtalkAdapter({
    ...APP,
    robotCode: 'dingrobot',
    cardTemplateId: 'tpl-1.schema',
    baseUrl: `${fake.baseUrl}/`,
    clock: () => clock.now(),
    logger: silentLogger,
    ...over,
  });
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
  fake = await startFakeDingtalk({ ...APP, tokenExpireIn: 600 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  clock = new FakeClock();
});

describe('DingtalkAdapter over real HTTP', () => {
  it('fetches an access token once, sends it as x-acs-dingtalk-access-token, and refreshes before expiry', async () => {
    const a = adapter();
    await a.send({ kind: 'user', id: 'u1' }, { kind: 'text', text: 'a' }, 'k1');
    await a.send({ kind: 'user', id: 'u1' }, { kind: 'text', text: 'b' }, 'k2');
    expect(fake.tokenRequests).toEqual([{ appKey: APP.clientId, appSecret: APP.clientSecret }]);
    const sent = fake.requests.filter((r) => r.path === '/v1.0/robot/oToMessages/batchSend');
    expect(sent[0]?.headers['x-acs-dingtalk-access-token']).toMatch(/^tok-\d+$/);
    clock.advance(539_000); // expireIn 600 s, margin 10 % → refresh from 540 s on
    await a.send({ kind: 'user', id: 'u1' }, { kind: 'text', text: 'c' }, 'k3');
    expect(fake.tokenRequests).toHaveLength(1);
    clock.advance(2_000);
    await a.send({ kind: 'user', id: 'u1' }, { kind: 'text', text: 'd' }, 'k4');
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('creates and delivers a card to a user with a stable outTrackId', async () => {
    const { messageId } = await adapter().send({ kind: 'user', id: 'u-alice' }, { kind: 'card', card }, 'req-1:n1');
    expect(messageId).toBe(toOutTrackId('req-1:n1'));
    expect(messageId).toMatch(/^[0-9a-f]{64}$/);
    const [sent] = fake.cardsTo('u-alice');
    expect(sent?.body).toMatchObject({
      cardTemplateId: 'tpl-1.schema',
      outTrackId: messageId,
      callbackType: 'STREAM',
      openSpaceId: 'dtv1.card//IM_ROBOT.u-alice',
      imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: 'dingrobot' },
      userIdType: 1,
    });
    expect(fake.lastCardData(messageId)).toMatchObject({ title: '立项审批', btn1_text: '同意', btn1_show: 'true' });
  });

  it('delivers to a group by openConversationId, and a p2p chat id to the user behind it', async () => {
    const a = adapter();
    await a.send({ kind: 'chat', id: 'cidGroup' }, { kind: 'card', card }, 'g1');
    expect(fake.cardsInGroup('cidGroup')[0]?.body).toMatchObject({
      openSpaceId: 'dtv1.card//IM_GROUP.cidGroup',
      imGroupOpenDeliverModel: { robotCode: 'dingrobot' },
    });
    await a.send({ kind: 'chat', id: 'p2p:u-bob' }, { kind: 'card', card }, 'p1');
    expect(fake.cardsTo('u-bob')).toHaveLength(1);
  });

  it('sends the same idempotency key once', async () => {
    const a = adapter();
    const first = await a.send({ kind: 'user', id: 'u-b' }, { kind: 'card', card }, 'same');
    const second = await a.send({ kind: 'user', id: 'u-b' }, { kind: 'card', card }, 'same');
    expect(second).toEqual(first);
    expect(fake.cardsTo('u-b')).toHaveLength(1);
  });

  it('updates a card by key: every slot rewritten, old buttons hidden', async () => {
    const a = adapter();
    const { messageId } = await a.send({ kind: 'user', id: 'u-p' }, { kind: 'card', card }, 'k-p');
    await a.update(messageId, { ...card, header: { title: '已同意', color: 'green' }, actions: [] });
    const [c] = fake.cardsTo('u-p');
    expect(c?.updates).toHaveLength(1);
    expect(c?.updates[0]?.byKey).toBe(true);
    expect(fake.lastCardData(messageId)).toMatchObject({
      title: '已同意',
      color: 'green',
      btn1_show: 'false',
      has_actions: 'false',
    });
    expect(fake.requests.at(-1)?.body).toMatchObject({ cardUpdateOptions: { updateCardDataByKey: true } });
  });

  it('sends text one-to-one, to a p2p chat, and to a group with sampleText', async () => {
    const a = adapter();
    const r = await a.send({ kind: 'user', id: 'u-t' }, { kind: 'text', text: '你好' }, 't1');
    expect(r.messageId).toMatch(/^pqk-/);
    await a.send({ kind: 'chat', id: 'p2p:u-t' }, { kind: 'text', text: '再见' }, 't2');
    await a.send({ kind: 'chat', id: 'cidG' }, { kind: 'text', text: '新项目已提交' }, 't3');
    expect(fake.textsTo('u-t').map((m) => m.msgParam)).toEqual([{ content: '你好' }, { content: '再见' }]);
    expect(fake.groupTexts('cidG')).toEqual([
      {
        kind: 'group',
        to: 'cidG',
        robotCode: 'dingrobot',
        msgKey: 'sampleText',
        msgParam: { content: '新项目已提交' },
      },
    ]);
  });

  it('refreshes a rejected token once and retries', async () => {
    const a = adapter();
    await a.send({ kind: 'user', id: 'u' }, { kind: 'text', text: 'warm' }, 'w');
    fake.invalidateTokens();
    await a.send({ kind: 'user', id: 'u' }, { kind: 'text', text: 'again' }, 'w2');
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.textsTo('u')).toHaveLength(2);
  });

  it('maps throttling to retryable errors with retryAfterMs', async () => {
    const a = adapter();
    fake.failNext(1, { status: 429, code: 'Throttling', retryAfterSeconds: 2 });
    const e1 = await caught(a.send({ kind: 'user', id: 'u' }, { kind: 'card', card }, 'th1'));
    expect(e1.opts).toEqual({ status: 429, code: 'Throttling', retryAfterMs: 2000 });
    fake.failNext(1, { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi' });
    const e2 = await caught(a.update('any', card));
    expect(e2.opts).toEqual({ status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi', retryAfterMs: 1000 });
    expect(e2.platform).toBe('dingtalk');
  });

  it('marks other 4xx permanent, and 5xx and timeouts retryable', async () => {
    const a = adapter({ timeoutMs: 300 });
    fake.failNext(1, { status: 400, code: 'InvalidParameter' });
    expect((await caught(a.send({ kind: 'user', id: 'u' }, { kind: 'card', card }, 'x1'))).opts).toMatchObject({
      status: 400,
      permanent: true,
    });
    fake.failNext(1, { status: 503, code: 'ServiceUnavailable' });
    const e5 = await caught(a.send({ kind: 'user', id: 'u' }, { kind: 'card', card }, 'x2'));
    expect(e5.opts).toEqual({ status: 503, code: 'ServiceUnavailable' });
    fake.failNext(1, { status: 200, hang: true });
    const et = await caught(a.send({ kind: 'user', id: 'u' }, { kind: 'text', text: 't' }, 'x3'));
    expect(et.opts.permanent).toBeUndefined();
    expect(et.message).toMatch(/TimeoutError/);
  });

  it('refuses an unknown card update and wrong credentials permanently', async () => {
    expect((await caught(adapter().update('missing', card))).opts).toMatchObject({
      code: 'param.cardNotExist',
      permanent: true,
    });
    const bad = adapter({ clientSecret: 'wrong' });
    const e = await caught(bad.send({ kind: 'user', id: 'u' }, { kind: 'text', text: 'x' }, 'bad'));
    expect(e.opts).toMatchObject({ status: 400, code: 'invalidClientSecret', permanent: true });
  });

  it('registers the card callback URL with its apiSecret, and asks for HTTP callbacks on that route key', async () => {
    const a = adapter({ cardCallbackRouteKey: 'handoff-route', cardCallbackSecret: 'route-secret-0123456789' });
    await a.registerCardCallback('https://bot.example.com/dingtalk/cards');
    expect(fake.callbackRoutes().get('handoff-route')).toEqual({
      callbackUrl: 'https://bot.example.com/dingtalk/cards',
      apiSecret: 'route-secret-0123456789',
    });
    await a.send({ kind: 'user', id: 'u-h' }, { kind: 'card', card }, 'h');
    expect(fake.cardsTo('u-h')[0]?.body).toMatchObject({ callbackType: 'HTTP', callbackRouteKey: 'handoff-route' });
  });
});
