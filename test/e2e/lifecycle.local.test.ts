import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox, projects } from '../../src/store/schema';
import { FakeClock } from '../helpers/fake-clock';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardText,
  createTestHandoff,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
} from '../helpers/handoff';

const DAY = 86_400_000;
const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const REG = 'HO-2026-0001';

describe('the whole process through the local platform (PROCESS.md §1–§7)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  afterEach(() => h?.stop());

  function reminderTexts(chat: LocalChat, user: string): string[] {
    return chat
      .cards(user)
      .filter((c) => c.card.header.title === '验收资料逾期提醒')
      .map((c) => cardText(c.card));
  }

  it('project: registration → approvals → delivery with a defect and a cloud order → hand-over news → support', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-life-')), 'h.db');
    const clock = new FakeClock(new Date('2026-03-02T02:00:00Z'));
    h = createTestHandoff({ databasePath, clock });
    let chat = new LocalChat(h);

    // Approval: signed and paid → commercial review → the director's setup (立项) with the region's PM preselected.
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    const setup = chat.lastCard('sun.director');
    expect(setup.forms[0]?.fields.map((f) => [f.name, f.initial])).toEqual([
      ['feasibility', undefined],
      ['risk', undefined],
      ['pm', 'zhou.pm'],
    ]);
    const noRisk = await chat.click('sun.director', '立项并指派', { feasibility: '方案可行' });
    expect(noRisk.toast?.text).toContain('缺少「合同要求与实施落地风险」');
    await chat.click('sun.director', '立项并指派', { feasibility: '方案可行', risk: '工期紧', pm: 'zhou.pm' });
    expect(cardText(chat.lastCard('zhou.pm'))).toContain('请处理：确认需求');

    // Requirements with inside-contract customisation: list → director → PM, product and R&D confirm.
    const noLink = await chat.click('zhou.pm', '提交需求确认', { method: 'roundtable', integration: 'no' });
    expect(noLink.toast?.text).toContain('缺少「《需求确认单》链接」');
    await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/confirm',
      method: 'roundtable',
      customization: ['in_contract'],
      integration: 'no',
    });
    await chat.click('zhou.pm', '提交', { link: 'https://d/list' });
    await chat.click('sun.director', '通过');
    await chat.click('zhou.pm', '确认方案');
    await chat.click('feng.prod', '驳回', { reason: '清单缺少接口需求' });
    expect(cardText(chat.lastCard('zhou.pm'))).toContain('清单缺少接口需求');
    await chat.say('zhou.pm', `/submit ${REG} link=https://d/list2`);
    await chat.say('sun.director', `/approve ${REG}`);
    expect(chat.lastText('sun.director')).toContain('已通过');
    for (const who of ['zhou.pm', 'feng.prod', 'qian.rd']) await chat.click(who, '确认方案');

    // Implementers, then the product pickup: registration number and SVN path are required.
    await chat.click('zhou.pm', '指派', { implementers: ['zheng.impl'] });
    const pickup = { svn: 'svn://repo/p1', products: '标准版 3.0' };
    const noReg = await chat.click('zheng.impl', '提交', pickup);
    expect(noReg.toast?.text).toContain('缺少「项目实施登记号」');
    const wrongReg = await chat.click('zheng.impl', '提交', { ...pickup, regno: 'HO-2026-0099' });
    expect(wrongReg.toast?.text).toContain('项目实施登记号不符');
    await chat.click('zheng.impl', '提交', { ...pickup, regno: REG });
    await chat.click('zhou.pm', '通过');
    await chat.click('zhao.biz', '通过');
    await chat.click('feng.prod', '发放', { standard: 'https://dl/std' });
    expect(cardText(chat.lastCard('zheng.impl'))).toContain('https://dl/std');

    // A defect found in verification: 测试组 → R&D → product management; the raiser is told.
    await chat.say('zheng.impl', `/defect ${REG} 登录页超时 link=https://bug/1`);
    expect(chat.lastText('zheng.impl')).toContain('已发起产品缺陷 #1');
    await chat.click('sun.qa', '确认是缺陷');
    await chat.click('qian.rd', '已修复', { note: '修复会话过期' });
    await chat.click('feng.prod', '发放新版本', { version: '3.0.1', link: 'https://dl/301' });
    expect(chat.texts('zheng.impl').some((t) => t.includes('产品缺陷 #1：登录页超时 已处理完成'))).toBe(true);

    // A cloud-product order by sales: commercial review → customer success.
    await chat.say('wang.sales', `/cloud-order ${REG} products=电子签章 licences="100 户 1 年" payment=已付清`);
    await chat.click('zhao.biz', '审核通过，指派客户成功部');
    await chat.click('he.cs', '已处理', { note: '已开通' });

    // Verification, implementation (客户服务单 = document 2), milestones, acceptance (用户验收报告 = document 3).
    await chat.say('zheng.impl', `/submit ${REG} checklist=https://d/check`);
    await chat.say('zheng.impl', `/submit ${REG} mode=remote service_form=https://mail/confirm`);
    await chat.say('zheng.impl', `/submit ${REG} date=2026-03-20`);
    await chat.say('zheng.impl', `/submit ${REG} date=2026-03-21`);
    expect(chat.lastText('zheng.impl')).toContain('你有多项待提交的任务');
    await chat.say('zheng.impl', `/submit ${REG} trial_run date=2026-03-21`);
    await chat.say('zheng.impl', `/submit ${REG} training date=2026-03-22`);
    await chat.say('zheng.impl', `/submit ${REG} date=2026-03-25`);
    await chat.say('zheng.impl', `/submit ${REG} acceptance report=https://d/report`);
    await chat.say('zheng.impl', `/docs ${REG}`);
    expect(chat.lastCard('zheng.impl').blocks[0]).toMatchObject({ type: 'checklist', title: '验收资料 3/7' });
    await chat.say('zheng.impl', `/doc ${REG} 1 https://d/x`);
    expect(chat.lastText('zheng.impl')).toContain('由「发放产品与授权」的表单自动登记');

    // Thirty-one days after assignment four documents are overdue: their owners are reminded once a day.
    clock.advance(31 * DAY);
    expect((await h.remind()).reminders).toBe(2);
    await h.flush();
    const first = reminderTexts(chat, 'zheng.impl');
    expect(first).toHaveLength(1);
    expect(first[0]).toContain('《项目实施方案》已逾期 1 天');
    expect(reminderTexts(chat, 'zhou.pm')[0]).toContain('《新增需求清单》已逾期 1 天');
    expect((await Promise.all([h.remind(), h.remind()])).map((r) => r.reminders)).toEqual([0, 0]);
    // A restart between ticks: state is in SQLite, so the same day still sends nothing.
    await h.stop();
    h = createTestHandoff({ databasePath, clock });
    chat = new LocalChat(h);
    expect((await h.remind()).reminders).toBe(0);
    clock.advance(6 * DAY);
    await h.remind();
    await h.flush();
    expect(reminderTexts(chat, 'sun.director')[0]).toContain('已逾期 7 天');

    // The hand-over needs all seven documents.
    await chat.say('zheng.impl', `/handover ${REG}`);
    expect(chat.lastText('zheng.impl')).toContain('验收资料未齐全，还缺：4.《项目实施方案》');
    for (const d of [4, 5, 6]) await chat.say('zheng.impl', `/doc ${REG} ${d} https://docs/${d}`);
    await chat.say('zheng.impl', `/docs ${REG}`);
    await chat.click('zheng.impl', '提交《实施基本信息登记表》', { link: 'https://docs/7' });
    expect(chat.lastText('zheng.impl')).toContain('验收资料已齐全');
    await chat.say('zheng.impl', `/handover ${REG}`);

    // After-sales rejects once, then takes it over: the project closes and the news goes to the group chat.
    await chat.click('lv.ops', '驳回', { reason: '客户服务单缺少签字' });
    expect(cardText(chat.lastCard('zheng.impl'))).toContain('客户服务单缺少签字');
    await chat.say('zheng.impl', `/handover ${REG}`);
    await chat.click('lv.ops', '接收移交');
    const news = h.local?.conversation('handover_news') ?? [];
    expect(news).toHaveLength(1);
    const post = news[0]?.content;
    expect(post?.kind === 'card' && cardText(post.card)).toContain('项目已完成移交：北方智慧园区');
    expect(h.db.select().from(projects).get()?.state).toBe('closed');

    // After the hand-over: a support request goes to the region's PM via the after-sales manager; sales record the final payment.
    await chat.say('lv.ops', `/support ${REG} 客户现场打印异常`);
    await chat.click('tang.opsmgr', '指派', {});
    await chat.click('zhou.pm', '已解决', { note: '已远程修复打印驱动' });
    expect(chat.texts('lv.ops').some((t) => t.includes('售后支持请求 #3：客户现场打印异常 已处理完成'))).toBe(true);
    await chat.say('wang.sales', `/submit ${REG} date=2026-05-01`);
    expect(chat.lastText('wang.sales')).toContain('已提交');

    // /status shows the whole timeline, with sub-flows and how long each stage waited.
    await chat.say('wang.sales', `/status ${REG}`);
    const timeline = cardText(chat.lastCard('wang.sales'));
    for (const step of [
      '确认需求',
      '确认最终方案（产品管理部）',
      '发放产品与授权',
      '产品缺陷 #1',
      '云产品下单申请 #2',
      '审核移交材料（售后运维部）',
    ]) {
      expect(timeline).toContain(step);
    }
    expect(timeline).toMatch(/等待 3[0-9] 天/);
    await chat.say('zheng.impl', '/mine');
    expect(cardText(chat.lastCard('zheng.impl'))).toContain('暂时没有等待你处理的事项');
  });

  it('SaaS without integration: 售后支持组 confirms and takes it over; the news goes out', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', SIGNED_PAID.replace('kind=project', 'kind=saas'));
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('ma.support', '确认需求', { need: '开通电子签章', integration: 'no' });
    await chat.click('ma.support', '接管');
    expect(h.local?.conversation('handover_news')).toHaveLength(1);
    expect(chat.lastText('wang.sales')).toContain('已完成移交');
  });

  it('SaaS with integration: the project department integrates and hands it back; then a support request', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say(
      'wang.sales',
      SIGNED_PAID.replace('kind=project', 'kind=saas').replace('region=north', 'region=south'),
    );
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('ma.support', '确认需求', { need: '需对接 OA', integration: 'yes' });
    await chat.click('sun.director', '指派', {});
    expect(cardText(chat.lastCard('wu.pm'))).toContain('请处理：指派实施人员');
    const unknown = await chat.click('wu.pm', '指派', { implementers: 'nobody' });
    expect(unknown.toast?.text).toContain('「nobody」不是可选的人员');
    await chat.click('wu.pm', '指派', { implementers: ['zheng.impl'] });
    // A defect found in the integration and a cloud order on the way.
    await chat.say('zheng.impl', `/defect ${REG} 签章接口偶发 500`);
    await chat.click('sun.qa', '确认是缺陷');
    await chat.click('qian.rd', '已修复', { note: '修复并发锁' });
    await chat.click('feng.prod', '发放新版本', { version: '2.1.1', link: 'https://dl/211' });
    await chat.say('wang.sales', `/云产品 ${REG} products=电子签章 licences=50户 payment=已付`);
    await chat.click('zhao.biz', '审核通过，指派客户成功部');
    await chat.click('he.cs', '已处理', { note: '已开通' });
    await chat.click('zheng.impl', '提交', { note: '已完成 OA 接口对接' });
    await chat.click('zheng.impl', '申请移交', { link: 'https://d/delivery' });
    await chat.click('ma.support', '接管');
    expect(h.local?.conversation('handover_news')).toHaveLength(1);
    await chat.say('lv.ops', `/support ${REG} 接口偶发超时`);
    await chat.click('tang.opsmgr', '指派', {});
    expect(chat.buttons('wu.pm')).toContain('已解决');
    await chat.say('ma.support', `/status ${REG}`);
    const status = cardText(chat.lastCard('ma.support'));
    for (const s of [
      '产品缺陷 #1：签章接口偶发 500: 已完成',
      '云产品下单申请 #2: 已完成',
      '售后支持请求 #3：接口偶发超时: 处理中',
    ]) {
      expect(status).toContain(s);
    }
  });

  it('nudges approvals past the SLA once a day; the second nudge is urgent', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    h.clock.advance(23 * 3_600_000);
    expect(await h.remind()).toEqual({ reminders: 0, nudges: 0 });
    h.clock.advance(2 * 3_600_000);
    expect(await h.remind()).toEqual({ reminders: 0, nudges: 1 });
    expect(await h.remind()).toEqual({ reminders: 0, nudges: 0 });
    await h.flush();
    expect(cardText(chat.lastCard('li.lead'))).toContain('催办：「销售主管审批」已等待 25 小时');
    h.clock.advance(DAY);
    expect(await h.remind()).toEqual({ reminders: 0, nudges: 1 });
    const payloads = h.db
      .select()
      .from(outbox)
      .all()
      .map((r) => JSON.parse(r.payloadJson) as { urgent?: boolean });
    expect(payloads.filter((p) => p.urgent)).toHaveLength(1);
  });
});
