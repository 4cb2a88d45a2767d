import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, projects } from '../../src/store/schema';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardText,
  createTestHandoff,
  demoOrg,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
} from '../helpers/handoff';

describe('approval rules through the local platform', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let chat: LocalChat;
  beforeEach(() => {
    h = createTestHandoff();
    chat = new LocalChat(h);
  });
  afterEach(() => h.stop());

  it('south projects go to 戴总, signed+paid projects skip the special chain, saas goes to 售后支持组', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('region=north', 'region=south'));
    await chat.click('li.lead', '同意');
    expect(chat.buttons('dai.juanxiang')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    expect(chat.cards('yang.huiyu')).toHaveLength(0);

    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes'));
    expect(chat.lastText('wang.sales')).toContain('HO-2026-0002');
    expect(cardText(chat.lastCard('zhao.biz'))).toContain('HO-2026-0002');
    expect(cardText(chat.lastCard('zhao.biz'))).toContain('常规流程');

    await chat.say(
      'wang.sales',
      REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes').replace('kind=project', 'kind=saas'),
    );
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM, chat.cards('zhao.biz').at(-1)?.id);
    expect(cardText(chat.lastCard('ma.support'))).toContain('售后支持组确认需求');
    expect(chat.cards('sun.director')).toHaveLength(0);
  });

  it('reject needs a reason, goes back to sales with it, and resubmit restarts the chain keeping the history', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    const noReason = await chat.click('yang.huiyu', '驳回', { reason: '' });
    expect(noReason.toast?.text).toContain('驳回必须填写原因');
    expect(chat.buttons('yang.huiyu')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);

    await chat.click('yang.huiyu', '驳回', { reason: '合同金额与报价不符' });
    const notice = chat.lastCard('wang.sales');
    expect(notice.header.color).toBe('red');
    expect(cardText(notice)).toContain('合同金额与报价不符');
    expect(chat.buttons('wang.sales')).toEqual(['重新提交', '撤回', '评论']);

    await chat.click('wang.sales', '重新提交');
    expect(chat.buttons('wang.sales')).toEqual(['撤回', '催办']);
    const again = chat.lastCard('li.lead');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    const text = cardText(again);
    expect(text).toContain('驳回');
    expect(text).toContain('合同金额与报价不符');
    expect(text).toContain('修改后重新提交');
  });

  it('resubmit by command can amend fields; the route is re-planned', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('li.lead', '/reject HO-2026-0001 请补充首付款凭证');
    await chat.say('wang.sales', '/resubmit HO-2026-0001 signed=yes paid=yes');
    expect(chat.lastText('wang.sales')).toContain('已重新提交 HO-2026-0001（第 2 轮）');
    expect(chat.buttons('zhao.biz')).toEqual(['更多操作', COMMERCIAL_OK, '驳回', '抄送', '评论']);
  });

  it('only the holder of the step may act; others get an error and the attempt is audited', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('zhao.biz', '/approve HO-2026-0001');
    expect(chat.lastText('zhao.biz')).toContain('你不是当前步骤的处理人：「销售主管审批」由 李主管 处理');
    await chat.say('wang.sales', '/approve HO-2026-0001');
    expect(chat.lastText('wang.sales')).toContain('你不是当前步骤的处理人');
    const denied = h.db
      .select()
      .from(auditLog)
      .all()
      .filter((r) => r.action === 'denied');
    expect(denied.map((d) => d.actorId)).toEqual(['zhao.biz', 'wang.sales']);
    expect(h.db.select().from(projects).get()?.stepIndex).toBe(0);
  });

  it('a second click on an old card says who handled the step and when', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = chat.cards('li.lead')[0];
    await chat.click('li.lead', '同意');
    const approve = card?.card.actions[0];
    if (!card || !approve) throw new Error('no approve button');
    const r = await h.local?.click('li.lead', card.id, approve.value);
    expect(r?.toast).toEqual({
      type: 'error',
      text: expect.stringMatching(/该步骤已由 李主管 于 2026-03-02 10:00 同意/),
    });
    expect(
      h.db
        .select()
        .from(auditLog)
        .all()
        .filter((a) => a.action === 'approve'),
    ).toHaveLength(1);
  });

  it('two members of one role clicking at once: one decision, the other is told who did it', async () => {
    const org = demoOrg();
    org.users.push({ id: 'qian.biz', name: '钱商务' });
    org.roles.commercial_reviewer = ['zhao.biz', 'qian.biz'];
    await h.stop();
    h = createTestHandoff({ org });
    chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes'));
    const a = chat.cards('zhao.biz')[0];
    const b = chat.cards('qian.biz')[0];
    const value = a?.card.forms[0]?.submit.value;
    if (!a || !b || !value) throw new Error('both reviewers must have the card');
    const [ra, rb] = await Promise.all([
      h.local?.click('zhao.biz', a.id, value, COMMERCIAL_FORM),
      h.local?.click('qian.biz', b.id, value, { ...COMMERCIAL_FORM, outsourcing: 'yes' }),
    ]);
    await h.flush();
    expect(ra?.toast?.type).toBe('success');
    expect(rb?.toast?.text).toContain('该步骤已由 赵商务');
    expect(
      h.db
        .select()
        .from(auditLog)
        .all()
        .filter((r) => r.action === 'approve'),
    ).toHaveLength(1);
    expect(chat.buttons('qian.biz')).toEqual([]);
    expect(chat.buttons('sun.director')).toEqual(['更多操作', '立项并指派', '驳回', '抄送', '评论']);
  });

  it('typed approvals racing each other: one decision, the rest told who handled it, no denied rows (issue 10, 5)', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => h.local?.say('li.lead', '/approve HO-2026-0001')),
    );
    await h.flush();
    expect(replies).toHaveLength(10);
    const rows = h.db.select().from(auditLog).all();
    expect(rows.filter((r) => r.action === 'approve')).toHaveLength(1);
    expect(rows.filter((r) => r.action === 'denied')).toHaveLength(0);
    const texts = chat.texts('li.lead');
    expect(texts.filter((t) => t.includes('已同意'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('该步骤已由 李主管') && t.includes('同意，无需重复处理'))).toHaveLength(9);
    // Someone who never held the step is still refused and audited.
    await chat.say('zhao.biz', '/reject HO-2026-0001 不对');
    expect(
      h.db
        .select()
        .from(auditLog)
        .all()
        .filter((r) => r.action === 'denied'),
    ).toHaveLength(1);
  });

  it('withdraw before anyone decides closes the project and disables every card', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('wang.sales', '撤回');
    expect(chat.lastText('wang.sales')).toContain('已撤回');
    expect(chat.buttons('li.lead')).toEqual([]);
    expect(chat.lastCard('li.lead').header.color).toBe('grey');
    await chat.say('li.lead', '/approve HO-2026-0001');
    expect(chat.lastText('li.lead')).toContain('项目已撤回，不能再执行此操作');
  });

  it('withdraw after an approval is refused', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.say('wang.sales', '/withdraw HO-2026-0001');
    expect(chat.lastText('wang.sales')).toContain('不能再撤回');
  });

  it('bad input gets a clear reply and creates nothing', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('kind=project', 'kind=private'));
    expect(chat.lastText('wang.sales')).toContain('「项目类型」');
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('region=north', 'region=west'));
    expect(chat.lastText('wang.sales')).toContain('未知区域「west」。可选区域：north（北方）、south（南方）');
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace(' req=https://docs.example.com/req', ''));
    expect(chat.lastText('wang.sales')).toContain('项目类项目需提供《用户需求采集表》');
    await chat.say('li.lead', REGISTER_NORTH_UNSIGNED);
    expect(chat.lastText('li.lead')).toContain('只有责任销售');
    await chat.say('wang.sales', '你好');
    expect(chat.lastText('wang.sales')).toContain('/help');
    await chat.say('wang.sales', '/status HO-2026-0099');
    expect(chat.lastText('wang.sales')).toContain('找不到登记号为 HO-2026-0099 的项目');
    expect(h.db.select().from(projects).all()).toHaveLength(0);
  });

  it('a user not in the org file is told so', async () => {
    await h.local?.say('stranger', '/help');
    await h.flush();
    expect(chat.lastText('stranger')).toContain('不在本系统的组织名单中');
  });

  it('/mine lists the steps waiting on me and my rejected projects; /help lists the commands', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('li.lead', '/mine');
    expect(cardText(chat.lastCard('li.lead'))).toContain('**HO-2026-0001** 北方智慧园区 — 销售主管审批');
    await chat.say('li.lead', '/reject HO-2026-0001 缺资料');
    await chat.say('wang.sales', '/待办');
    expect(cardText(chat.lastCard('wang.sales'))).toContain('被驳回，待修改后重新提交');
    await chat.say('wang.sales', '/help');
    expect(chat.lastText('wang.sales')).toContain('/register');
  });

  it('/register without arguments answers with a form; submitting it registers and turns it into the project card', async () => {
    await chat.say('wang.sales', '/立项');
    const form = chat.lastCard('wang.sales');
    expect(form.forms[0]?.fields.map((f) => f.name)).toEqual([
      'name',
      'customer',
      'kind',
      'region',
      'contract',
      'signed',
      'paid',
      'req',
      'solution',
      'form',
    ]);
    const bad = await chat.click('wang.sales', '提交登记', {
      name: 'X',
      customer: 'Y',
      kind: 'saas',
      region: 'north',
      contract: 'HT',
      signed: 'no',
      paid: 'no',
      form: 'https://f',
    });
    expect(bad.toast?.text).toContain('SaaS 类项目需提供《用户需求采集表》');
    const good = await chat.click('wang.sales', '提交登记', {
      name: 'X',
      customer: 'Y',
      kind: 'saas',
      region: 'north',
      contract: 'HT',
      signed: 'no',
      paid: 'no',
      req: 'https://r',
      form: 'https://f',
    });
    expect(good.toast).toEqual({ type: 'success', text: expect.stringContaining('HO-2026-0001') });
    expect(good.card?.header.subtitle).toContain('HO-2026-0001');
  });
});
