import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROCESS_FILE } from '../../src/config/process-file';
import { auditLog, reminders } from '../../src/store/schema';
import { FakeClock } from '../helpers/fake-clock';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardText,
  createTestHandoff,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  SETUP_FORM,
} from '../helpers/handoff';

const REG = 'HO-2026-0001';
const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const DAY = 86_400_000;

describe('operations around a step through the local platform (issue 13)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  afterEach(() => h?.stop());

  const audit = (action: string) =>
    h.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, action as 'comment'))
      .all();

  it('CC by the process definition: the sales lead gets a read-only set-up card that updates in place', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', SIGNED_PAID);
    expect(chat.cards('li.lead')).toHaveLength(0);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    const [copy] = chat.cards('li.lead');
    expect(copy && cardText(copy.card)).toContain('抄送：「项目总监审核并立项」已开始，由 孙总监 处理');
    expect(chat.buttons('li.lead')).toEqual([]);
    await chat.click('sun.director', '立项并指派', SETUP_FORM);
    // The same message, re-rendered: now in delivery; no new card was sent.
    expect(chat.cards('li.lead')).toHaveLength(1);
    expect(cardText(chat.lastCard('li.lead'))).toContain('HO-2026-0001 · 实施中');
    expect(chat.lastCard('li.lead').header.subtitle).toContain('实施中');
  });

  it('CC by the holder, then comments: the copy updates in place, the holder is told, strangers are refused', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);

    await chat.say('he.cs', `/cc ${REG} 冯产品`);
    expect(chat.lastText('he.cs')).toContain('只有当前处理人可以抄送此项目');
    await chat.say('li.lead', `/cc ${REG} 不存在的人`);
    expect(chat.lastText('li.lead')).toContain('找不到「不存在的人」');
    await chat.say('li.lead', `/抄送 ${REG} 冯产品`);
    expect(chat.lastText('li.lead')).toContain('已抄送给 冯产品');
    await chat.say('li.lead', `/cc ${REG} feng.prod`);
    expect(chat.lastText('li.lead')).toContain('冯产品 已在 HO-2026-0001 的抄送名单中');
    expect(audit('cc')).toHaveLength(1);

    const copies = chat.cards('feng.prod');
    expect(copies).toHaveLength(1);
    expect(cardText(chat.lastCard('feng.prod'))).toContain('李主管 把此项目抄送给你');
    expect(chat.buttons('feng.prod')).toEqual([]);
    expect(cardText(chat.lastCard('feng.prod'))).toContain('李主管 抄送 说明：冯产品');
    await chat.click('li.lead', '同意');
    expect(chat.cards('feng.prod')).toHaveLength(1);
    expect(cardText(chat.lastCard('feng.prod'))).toContain('目前由 杨辉玉（杨总） 处理「特批领导审批（北方）」');

    // The copied person comments by command; the current holder gets the card with it; it is in the history.
    const hostile = '请尽快 <at id=all></at> **加粗**';
    await chat.say('feng.prod', `/评论 ${REG} ${hostile}`);
    expect(chat.lastText('feng.prod')).toContain('已评论 HO-2026-0001，已通知当前处理人 杨辉玉（杨总）');
    const toHolder = chat.lastCard('yang.huiyu');
    // The ask line stays on top (the holder still has the step); the comment is the note under it.
    expect(toHolder.blocks[0]).toMatchObject({ type: 'ask', todo: true });
    expect(toHolder.blocks[1]).toEqual({ type: 'note', text: `评论：冯产品：${hostile}` });
    const history = toHolder.blocks.find((b) => b.type === 'history');
    expect(history?.type === 'history' && history.entries.at(-1)).toMatchObject({
      who: '冯产品',
      what: '评论',
      note: { label: '内容', text: hostile },
    });
    // /status shows it too, and every live copy (the submitter's, the CC copy) was refreshed with it.
    await chat.say('wang.sales', `/status ${REG}`);
    expect(cardText(chat.lastCard('wang.sales'))).toContain(`冯产品 评论 内容：${hostile}`);
    expect(cardText(chat.lastCard('feng.prod'))).toContain(`冯产品 评论 内容：${hostile}`);

    // The holder comments from the card's text input.
    const ack = await chat.click('yang.huiyu', '评论', { comment_text: '已看到，今天处理' });
    expect(ack.toast).toMatchObject({ type: 'success' });
    expect(audit('comment').map((r) => [r.actorId, r.reason])).toEqual([
      ['feng.prod', hostile],
      ['yang.huiyu', '已看到，今天处理'],
    ]);

    await chat.say('he.cs', `/comment ${REG} 路过`);
    expect(chat.lastText('he.cs')).toContain('只有参与 HO-2026-0001 的人');
    expect(audit('comment')).toHaveLength(2);
    expect(audit('denied').map((r) => r.reason)).toEqual(['attempted comment']);
    await chat.say('feng.prod', `/comment ${REG}`);
    expect(chat.lastText('feng.prod')).toContain('缺少评论内容');
  });

  it('urge: the submitter, once per step per day, with a clear answer when refused', async () => {
    const clock = new FakeClock();
    h = createTestHandoff({ clock });
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('li.lead', `/urge ${REG}`);
    expect(chat.lastText('li.lead')).toContain('只有 HO-2026-0001 的登记人可以催促处理人');

    await chat.say('wang.sales', `/urge ${REG}`);
    expect(chat.lastText('wang.sales')).toBe('已催办「销售主管审批」（李主管）。');
    expect(chat.lastCard('li.lead').blocks[0]).toEqual({
      type: 'ask',
      todo: true,
      text: '催办：登记人 王销售 催促你尽快处理「销售主管审批」。',
    });
    expect(cardText(chat.lastCard('li.lead'))).toContain('王销售 催办 说明：「销售主管审批」（李主管）');
    const leadCards = chat.cards('li.lead').length;
    await chat.say('wang.sales', `/urge ${REG}`);
    expect(chat.lastText('wang.sales')).toBe('今天已经催办过「销售主管审批」，每个步骤每天只能催办一次，请明天再试。');
    // The submitter's 催办 (/remind) is the same urge, under the same limit; so is the card's button.
    await chat.say('wang.sales', `/催办 ${REG}`);
    expect(chat.lastText('wang.sales')).toContain('今天已经催办过');
    const ack = await chat.click('wang.sales', '催办');
    expect(ack.toast).toMatchObject({ type: 'error', text: expect.stringContaining('每天只能催办一次') });
    expect(chat.cards('li.lead')).toHaveLength(leadCards);
    expect(audit('urge')).toHaveLength(1);
    expect(h.db.select().from(reminders).where(eq(reminders.kind, 'urge')).all()).toHaveLength(1);

    // The next day it may urge again; a new step may be urged the same day.
    clock.advance(DAY);
    await chat.click('wang.sales', '催办');
    expect(chat.cards('li.lead')).toHaveLength(leadCards + 1);
    await chat.click('li.lead', '同意');
    await chat.say('wang.sales', `/urge ${REG}`);
    expect(chat.lastText('wang.sales')).toBe('已催办「特批领导审批（北方）」（杨辉玉（杨总））。');
    expect(audit('urge')).toHaveLength(3);
  });

  it('/approve-all: each step without a form approved through the pipeline, audited, reported item by item', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('北方智慧园区', '北方二期'));
    await chat.say('li.lead', '/mine');
    expect(chat.buttons('li.lead')).toEqual(['全部同意（2 项）', '查看 HO-2026-0001', '查看 HO-2026-0002']);
    const ack = await chat.click('li.lead', '全部同意（2 项）');
    expect(ack.toast).toEqual({ type: 'success', text: '批量同意：已同意 2 项。' });
    expect(chat.lastText('li.lead')).toBe(
      ['• HO-2026-0001 销售主管审批：已同意', '• HO-2026-0002 销售主管审批：已同意'].join('\n'),
    );
    expect(audit('approve').map((r) => [r.regNo, r.actorId])).toEqual([
      ['HO-2026-0001', 'li.lead'],
      ['HO-2026-0002', 'li.lead'],
    ]);
    expect(cardText(chat.lastCard('yang.huiyu'))).toContain('请处理：特批领导审批（北方）');
    await chat.say('li.lead', '/批量同意');
    expect(chat.lastText('li.lead')).toBe('你目前没有待审批的步骤。');
    expect(audit('approve')).toHaveLength(2);

    // A step with a form is left for the card, and said so.
    await chat.say('yang.huiyu', '/approve-all');
    await chat.say('zhao.biz', '/approve-all');
    expect(chat.texts('zhao.biz').at(-2)).toBe('批量同意：已同意 0 项，未处理 2 项。');
    expect(chat.lastText('zhao.biz')).toBe(
      [
        '未处理：',
        '• HO-2026-0001 商务审核：需要填写表单，请在卡片上处理',
        '• HO-2026-0002 商务审核：需要填写表单，请在卡片上处理',
      ].join('\n'),
    );
    await chat.say('zhao.biz', '/approve-all now');
    expect(chat.lastText('zhao.biz')).toContain('无需参数');
  });

  it('/approve-all in delivery: a review task without a form is approved; a task with a form is left', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', SETUP_FORM);
    await chat.click('zhou.pm', '提交需求确认', {
      link: 'https://d/confirm',
      method: 'roundtable',
      customization: ['in_contract'],
      integration: 'no',
    });
    await chat.click('zhou.pm', '提交', { link: 'https://d/list' });
    const before = audit('approve').length;
    await chat.say('sun.director', '/approve-all');
    expect(chat.texts('sun.director').slice(-2)).toEqual([
      '批量同意：已同意 1 项。',
      '• HO-2026-0001 审核需求清单及跟进表：已同意',
    ]);
    expect(
      audit('approve')
        .slice(before)
        .map((r) => [r.actorId, r.taskId !== null]),
    ).toEqual([['sun.director', true]]);
    await chat.say('zhou.pm', '/approve-all');
    expect(chat.lastText('zhou.pm')).toContain('确认最终方案（区域项目经理）：已同意');
    // A task with a form (the PM's 指派实施人员 comes once the three confirmations are in) is never batch-approved.
    await chat.say('feng.prod', '/approve-all');
    await chat.say('qian.rd', '/approve-all');
    await chat.say('zhou.pm', '/approve-all');
    expect(chat.lastText('zhou.pm')).toBe('未处理：\n• HO-2026-0001 指派实施人员：需要提交表单，请在卡片上处理');
    await chat.say('zheng.impl', '/approve-all');
    expect(chat.lastText('zheng.impl')).toBe('你目前没有待审批的步骤。');
  });

  it('/who: who decides now and next, for a project and for sample facts', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('he.cs', `/who ${REG}`);
    const text = chat.lastText('he.cs');
    expect(text).toContain('【HO-2026-0001 北方智慧园区】谁审批（审批中）');
    expect(text).toContain('  • 销售主管审批 — 李主管（已等待 0 小时）');
    expect(text).toContain('  1. 特批领导审批 — 特批领导（北方）：杨辉玉（杨总）');
    expect(text).toContain('  3. 项目总监审核并立项 — 项目总监：孙总监（驳回 → 登记人重新提交）');
    expect(text).toContain('确认需求 — 区域项目经理（立项时指派，默认 周经理（北方））');

    await chat.say('he.cs', '/谁审批 kind=project region=南方 signed=yes paid=yes');
    const sample = chat.lastText('he.cs');
    expect(sample).toContain('审批链：常规流程（商务审核）');
    expect(sample).toContain('  1. 商务审核 — 商务经理：赵商务');
    expect(sample).not.toContain('特批领导');
    await chat.say('he.cs', '/who kind=project region=west');
    expect(chat.lastText('he.cs')).toContain('未知区域「west」');
    await chat.click('li.lead', '驳回', { reason: '资料不全' });
    await chat.say('he.cs', `/who ${REG}`);
    expect(chat.lastText('he.cs')).toContain('现在：已驳回，等待登记人 王销售 修改后重新提交。');
    await chat.say('he.cs', '/who colour=red');
    expect(chat.lastText('he.cs')).toContain('无法识别「colour」');
  });

  it('timeouts: a special approval waiting 16 working hours is escalated to the director once, audit-logged', async () => {
    const clock = new FakeClock(); // Monday 10:00 in Shanghai
    h = createTestHandoff({ clock });
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    clock.advance(DAY); // Tuesday 10:00: 9 working hours
    await h.remind();
    await h.flush();
    expect(chat.cards('sun.director')).toHaveLength(0);
    clock.advance(DAY); // Wednesday 10:00: 18 working hours
    await h.remind();
    await h.flush();
    const cards = chat.cards('sun.director');
    expect(cards).toHaveLength(1);
    expect(cardText(chat.lastCard('sun.director'))).toContain(
      '超时升级：「特批领导审批（北方）」已等待 18 个工作小时（超过 16 小时），处理人 杨辉玉（杨总），请督办。',
    );
    expect(chat.buttons('sun.director')).toEqual([]);
    expect(audit('escalate').map((r) => [r.actorId, r.actorName])).toEqual([['system', '系统']]);
    expect(cardText(chat.lastCard('wang.sales'))).toContain('系统 超时升级');
    clock.advance(DAY);
    await h.remind();
    await h.flush();
    expect(chat.cards('sun.director')).toHaveLength(1);
    expect(audit('escalate')).toHaveLength(1);
  });

  it('timeouts: transfer hands a special approval to the director after 16 working hours, once, as 系统', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-timeout-'));
    const processFile = join(dir, 'process.yaml');
    const text = readFileSync(DEFAULT_PROCESS_FILE, 'utf8');
    expect(text).toContain('timeout: { hours: 16, escalate: project_director }');
    writeFileSync(processFile, text.replace('escalate: project_director }', 'transfer: project_director }'));
    const clock = new FakeClock();
    h = createTestHandoff({ clock, processFile });
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    expect(chat.buttons('yang.huiyu')).toContain('同意');
    clock.advance(2 * DAY);
    await h.remind();
    await h.flush();
    expect(chat.buttons('yang.huiyu')).not.toContain('同意');
    expect(chat.buttons('sun.director')).toContain('同意');
    expect(audit('transfer').map((r) => [r.actorId, r.actorName])).toEqual([['system', '系统']]);
    expect(audit('escalate')).toHaveLength(0);
    await h.remind();
    expect(audit('transfer')).toHaveLength(1);
    await chat.click('sun.director', '同意');
    expect(cardText(chat.lastCard('zhao.biz'))).toContain('请处理：商务审核');
  });
});
