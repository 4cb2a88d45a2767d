import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, projects } from '../../src/store/schema';
import { dingIdOf, startDingtalkHandoff } from '../helpers/dingtalk-chat';
import { cardCallback, TOPIC_CARD } from '../helpers/dingtalk-deliveries';
import { COMMERCIAL_FORM, COMMERCIAL_OK, REGISTER_NORTH_UNSIGNED, SETUP_FORM } from '../helpers/handoff';

describe('DingTalk end to end: dingtalk-stream client, fake gateway and OpenAPI', () => {
  let env: Awaited<ReturnType<typeof startDingtalkHandoff>>;
  beforeEach(async () => {
    env = await startDingtalkHandoff();
  });
  afterEach(() => env.stop());

  it('runs the full special-approval chain; every copy of the card is updated by key', async () => {
    const { chat } = env;
    const ack = await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(ack.code).toBe(200);
    expect(chat.texts('wang.sales').join()).toContain('HO-2026-0001');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    await chat.click('li.lead', '同意');
    expect(chat.buttons('li.lead')).toEqual(['更多操作']);
    await chat.click('yang.huiyu', '同意');
    expect(chat.cards('dai.juanxiang')).toHaveLength(0);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', { ...SETUP_FORM, pm: 'zhou.pm' });
    expect(env.h.db.select().from(projects).get()?.state).toBe('accepted');
    expect(chat.body('wang.sales')).toContain('目前「确认需求」由 周经理（北方） 处理');
    for (const u of ['li.lead', 'yang.huiyu', 'zhao.biz']) expect(chat.buttons(u), u).toEqual([]);
    // The director may revoke the acceptance (更多操作 → 撤销同意) while no delivery task has moved.
    expect(chat.buttons('sun.director')).toEqual(['更多操作']);
    // The clicker is told the outcome in a one-to-one message (DingTalk cards have no toast).
    expect(await chat.waitForText('sun.director', '已受理')).toContain('HO-2026-0001');
  });

  it('reject with a reason → the sales person resubmits from the card → the chain restarts', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '驳回', { reason: '缺少报价单' });
    expect(chat.body('wang.sales')).toContain('缺少报价单');
    expect(chat.buttons('wang.sales')).toEqual(['重新提交', '撤回', '评论']);
    await chat.click('wang.sales', '重新提交');
    expect(chat.cards('li.lead')).toHaveLength(2);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
  });

  it('a click by someone who does not hold the step is refused and audited', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = chat.cards('li.lead')[0];
    if (!card) throw new Error('no card');
    // zhao.biz replays li.lead's button on the same card instance.
    await fake.push(
      TOPIC_CARD,
      cardCallback({
        userId: dingIdOf('zhao.biz'),
        outTrackId: card.outTrackId,
        action: card.params.btn1_action ?? '',
      }),
    );
    await env.h.flush();
    expect(await chat.waitForText('zhao.biz', '你不是当前步骤的处理人')).toContain('李主管');
    expect(
      env.h.db
        .select()
        .from(auditLog)
        .all()
        .map((a) => a.action),
    ).toEqual(['register', 'denied']);
  });
});
