import { afterEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/store/schema';
import { startDingtalkHandoff } from '../helpers/dingtalk-chat';
import type { FakeWecom } from '../helpers/fake-wecom';
import { feishuCardText, startFeishuHandoff } from '../helpers/feishu-chat';
import { COMMERCIAL_TYPED, createTestHandoff, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';
import { startFakeWecomFor, WecomChat, wecomConfig, withWecomIds } from '../helpers/wecom-chat';

const REG = 'HO-2026-0001';
const HOLDER = ['同意', '更多操作', '驳回', '抄送', '评论'];

describe('approval operations on Feishu (real SDK, fake Open API)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>> | undefined;
  afterEach(() => env?.stop());

  it('transfer from the 更多操作 card: the new holder gets the card, the old copy is PATCHed read-only', async () => {
    env = await startFeishuHandoff();
    const { chat, fake } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const leadCard = chat.cards('li.lead').at(-1)?.messageId;
    await chat.click('li.lead', '更多操作');
    expect(feishuCardText(chat.lastCard('li.lead'))).toContain('转交、加签、退回或撤销同意');
    const ack = await chat.click('li.lead', '转交', { person: 'zhao.biz', note: '出差' });
    expect(JSON.stringify(ack)).toContain('已转交给 赵商务');
    expect(chat.buttons('zhao.biz')).toEqual(HOLDER);
    const patched = fake.updates.filter((u) => u.messageId === leadCard).at(-1);
    expect(feishuCardText(patched?.content)).toContain('已由 李主管 转交给 赵商务（出差），此卡片仅供查看');
    expect(JSON.stringify(patched?.content)).not.toContain('"同意"');
    await chat.say('zhao.biz', `/approve ${REG}`);
    expect(chat.buttons('yang.huiyu')).toEqual(HOLDER);
  });

  it('send back and add a signer (会签) by command: every copy shows the result in place', async () => {
    env = await startFeishuHandoff();
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.say('yang.huiyu', `/加签 ${REG} 陈售前 with`);
    expect(chat.buttons('chen.presales')).toEqual(HOLDER);
    await chat.click('chen.presales', '同意');
    await chat.say('yang.huiyu', `/退回 ${REG} 1 合同附件不全`);
    expect(chat.lastText('yang.huiyu')).toContain('已退回至「销售主管审批」');
    expect(chat.buttons('li.lead')).toEqual(HOLDER);
    expect(feishuCardText(chat.lastCard('wang.sales'))).toContain('退回至「销售主管审批」：合同附件不全');
    await chat.click('li.lead', '同意');
    // The step sent back decides again, its signer too.
    expect(chat.buttons('yang.huiyu')).toEqual(HOLDER);
    expect(chat.buttons('chen.presales')).toEqual(HOLDER);
  });
});

describe('approval operations on DingTalk (stream client, fake OpenAPI)', () => {
  let env: Awaited<ReturnType<typeof startDingtalkHandoff>> | undefined;
  afterEach(() => env?.stop());

  it('transfer and send back by command; cards are updated by key', async () => {
    env = await startDingtalkHandoff();
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('li.lead', `/转交 ${REG} 赵商务 出差`);
    expect(await chat.waitForText('li.lead', '已转交给 赵商务')).toBeTruthy();
    expect(chat.buttons('zhao.biz')).toEqual(HOLDER);
    expect(chat.buttons('li.lead')).toEqual([]);
    expect(chat.body('li.lead')).toContain('转交给 赵商务（出差），此卡片仅供查看');
    await chat.click('zhao.biz', '同意');
    await chat.say('yang.huiyu', `/sendback ${REG} 1 请补充合同`);
    expect(await chat.waitForText('yang.huiyu', '已退回至「销售主管审批」')).toBeTruthy();
    expect(chat.buttons('zhao.biz')).toEqual(HOLDER);
    const actions = env.h.db
      .select()
      .from(auditLog)
      .all()
      .map((a) => a.action);
    expect(actions).toEqual(['register', 'transfer', 'approve', 'sendback']);
  });
});

describe('approval operations on WeCom (encrypted callbacks, template cards)', () => {
  let fake: FakeWecom;
  let h: ReturnType<typeof createTestHandoff>;
  afterEach(async () => {
    await h?.stop();
    await fake?.close();
  });

  it('transfer and send back by command; the new holder gets a button card', async () => {
    fake = await startFakeWecomFor();
    h = createTestHandoff({ org: withWecomIds(), localUi: false, wecom: wecomConfig(fake.baseUrl) });
    const { url } = await h.listen();
    const chat = new WecomChat(fake, url, h.clock, () => h.flush());
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    // WeCom cards hold no inputs: the 更多操作 card says what to type.
    await chat.click('zhao.biz', '更多操作');
    expect(chat.cardText('zhao.biz')).toContain(`/transfer ${REG} [任务编号] <人员> [说明]`);
    await chat.say('zhao.biz', `/transfer ${REG} 陈售前 请代为审核`);
    expect(await chat.waitForText('zhao.biz', '已转交给 陈售前')).toBeTruthy();
    expect(chat.cardText('chen.presales')).toContain('商务审核');
    await chat.say('chen.presales', `/approve ${REG} ${COMMERCIAL_TYPED}`);
    expect(await chat.waitForText('chen.presales', '已同意')).toBeTruthy();
    await chat.say('sun.director', `/sendback ${REG} 2 特批依据不足`);
    expect(await chat.waitForText('sun.director', '已退回至「特批领导审批」')).toBeTruthy();
    expect(chat.buttons('yang.huiyu')).toContain('同意');
    const actions = h.db
      .select()
      .from(auditLog)
      .all()
      .map((a) => a.action);
    expect(actions.slice(-3)).toEqual(['transfer', 'approve', 'sendback']);
  });
});
