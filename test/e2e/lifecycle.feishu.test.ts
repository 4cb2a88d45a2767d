import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projects } from '../../src/store/schema';
import { feishuCardText, openIdOf, startFeishuHandoff } from '../helpers/feishu-chat';
import { REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const REG = 'HO-2026-0001';

describe('delivery lifecycle on Feishu (real SDK, fake Open API)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());

  it('setup, requirements, implementers, pickup and documents are reachable through card forms and commands', async () => {
    const { chat } = env;
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', '审核通过', { outsourcing: 'no' });
    await chat.click('sun.director', '立项并指派', { pm: 'zhou.pm', feasibility: '可行', risk: '' });
    await chat.click('zhou.pm', '提交需求确认', { link: 'https://d/c', customization: 'none', detail: '' });
    await chat.click('zhou.pm', '指派实施人员', { implementers: 'zheng.impl' });
    const refused = await chat.click('zheng.impl', '提交产品领取单', { regNo: '', svn: 'svn://r' });
    expect(refused.toast).toMatchObject({ type: 'error', content: expect.stringContaining('缺少「项目实施登记号」') });
    await chat.click('zheng.impl', '提交产品领取单', { regNo: REG, svn: 'svn://r' });
    await chat.click('zhou.pm', '通过');
    await chat.click('zhao.biz', '通过');
    await chat.click('feng.prod', '发放产品与授权', { standard: 'https://dl/s', custom: '', licence: 'https://dl/l' });
    expect(feishuCardText(chat.lastCard('zheng.impl'))).toContain('https://dl/l');
    await chat.say('zheng.impl', `/docs ${REG}`);
    expect(feishuCardText(chat.lastCard('zheng.impl'))).toContain('验收资料 1/7');
    await chat.click('zheng.impl', '提交《客户服务单》', { link: 'https://docs/2' });
    // The checklist card was updated in place (PATCH) after the submission.
    expect(feishuCardText(chat.lastCard('zheng.impl'))).toContain('验收资料 2/7');
  });

  it('the handover news goes to the configured Feishu group chat', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', SIGNED_PAID.replace('kind=project', 'kind=saas'));
    await chat.click('zhao.biz', '审核通过', { outsourcing: 'no' });
    await chat.click('he.cs', '受理', { integration: 'no' });
    await chat.click('lv.ops', '通过');
    const news = fake.messagesTo('oc_news');
    expect(news).toHaveLength(1);
    expect(news[0]?.receive_id_type).toBe('chat_id');
    expect(feishuCardText(news[0]?.content)).toContain('项目已完成移交');
    expect(env.h.db.select().from(projects).get()?.state).toBe('closed');
  });

  it('the second nudge for a waiting approval buzzes the approver with urgent_app', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    env.h.clock.advance(25 * 3_600_000);
    await env.h.remind();
    expect(fake.urgents).toHaveLength(0);
    env.h.clock.advance(24 * 3_600_000);
    await env.h.remind();
    expect(fake.urgents).toHaveLength(1);
    expect(fake.urgents[0]?.userIds).toEqual([openIdOf('li.lead')]);
  });
});
