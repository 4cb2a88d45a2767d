import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox, projects } from '../../src/store/schema';
import { FakeClock } from '../helpers/fake-clock';
import { cardText, createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

const DAY = 86_400_000;
const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const REG = 'HO-2026-0001';

describe('delivery lifecycle through the local platform', () => {
  let h: ReturnType<typeof createTestHandoff>;
  afterEach(() => h?.stop());

  function reminderTexts(chat: LocalChat, user: string): string[] {
    return chat
      .cards(user)
      .filter((c) => c.card.header.title === '验收资料逾期提醒')
      .map((c) => cardText(c.card));
  }

  it('takes a project from registration to the handover news, with reminders that escalate and never repeat', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-life-')), 'h.db');
    const clock = new FakeClock(new Date('2026-03-02T02:00:00Z'));
    h = createTestHandoff({ databasePath, clock });
    let chat = new LocalChat(h);

    // Approval: signed and paid → commercial review → the project director's setup (立项) assigns the PM.
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', '审核通过', { outsourcing: 'no' });
    const setup = chat.lastCard('sun.director');
    expect(setup.forms[0]?.fields.map((f) => [f.name, f.initial])).toEqual([
      ['pm', 'zhou.pm'],
      ['feasibility', undefined],
      ['risk', undefined],
    ]);
    await chat.click('sun.director', '立项并指派', { pm: 'zhou.pm', feasibility: '方案可行', risk: '工期紧' });
    expect(cardText(chat.lastCard('zhou.pm'))).toContain('请处理：需求确认');

    // Requirements: inside-contract customisation goes to the director for review; a rejection comes back.
    const noDetail = await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/confirm',
      customization: 'in_contract',
    });
    expect(noDetail.toast?.text).toContain('缺少「《需求清单及跟进表》或工作量评估链接」');
    await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/confirm',
      customization: 'in_contract',
      detail: 'https://d/list',
    });
    await chat.click('sun.director', '驳回', { reason: '清单缺少接口需求' });
    expect(cardText(chat.lastCard('zhou.pm'))).toContain('清单缺少接口需求');
    await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/confirm',
      customization: 'in_contract',
      detail: 'https://d/list2',
    });
    await chat.say('sun.director', `/approve ${REG}`);
    expect(chat.lastText('sun.director')).toContain('已通过');

    // Implementers, then product pickup: registration number and SVN path are required.
    await chat.click('zhou.pm', '指派实施人员', { implementers: '郑工' });
    const noReg = await chat.click('zheng.impl', '提交产品领取单', { svn: 'svn://repo/p1' });
    expect(noReg.toast?.text).toContain('缺少「项目实施登记号」');
    const wrongReg = await chat.click('zheng.impl', '提交产品领取单', { regNo: 'HO-2026-0099', svn: 'svn://repo/p1' });
    expect(wrongReg.toast?.text).toContain('项目实施登记号不符');
    await chat.click('zheng.impl', '提交产品领取单', { regNo: REG, svn: 'svn://repo/p1' });
    await chat.click('zhou.pm', '通过');
    await chat.click('zhao.biz', '通过');
    await chat.click('feng.prod', '发放产品与授权', { standard: 'https://dl/std', licence: 'https://dl/lic' });
    const issued = cardText(chat.lastCard('zheng.impl'));
    expect(issued).toContain('产品下载路径与授权文件已发放');
    expect(issued).toContain('https://dl/std');

    // The checklist: document 1 (产品领取单) is filled by the pickup; the PM moves one due date.
    await chat.say('zheng.impl', `/docs ${REG}`);
    expect(chat.lastCard('zheng.impl').blocks[0]).toMatchObject({ type: 'checklist', title: '验收资料 1/7' });
    await chat.say('zhou.pm', `/due ${REG} 7 2026-06-30`);
    expect(chat.lastText('zhou.pm')).toContain('已更新');
    await chat.say('zheng.impl', `/due ${REG} 6 2026-06-30`);
    expect(chat.lastText('zheng.impl')).toContain('只有该项目的区域项目经理');

    // Thirty-one days later five documents are overdue: one reminder for the owner only.
    clock.advance(31 * DAY);
    expect(await h.remind()).toEqual({ reminders: 1, nudges: 0 });
    await h.flush();
    const first = reminderTexts(chat, 'zheng.impl');
    expect(first).toHaveLength(1);
    expect(first[0]).toContain('《客户服务单》已逾期 1 天');
    expect(first[0]).not.toContain('实施基本信息登记表');
    expect(reminderTexts(chat, 'zhou.pm')).toHaveLength(0);
    // Two overlapping ticks the same day send nothing more.
    expect(await Promise.all([h.remind(), h.remind()])).toEqual([
      { reminders: 0, nudges: 0 },
      { reminders: 0, nudges: 0 },
    ]);

    // A restart between ticks: state is in SQLite, so the same day still sends nothing.
    await h.stop();
    h = createTestHandoff({ databasePath, clock });
    chat = new LocalChat(h);
    expect(await h.remind()).toEqual({ reminders: 0, nudges: 0 });

    // Three days overdue: the regional PM is told too; seven days: the project director.
    clock.advance(2 * DAY);
    await h.remind();
    await h.flush();
    expect(reminderTexts(chat, 'zhou.pm')).toHaveLength(1);
    expect(reminderTexts(chat, 'sun.director')).toHaveLength(0);
    clock.advance(4 * DAY);
    await h.remind();
    await h.flush();
    expect(reminderTexts(chat, 'sun.director')[0]).toContain('已逾期 7 天');

    // /remind lets the PM nudge now, even on a day that already had its reminder.
    await chat.say('zhou.pm', `/remind ${REG}`);
    expect(chat.lastText('zhou.pm')).toContain('已催办');
    expect(reminderTexts(chat, 'zheng.impl').length).toBeGreaterThanOrEqual(1);

    // Handover is refused until all seven are in.
    await chat.say('zheng.impl', `/handover ${REG}`);
    expect(chat.lastText('zheng.impl')).toContain('验收资料未齐全，还缺');
    for (const d of [2, 3, 4, 5, 6]) await chat.say('zheng.impl', `/doc ${REG} ${d} https://docs/${d}`);
    await chat.say('zheng.impl', `/docs ${REG}`);
    await chat.click('zheng.impl', '提交《实施基本信息登记表》', { link: 'https://docs/7' });
    expect(chat.lastText('zheng.impl')).toContain('七项验收资料已齐全');
    await chat.click('zheng.impl', '申请移交', { operated: 'no' });

    // After-sales rejects once, then approves: the project closes and the news goes to the group chat.
    await chat.click('lv.ops', '驳回', { reason: '客户服务单缺少签字' });
    expect(cardText(chat.lastCard('zheng.impl'))).toContain('客户服务单缺少签字');
    await chat.say('zheng.impl', `/handover ${REG}`);
    await chat.click('lv.ops', '通过');
    const news = h.local?.conversation('handover_news') ?? [];
    expect(news).toHaveLength(1);
    const post = news[0]?.content;
    expect(post?.kind === 'card' && cardText(post.card)).toContain('项目已完成移交：北方智慧园区');
    expect(post?.kind === 'card' && cardText(post.card)).toContain('区域项目经理 周经理（北方），实施 郑工');
    expect(h.db.select().from(projects).get()?.state).toBe('closed');

    // /status shows the whole timeline, with how long each stage waited.
    await chat.say('wang.sales', `/status ${REG}`);
    const timeline = cardText(chat.lastCard('wang.sales'));
    for (const step of [
      '需求确认',
      '指派实施人员',
      '产品领取单审核（商务）',
      '发放产品与授权',
      '移交审核（售后运维部）',
    ]) {
      expect(timeline).toContain(step);
    }
    expect(timeline).toMatch(/等待 3[0-9] 天/);
    expect(chat.buttons('zheng.impl')).toEqual([]);
  });

  it('SaaS: customer success takes it in; without integration it goes straight to after-sales and the news', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', SIGNED_PAID.replace('kind=project', 'kind=saas'));
    await chat.click('zhao.biz', '审核通过', { outsourcing: 'no' });
    await chat.click('he.cs', '受理', { integration: 'no' });
    await chat.click('lv.ops', '通过');
    expect(h.local?.conversation('handover_news')).toHaveLength(1);
    expect(chat.lastText('wang.sales')).toContain('已完成移交');
  });

  it('SaaS with integration: the project department (director → regional PM → implementers) takes it on', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say(
      'wang.sales',
      SIGNED_PAID.replace('kind=project', 'kind=saas').replace('region=north', 'region=south'),
    );
    await chat.click('zhao.biz', '审核通过', { outsourcing: 'no' });
    await chat.click('he.cs', '受理', { integration: 'yes' });
    await chat.click('sun.director', '指派区域项目经理', {});
    expect(cardText(chat.lastCard('wu.pm'))).toContain('请处理：指派实施人员');
    await chat.click('wu.pm', '指派实施人员', { implementers: 'nobody' });
    expect(chat.buttons('wu.pm')).toContain('指派实施人员');
    await chat.click('wu.pm', '指派实施人员', { implementers: 'zheng.impl' });
    expect(chat.buttons('zheng.impl')).toContain('提交产品领取单');
  });

  it('out-of-contract customisation needs the responsible sales to confirm the workload', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', '审核通过', { outsourcing: 'yes' });
    await chat.click('sun.director', '立项并指派', { pm: 'zhou.pm' });
    await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/c',
      customization: 'out_of_contract',
      detail: 'https://d/estimate',
    });
    expect(chat.buttons('wang.sales')).toContain('确认');
    await chat.click('wang.sales', '确认');
    expect(cardText(chat.lastCard('zhou.pm'))).toContain('已登记定制化需求任务申请');
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
