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
    mounts: [(r) => mountWebhook(r, ['/dingtalk/callback'], adapter, handle)],
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dingtalk/callback`;
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

  it('answers a card click with the inline card update; the toast is left to the outbox', async () => {
    reply = { toast: { type: 'error', text: '驳回原因不能为空' }, card: resultCard };
    const action = buttonAction({ v: 1, type: 'reject', regNo: 'R-1' }, { in1: 'reason' });
    const cb = cardCallback({ userId: 'u-h', outTrackId: 'ot-h', action, params: { in1: '' } });
    const res = await post(signedDelivery(cb, { secret: APP.clientSecret, timestamp: now() }));
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
});
