import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { createHttpApp } from '../../../src/http/app';
import { mountWebhook } from '../../../src/http/routes/webhook';
import { DingtalkAdapter } from '../../../src/platforms/dingtalk/adapter';
import type { AckReply, InboundEvent } from '../../../src/platforms/types';
import { silentLogger } from '../../../src/shared/logger';
import {
  buttonAction,
  cardCallback,
  type Delivery,
  robotMessage,
  signedCardCallback,
  signedDelivery,
} from '../../helpers/dingtalk-deliveries';
import { FakeClock } from '../../helpers/fake-clock';
import { type FakeDingtalk, startFakeDingtalk } from '../../helpers/fake-dingtalk';

const APP = { clientId: 'dinghttp', clientSecret: 'http-secret' };
const clock = new FakeClock();
const resultCard: CardModel = { header: { title: '已驳回', color: 'red' }, blocks: [], actions: [], forms: [] };
let fake: FakeDingtalk;
let server: Server;
let url: string;
let cardsUrl: string;
const CARD_SECRET = 'card-api-secret-0123456789';
const seen: InboundEvent[] = [];
let reply: AckReply = {};
let adapter: DingtalkAdapter;

beforeAll(async () => {
  fake = await startFakeDingtalk(APP);
  adapter = new DingtalkAdapter({
    ...APP,
    robotCode: 'dingrobot',
    cardTemplateId: 'tpl',
    baseUrl: fake.baseUrl,
    cardCallbackRouteKey: 'rk',
    cardCallbackSecret: CARD_SECRET,
    clock: () => clock.now(),
    logger: silentLogger,
  });
  const handle = async (ev: InboundEvent) => {
    seen.push(ev);
    return reply;
  };
  const app = createHttpApp({
    logger: silentLogger,
    health: () => ({}),
    mounts: [
      (r) => mountWebhook(r, ['/dingtalk/callback'], adapter, handle),
      (r) => mountWebhook(r, ['/dingtalk/cards'], adapter.cardCallbacks, handle),
    ],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dingtalk/callback`;
  cardsUrl = url.replace('/dingtalk/callback', '/dingtalk/cards');
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
});
beforeEach(() => {
  seen.length = 0;
  reply = {};
  fake.reset();
});

const post = (d: Delivery) => fetch(url, { method: 'POST', headers: d.headers, body: d.body });
const now = () => clock.now().getTime();

describe('POST /dingtalk/callback (HTTP mode)', () => {
  it('accepts a signed robot message and answers {}', async () => {
    const res = await post(
      signedDelivery(robotMessage({ staffId: 'u1', text: ' /help', msgId: 'h1' }), {
        secret: APP.clientSecret,
        timestamp: now(),
      }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(seen).toMatchObject([{ kind: 'message', eventId: 'h1', text: '/help', chat: { chatId: 'p2p:u1' } }]);
  });

  it.each([
    ['a wrong sign', { secret: 'not-the-secret' }],
    ['a stale timestamp', { secret: APP.clientSecret, timestamp: new Date('2026-03-02T00:59:59Z').getTime() }],
    ['a future timestamp', { secret: APP.clientSecret, timestamp: new Date('2026-03-02T03:00:01Z').getTime() }],
    ['no sign', { secret: APP.clientSecret, sign: '' }],
  ])('answers 401 to %s and calls no handler', async (_name, o) => {
    const d = signedDelivery(robotMessage({ staffId: 'u1', text: 'x' }), { timestamp: now(), ...o });
    expect((await post(d)).status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('answers 400 to a signed body that is not a JSON object', async () => {
    const d = { ...signedDelivery({}, { secret: APP.clientSecret, timestamp: now() }), body: 'nope' };
    expect((await post(d)).status).toBe(400);
  });

  it('ignores a card click sent with the robot signature (card callbacks are signed with their own apiSecret)', async () => {
    const cb = cardCallback({ userId: 'u-h', outTrackId: 'ot-h', action: buttonAction({ v: 1, type: 'approve' }) });
    const res = await post(signedDelivery(cb, { secret: APP.clientSecret, timestamp: now() }));
    expect(res.status).toBe(200);
    expect(seen).toMatchObject([{ kind: 'ignored' }]);
  });
});

describe('POST /dingtalk/cards (HTTP card callbacks, x-ddpaas-signature)', () => {
  const postCard = (d: Delivery) => fetch(cardsUrl, { method: 'POST', headers: d.headers, body: d.body });
  const click = () =>
    cardCallback({
      userId: 'u-h',
      outTrackId: 'ot-h',
      action: buttonAction({ v: 1, type: 'reject', regNo: 'R-1' }, { in1: 'reason' }),
      params: { in1: '' },
    });

  it('answers a signed card click with the inline card update; the toast is left to the outbox', async () => {
    reply = { toast: { type: 'error', text: '驳回原因不能为空' }, card: resultCard };
    const res = await postCard(signedCardCallback(click(), { secret: CARD_SECRET, timestamp: now() }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      cardData: { cardParamMap: { title: '已驳回' } },
      cardUpdateOptions: { updateCardDataByKey: true },
    });
    expect(seen).toMatchObject([
      { kind: 'cardAction', eventId: expect.stringMatching(/^http:/), messageId: 'ot-h', form: { reason: '' } },
    ]);
    expect(fake.textsTo('u-h')).toEqual([]);
    expect(adapter.deferredAck(reply, seen[0] as InboundEvent)).toEqual({ text: '❌ 驳回原因不能为空' });
  });

  it('accepts a timestamp in seconds too (the unit is not documented)', async () => {
    const ts = String(Math.floor(now() / 1000));
    expect((await postCard(signedCardCallback(click(), { secret: CARD_SECRET, timestamp: ts }))).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('answers 400 to a signed click whose content is 50,000 levels deep or whose input is not text (finding 6)', async () => {
    const deep = { ...click(), content: `{"cardPrivateData":{"params":${'['.repeat(50_000)}${']'.repeat(50_000)}}}` };
    const objectInput = cardCallback({
      userId: 'u-h',
      outTrackId: 'ot-h',
      action: buttonAction({ v: 1, type: 'reject', regNo: 'R-1' }, { in1: 'reason' }),
      params: { in1: { toString: 1 } },
    });
    for (const body of [deep, objectInput]) {
      const res = await postCard(signedCardCallback(body, { secret: CARD_SECRET, timestamp: now() }));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'malformed payload' });
    }
    expect(seen).toEqual([]);
  });

  it.each([
    [
      'no signature headers (a route key registered without apiSecret)',
      () => ({
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(click()),
      }),
    ],
    [
      'a signature made with another secret',
      () => signedCardCallback(click(), { secret: 'guessed-secret', timestamp: now() }),
    ],
    [
      'the robot signature (AppSecret, timestamp/sign headers)',
      () => signedDelivery(click(), { secret: APP.clientSecret, timestamp: now() }),
    ],
    [
      'the robot secret in the card headers',
      () => signedCardCallback(click(), { secret: APP.clientSecret, timestamp: now() }),
    ],
    [
      'a timestamp 6 minutes old',
      () => signedCardCallback(click(), { secret: CARD_SECRET, timestamp: now() - 6 * 60_000 }),
    ],
    [
      'a signature of another timestamp',
      () => {
        const d = signedCardCallback(click(), { secret: CARD_SECRET, timestamp: now() });
        return { ...d, headers: { ...d.headers, 'x-ddpaas-signature-timestamp': String(now() + 1) } };
      },
    ],
  ])('answers 401 to %s and calls no handler', async (_name, make) => {
    expect((await postCard(make())).status).toBe(401);
    expect(seen).toEqual([]);
  });
});
