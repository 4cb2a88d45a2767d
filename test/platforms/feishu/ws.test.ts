import { afterEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { FeishuAdapter } from '../../../src/platforms/feishu/adapter';
import type { LongConnection } from '../../../src/platforms/feishu/ws';
import type { AckReply, InboundEvent } from '../../../src/platforms/types';
import { silentLogger } from '../../../src/shared/logger';
import { type FakeFeishuWs, startFakeFeishuWs } from '../../helpers/fake-feishu-ws';
import { cardActionEvent, textMessageEvent } from '../../helpers/feishu-deliveries';

const APP = { appId: 'cli_0123456789abcdef', appSecret: 'ws-secret' };
const resultCard: CardModel = {
  header: { title: '已同意', color: 'green' },
  blocks: [{ type: 'markdown', text: 'done' }],
  actions: [],
  forms: [],
};

let fake: FakeFeishuWs | undefined;
let conn: LongConnection | undefined;

afterEach(async () => {
  await conn?.stop();
  await fake?.close();
  conn = undefined;
  fake = undefined;
});

function adapter(baseUrl: string, appId = APP.appId): FeishuAdapter {
  return new FeishuAdapter({ appId, appSecret: APP.appSecret, baseUrl, clock: () => new Date(), logger: silentLogger });
}

describe('FeishuAdapter.startLongConnection', () => {
  it('connects, feeds messages and card actions to the handler, and acks with the rendered reply', async () => {
    const ws = await startFakeFeishuWs();
    fake = ws;
    const seen: InboundEvent[] = [];
    const handler = async (ev: InboundEvent): Promise<AckReply> => {
      seen.push(ev);
      return ev.kind === 'cardAction' ? { toast: { type: 'success', text: '已同意' }, card: resultCard } : {};
    };
    const a = adapter(ws.baseUrl);
    a.botOpenId = 'ou_bot'; // learned from GET /open-apis/bot/v3/info at start-up (tested in e2e)
    conn = await a.startLongConnection(handler);
    await ws.connected();
    expect(ws.endpointRequests).toEqual([{ AppID: APP.appId, AppSecret: APP.appSecret }]);

    // Over the long connection header.token is empty: no token check applies.
    const msgAck = await ws.push(
      textMessageEvent({
        openId: 'ou_a',
        chatId: 'oc_g',
        chatType: 'group',
        text: '@_user_1 /list',
        mentions: [{ key: '@_user_1', openId: 'ou_bot', name: 'Handoff' }],
        eventId: 'w1',
      }),
    );
    expect(msgAck).toEqual({ code: 200, data: {} });

    const value = { v: 1, type: 'approve', requestId: 'R-9' };
    const cardAck = await ws.push(
      cardActionEvent({ openId: 'ou_b', messageId: 'om_9', chatId: 'oc_9', value, eventId: 'w2' }),
    );
    expect(cardAck.code).toBe(200);
    expect(cardAck.data).toMatchObject({
      toast: { type: 'success', content: '已同意' },
      card: { type: 'raw', data: { schema: '2.0', header: { template: 'green' } } },
    });

    expect(seen).toEqual([
      {
        kind: 'message',
        eventId: 'w1',
        actor: { platform: 'feishu', userId: 'ou_a' },
        chat: { chatId: 'oc_g', type: 'group' },
        messageId: expect.any(String),
        text: '/list',
      },
      {
        kind: 'cardAction',
        eventId: 'w2',
        actor: { platform: 'feishu', userId: 'ou_b' },
        chat: { chatId: 'oc_9', type: 'p2p' },
        messageId: 'om_9',
        value,
      },
    ]);
  });

  it('acks with code 500 when the handler throws, so Feishu can redeliver', async () => {
    const ws = await startFakeFeishuWs();
    fake = ws;
    conn = await adapter(ws.baseUrl).startLongConnection(async () => {
      throw new Error('db down');
    });
    await ws.connected();
    const ack = await ws.push(textMessageEvent({ openId: 'ou_a', chatId: 'oc_p', chatType: 'p2p', text: 'hi' }));
    expect(ack.code).toBe(500);
  });

  it('refuses app ids the SDK would silently ignore', async () => {
    await expect(adapter('http://127.0.0.1:9', 'cli_short').startLongConnection(async () => ({}))).rejects.toThrow(
      /cli_<16 hex chars>/,
    );
  });
});
