import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projects } from '../../src/store/schema';
import { feishuCardText, openIdOf, startFeishuHandoff } from '../helpers/feishu-chat';
import { COMMERCIAL_FORM, COMMERCIAL_OK, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const REG = 'HO-2026-0001';

describe('the whole process on Feishu (real SDK, fake Open API)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());

  it('project: card forms and commands from registration to the news post and a support request', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', `${SIGNED_PAID} operated=yes`);
    await chat.click('zhao.biz', COMMERCIAL_OK, { ...COMMERCIAL_FORM, outsourcing: 'yes' });
    await chat.click('sun.director', '立项并指派', { pm: 'zhou.pm', feasibility: '可行', risk: '可控' });
    await chat.click('zhao.biz', '外采已完成', { note: 'OCR 模块已到货' });
    // Multi-select answers arrive as lists from Feishu's multi_select_static.
    await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/c',
      method: 'customer',
      customization: [],
      integration: 'no',
    });
    await chat.click('zhou.pm', '指派', { implementers: ['zheng.impl'] });
    const refused = await chat.click('zheng.impl', '提交', { regno: '', svn: 'svn://r', products: '标准版' });
    expect(refused.toast).toMatchObject({ type: 'error', content: expect.stringContaining('缺少「项目实施登记号」') });
    await chat.click('zheng.impl', '提交', { regno: REG, svn: 'svn://r', products: '标准版' });
    await chat.click('zhou.pm', '通过');
    await chat.click('zhao.biz', '通过');
    await chat.click('feng.prod', '发放', { standard: 'https://dl/s', custom: '', licence: '' });
    expect(feishuCardText(chat.lastCard('zheng.impl'))).toContain('https://dl/s');

    // A defect and a cloud order on the way, from the card's buttons and by command.
    await chat.click('zheng.impl', '发起产品缺陷');
    await chat.click('zheng.impl', '发起产品缺陷', { title: '导出乱码', link: '' });
    await chat.click('sun.qa', '确认是缺陷');
    await chat.click('qian.rd', '已修复', { note: '编码改为 UTF-8' });
    await chat.click('feng.prod', '发放新版本', { version: '3.0.2', link: 'https://dl/302' });
    await chat.say('wang.sales', `/cloud-order ${REG} products=电子签章 licences=100户 payment=已付`);
    await chat.click('zhao.biz', '审核通过，指派客户成功部');
    await chat.click('he.cs', '已处理', { note: '已开通' });

    for (const cmd of [
      'checklist=https://d/check',
      'mode=onsite service_form=https://svn/scan',
      'date=2026-03-20',
      'cs_handover_request link=https://d/cs',
    ]) {
      await chat.say('zheng.impl', `/submit ${REG} ${cmd}`);
    }
    await chat.click('han.cshead', '通过');
    for (const cmd of [
      'trial_run date=2026-03-21',
      'training date=2026-03-22',
      'date=2026-03-25',
      'report=https://d/report',
    ]) {
      await chat.say('zheng.impl', `/submit ${REG} ${cmd}`);
    }
    await chat.say('zheng.impl', `/docs ${REG}`);
    expect(feishuCardText(chat.lastCard('zheng.impl'))).toContain('验收资料 3/7');
    await chat.click('zheng.impl', '提交《项目实施方案》', { link: 'https://docs/4' });
    // The checklist card was updated in place (PATCH) after the submission.
    expect(feishuCardText(chat.lastCard('zheng.impl'))).toContain('验收资料 4/7');
    for (const d of [5, 6, 7]) await chat.say('zheng.impl', `/doc ${REG} ${d} https://docs/${d}`);
    await chat.click('zheng.impl', '申请移交');
    await chat.click('lv.ops', '接收移交');
    const news = fake.messagesTo('oc_news');
    expect(news).toHaveLength(1);
    expect(news[0]?.receive_id_type).toBe('chat_id');
    expect(feishuCardText(news[0]?.content)).toContain('项目已完成移交');
    expect(env.h.db.select().from(projects).get()?.state).toBe('closed');

    await chat.say('lv.ops', `/support ${REG} 客户现场打印异常`);
    await chat.click('tang.opsmgr', '指派', { pm: 'zhou.pm' });
    await chat.click('zhou.pm', '已解决', { note: '已远程修复' });
    await chat.say('wang.sales', `/status ${REG}`);
    const status = feishuCardText(chat.lastCard('wang.sales'));
    // `#` is escaped in Feishu markdown (&#35;): user text never becomes markup.
    for (const s of [
      '产品缺陷 &#35;1：导出乱码',
      '售后支持请求 &#35;3：客户现场打印异常',
      '审核运营交接（客户成功部负责人）',
    ]) {
      expect(status).toContain(s);
    }
  });

  it('saas: the hand-over news goes to the configured Feishu group chat', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', SIGNED_PAID.replace('kind=project', 'kind=saas'));
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('ma.support', '确认需求', { need: '开通签章', integration: 'no' });
    // A cloud order and a defect reported by 售后支持组 on the way.
    await chat.say('wang.sales', `/cloud-order ${REG} products=电子签章 licences=100户 payment=已付`);
    await chat.click('zhao.biz', '审核通过，指派客户成功部');
    await chat.click('he.cs', '已处理', { note: '已开通' });
    await chat.say('ma.support', `/defect ${REG} 签署页空白`);
    await chat.click('sun.qa', '确认是缺陷');
    await chat.click('qian.rd', '已修复', { note: '修复渲染' });
    await chat.click('feng.prod', '发放新版本', { version: '1.0.1', link: 'https://dl/101' });
    expect(chat.texts('ma.support').some((t) => t.includes('签署页空白'))).toBe(true);
    await chat.click('ma.support', '接管');
    const news = fake.messagesTo('oc_news');
    expect(news).toHaveLength(1);
    expect(feishuCardText(news[0]?.content)).toContain('项目已完成移交');
    expect(env.h.db.select().from(projects).get()?.state).toBe('closed');
    await chat.say('lv.ops', `/support ${REG} 签章失败`);
    await chat.click('tang.opsmgr', '指派', {});
    expect(chat.buttons('zhou.pm')).toContain('已解决');
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
