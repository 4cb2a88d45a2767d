import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { DingtalkAdapter, type StreamConnection } from '../../../src/platforms/dingtalk/adapter';
import type { AckReply, InboundEvent, InboundHandler } from '../../../src/platforms/types';
import { silentLogger } from '../../../src/shared/logger';
import { buttonAction, cardCallback, robotMessage, TOPIC_CARD, TOPIC_ROBOT } from '../../helpers/dingtalk-deliveries';
import { type FakeDingtalk, startFakeDingtalk } from '../../helpers/fake-dingtalk';

const APP = { clientId: 'dingstream', clientSecret: 'stream-secret' };
const resultCard: CardModel = { header: { title: '已同意', color: 'green' }, blocks: [], actions: [], forms: [] };

let fake: FakeDingtalk;
let conn: StreamConnection | undefined;
let seen: InboundEvent[];

beforeEach(async () => {
  fake = await startFakeDingtalk(APP);
  seen = [];
});
afterEach(async () => {
  await conn?.stop();
  conn = undefined;
  await fake.close();
});

function adapter(over: { clientSecret?: string } = {}): DingtalkAdapter {
  return new DingtalkAdapter({
    ...APP,
    ...over,
    robotCode: 'dingrobot',
    cardTemplateId: 'tpl',
    baseUrl: fake.baseUrl,
    gatewayUrl: fake.baseUrl,
    clock: () => new Date(),
    logger: silentLogger,
  });
}

const recording =
  (reply: (ev: InboundEvent) => AckReply = () => ({})): InboundHandler =>
  async (ev) => {
    seen.push(ev);
    return reply(ev);
  };

async function start(handler: InboundHandler = recording()): Promise<void> {
  conn = await adapter().startStream(handler);
  await fake.connected();
}

describe('DingTalk Stream mode through the real dingtalk-stream client', () => {
  it('opens the connection at the configured gateway with our CALLBACK subscriptions', async () => {
    await start();
    expect(fake.gatewayRequests).toEqual([
      {
        clientId: APP.clientId,
        clientSecret: APP.clientSecret,
        ua: expect.stringContaining('dingtalk-stream'),
        subscriptions: [
          { type: 'CALLBACK', topic: TOPIC_ROBOT },
          { type: 'CALLBACK', topic: TOPIC_CARD },
        ],
      },
    ]);
    expect(fake.requests[0]?.headers.accept).toBe('application/json');
  });

  it('feeds a robot message to the handler and acks it with {"response":null}', async () => {
    await start();
    const ack = await fake.push(
      TOPIC_ROBOT,
      robotMessage({ staffId: 'u1', text: ' /list', msgId: 'm1', conversationId: 'cidX', conversationType: '2' }),
      { messageId: 'f1' },
    );
    expect(ack).toEqual({
      code: 200,
      headers: { contentType: 'application/json', messageId: 'f1' },
      message: 'OK',
      data: { response: null },
    });
    expect(seen).toEqual([
      {
        kind: 'message',
        eventId: 'm1',
        actor: { platform: 'dingtalk', userId: 'u1' },
        chat: { chatId: 'cidX', type: 'group' },
        messageId: 'm1',
        text: '/list',
      },
    ]);
  });

  it('feeds a card click and updates the card inside the ack; the toast is left to the outbox', async () => {
    const reply: AckReply = { toast: { type: 'success', text: '已同意' }, card: resultCard };
    await start(recording(() => reply));
    const value = { v: 1, type: 'approve', regNo: 'R-9', round: 1, step: 0 };
    const cb = cardCallback({ userId: 'u-click', outTrackId: 'ot-9', action: buttonAction(value) });
    const ack = await fake.push(TOPIC_CARD, cb, { messageId: 'click-1' });
    expect(ack.code).toBe(200);
    expect(ack.data).toMatchObject({
      response: {
        cardData: { cardParamMap: { title: '已同意', color: 'green', has_actions: 'false' } },
        cardUpdateOptions: { updateCardDataByKey: true },
      },
    });
    expect(seen).toEqual([
      {
        kind: 'cardAction',
        eventId: 'click-1',
        actor: { platform: 'dingtalk', userId: 'u-click' },
        chat: { chatId: 'p2p:u-click', type: 'p2p' },
        messageId: 'ot-9',
        value,
      },
    ]);
    // No message leaves with the ack: the pipeline queues the toast text, in DingTalk's wording.
    expect(fake.textsTo('u-click')).toEqual([]);
    expect(adapter().deferredAck(reply, seen[0] as InboundEvent)).toEqual({ text: '✅ 已同意' });
  });

  it('acks every frame: ping, unknown topics, events, ignored and malformed callbacks; handler errors with 500', async () => {
    let fail = false;
    await start(
      recording(() => {
        if (fail) throw new Error('db down');
        return {};
      }),
    );
    const ping = await fake.ping();
    expect(ping.code).toBe(200);
    expect(ping.data).toEqual({ opaque: expect.any(String) });
    expect((await fake.push('/v1.0/unknown/topic', { x: 1 })).data).toEqual({ response: null });
    expect((await fake.push('*', { any: 1 }, { type: 'EVENT' })).data).toEqual({ status: 'SUCCESS' });
    expect((await fake.push(TOPIC_ROBOT, robotMessage({ staffId: 'u', text: '', msgtype: 'picture' }))).code).toBe(200);
    expect((await fake.push(TOPIC_ROBOT, { msgtype: 'text' })).data).toEqual({ response: null });
    expect((await fake.push(TOPIC_CARD, 'not an object')).code).toBe(200);
    fake.pushRaw('this is not json');
    expect(seen).toEqual([]);
    fail = true;
    expect((await fake.push(TOPIC_ROBOT, robotMessage({ staffId: 'u', text: 'x' }))).code).toBe(500);
    expect((await fake.ping()).code).toBe(200);
    expect(fake.acks.length).toBe(8);
  });

  it('reconnects with a fresh ticket after the socket drops', async () => {
    await start();
    fake.dropConnection();
    await fake.connected(2);
    expect(fake.gatewayRequests).toHaveLength(2);
    expect((await fake.push(TOPIC_ROBOT, robotMessage({ staffId: 'u2', text: 'hi' }))).code).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('refuses to start when the gateway rejects the credentials', async () => {
    await expect(adapter({ clientSecret: 'wrong' }).startStream(recording())).rejects.toThrow(
      /gateway refused: HTTP 401/,
    );
  });
});
