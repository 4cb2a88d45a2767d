import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, projects } from '../../src/store/schema';
import { CARD_CALLBACK_SECRET, startDingtalkHandoff } from '../helpers/dingtalk-chat';
import { type Delivery, signedCardCallback, signedDelivery } from '../helpers/dingtalk-deliveries';
import { REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * Issue 10, finding 8 (DingTalk): HTTP card callbacks go to the URL registered under the card route key
 * (`/v1.0/card/callbacks/register` with its own apiSecret) and carry `x-ddpaas-signature*` from that secret — not the
 * robot-message signature. The bot registers its URL at start-up; the fake card platform signs clicks with what was
 * registered; forgeries are refused with nothing moved.
 */
describe('DingTalk HTTP card callbacks (route key + apiSecret, real HTTP both ways)', () => {
  let env: Awaited<ReturnType<typeof startDingtalkHandoff>>;
  beforeEach(async () => {
    env = await startDingtalkHandoff({ cardCallbacks: 'http' });
  });
  afterEach(() => env.stop());

  const audit = () =>
    env.h.db
      .select()
      .from(auditLog)
      .all()
      .map((a) => a.action);

  it('registers its callback URL with the secret at start-up; a click signed by the card platform moves the step', async () => {
    const { chat, fake, h } = env;
    const route = fake.callbackRoutes().get('handoff-cards');
    expect(route?.apiSecret).toBe(CARD_CALLBACK_SECRET);
    expect(route?.callbackUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dingtalk\/cards$/);

    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = chat.cards('li.lead')[0];
    expect(card?.body).toMatchObject({ callbackType: 'HTTP', callbackRouteKey: 'handoff-cards' });
    const ack = await chat.click('li.lead', '同意');
    expect(ack.code).toBe(200);
    // The clicked card is updated inline in the HTTP answer, every copy by the update API, and the clicker is told.
    expect(ack.data).toMatchObject({ response: { cardData: { cardParamMap: expect.any(Object) } } });
    // Only 更多操作 is left: 撤销同意 until the next holder acts.
    expect(chat.buttons('li.lead')).toEqual(['更多操作']);
    expect(await chat.waitForText('li.lead', '已同意')).toContain('销售主管审批');
    expect(h.db.select().from(projects).get()?.stepIndex).toBe(1);
    expect(audit()).toEqual(['register', 'approve']);
  });

  it('refuses forged clicks with 401: no signature, a guessed secret, the robot signature, a stale or reused timestamp', async () => {
    const { chat, h } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const { payload } = chat.clickPayload('li.lead', '同意');
    const url = env.fake.callbackRoutes().get('handoff-cards')?.callbackUrl ?? '';
    const now = h.clock.now().getTime();
    const body = JSON.stringify(payload);
    const genuine = signedCardCallback(payload, { secret: CARD_CALLBACK_SECRET, timestamp: now });
    const forgeries: [string, Delivery][] = [
      ['unsigned', { headers: { 'content-type': 'application/json' }, body }],
      ['guessed secret', signedCardCallback(payload, { secret: 'a-guessed-api-secret', timestamp: now })],
      ['robot signature', signedDelivery(payload, { secret: 'ding-secret', timestamp: now })],
      ['robot secret as apiSecret', signedCardCallback(payload, { secret: 'ding-secret', timestamp: now })],
      ['stale', signedCardCallback(payload, { secret: CARD_CALLBACK_SECRET, timestamp: now - 10 * 60_000 })],
      [
        'signature of another time',
        { ...genuine, headers: { ...genuine.headers, 'x-ddpaas-signature-timestamp': String(now - 1000) } },
      ],
    ];
    const versionBefore = h.db.select().from(projects).get()?.version;
    const textsBefore = chat.texts('li.lead').length;
    for (const [name, d] of forgeries) {
      const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body });
      expect(res.status, name).toBe(401);
      expect(await res.json(), name).toMatchObject({ error: 'verification failed' });
    }
    // The robot-message URL does not take card clicks either, even with a valid robot signature.
    const robotUrl = url.replace('/dingtalk/cards', '/dingtalk/callback');
    const viaRobot = signedDelivery(payload, { secret: 'ding-secret', timestamp: now });
    expect((await fetch(robotUrl, { method: 'POST', headers: viaRobot.headers, body })).status).toBe(404);
    await h.flush();
    expect(h.db.select().from(projects).get()?.version).toBe(versionBefore);
    expect(audit()).toEqual(['register']);
    expect(chat.texts('li.lead')).toHaveLength(textsBefore);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);

    // The genuine click still works afterwards, and a replay of the very same request is a duplicate.
    const first = await fetch(url, { method: 'POST', headers: genuine.headers, body });
    expect(first.status).toBe(200);
    await h.flush();
    const replay = await fetch(url, { method: 'POST', headers: genuine.headers, body });
    expect(replay.status).toBe(200);
    await h.flush();
    expect(audit()).toEqual(['register', 'approve']);
    expect(h.db.select().from(projects).get()?.stepIndex).toBe(1);
  });
});
