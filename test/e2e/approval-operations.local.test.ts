import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROCESS_FILE, loadProcessFile } from '../../src/config/process-file';
import { auditLog } from '../../src/store/schema';
import {
  COMMERCIAL_TYPED,
  cardText,
  createTestHandoff,
  demoOrg,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  SETUP_TYPED,
} from '../helpers/handoff';

const REG = 'HO-2026-0001';
/** What the holder of an approval step sees: decide, 更多操作 (transfer, add signer, send back), reject, CC, comment. */
const HOLDER = ['同意', '更多操作', '驳回', '抄送', '评论'];

describe('approval operations on the local platform', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let chat: LocalChat;
  const start = (opts: Parameters<typeof createTestHandoff>[0] = {}) => {
    h = createTestHandoff(opts);
    chat = new LocalChat(h);
  };
  afterEach(() => h?.stop());
  const audit = () => h.db.select().from(auditLog).all();
  const mine = async (user: string) => {
    await chat.say(user, '/mine');
    return cardText(chat.lastCard(user));
  };

  it('transfer from the card: the new holder gets the card and /mine; the old copy is locked and says so', async () => {
    start();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '更多操作');
    expect(chat.lastCard('li.lead').header.title).toBe('更多操作');
    const ack = await chat.click('li.lead', '转交', { person: '赵商务', note: '本周出差' });
    expect(ack.toast?.text).toContain('已转交给 赵商务');
    // The lead's project card is locked: no decision left, and it says where the step went.
    const lead = chat
      .cards('li.lead')
      .find((c) => c.card.header.title !== '更多操作' && c.card.blocks.some((b) => b.type === 'note'));
    expect(lead && cardText(lead.card)).toContain('已由 李主管 转交给 赵商务（本周出差）');
    expect(chat.buttons('li.lead')).not.toContain('同意');
    expect(chat.buttons('zhao.biz')).toEqual(HOLDER);
    expect(await mine('zhao.biz')).toContain('销售主管审批');
    expect(await mine('li.lead')).not.toContain(REG);
    await chat.say('li.lead', `/approve ${REG}`);
    expect(chat.lastText('li.lead')).toContain('赵商务');
    await chat.click('zhao.biz', '同意');
    expect(chat.buttons('yang.huiyu')).toEqual(HOLDER);
    expect(audit().map((a) => a.action)).toEqual(['register', 'transfer', 'denied', 'approve']);
    expect(cardText(chat.lastCard('wang.sales'))).toContain('转交');
  });

  it('add a signer before by command; the signer approves on their card, then it comes back to the holder', async () => {
    start();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('li.lead', `/加签 ${REG} 陈售前 before`);
    expect(chat.lastText('li.lead')).toContain('已加签 陈售前');
    expect(chat.buttons('chen.presales')).toEqual(HOLDER);
    await chat.click('chen.presales', '同意');
    expect(chat.buttons('li.lead')).toEqual(HOLDER);
    await chat.click('li.lead', '同意');
    expect(chat.buttons('yang.huiyu')).toEqual(HOLDER);
    expect(audit().map((a) => a.action)).toEqual(['register', 'addsign', 'sign', 'approve']);
    // Removable only until the signer acts.
    await chat.say('yang.huiyu', `/addsign ${REG} 陈售前 after`);
    await chat.say('yang.huiyu', `/unsign ${REG} 陈售前`);
    expect(chat.lastText('yang.huiyu')).toContain('已撤销对 陈售前 的加签');
  });

  it('send back to an earlier step with a reason; the steps in between decide again; the history shows it', async () => {
    start();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    await chat.click('zhao.biz', '更多操作');
    const ack = await chat.click('zhao.biz', '退回', { step: '1', reason: '合同附件不全' });
    expect(ack.toast?.text).toContain('已退回至「销售主管审批」');
    expect(chat.buttons('li.lead')).toEqual(HOLDER);
    await chat.click('li.lead', '同意');
    expect(chat.buttons('yang.huiyu')).toEqual(HOLDER);
    expect(cardText(chat.lastCard('wang.sales'))).toContain('退回至「销售主管审批」：合同附件不全');
    await chat.say('yang.huiyu', `/sendback ${REG} 9 原因`);
    expect(chat.lastText('yang.huiyu')).toContain('可退回的更早步骤：1「销售主管审批」');
  });

  it('revoke one’s approval from the card until the next holder acts', async () => {
    start();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.click('li.lead', '更多操作');
    const ack = await chat.click('li.lead', '撤销同意');
    expect(ack.toast?.text).toContain('已撤销你的同意');
    expect(chat.buttons('li.lead')).toEqual(HOLDER);
    expect(chat.buttons('yang.huiyu')).toEqual([]);
    await chat.click('li.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    await chat.say('li.lead', `/revoke ${REG}`);
    expect(chat.lastText('li.lead')).toContain('没有可以撤销的同意');
  });

  it('delegation: the delegate receives and decides, audited as acting for the person, who keeps a read-only copy', async () => {
    start();
    await chat.say('li.lead', '/delegate 戴娟翔 2026-03-01 2026-03-10');
    expect(chat.lastText('li.lead')).toContain('由 戴娟翔（戴总） 代理');
    expect(chat.texts('dai.juanxiang').join('\n')).toContain('李主管 的审批由你代理');
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('dai.juanxiang')).toEqual(HOLDER);
    expect(chat.buttons('li.lead')).toEqual([]);
    expect(cardText(chat.lastCard('li.lead'))).toContain('由 戴娟翔（戴总） 代为处理，此卡片仅供查看');
    expect(await mine('dai.juanxiang')).toContain('（代 李主管）');
    await chat.click('dai.juanxiang', '同意');
    expect(audit().at(-1)).toMatchObject({ action: 'approve', actorId: 'dai.juanxiang', onBehalfOf: 'li.lead' });
    expect(cardText(chat.lastCard('wang.sales'))).toContain('戴娟翔（戴总） 代 李主管');
    // Ends on demand; it also ends on time (the clock past the last day).
    await chat.say('li.lead', '/delegate off');
    expect(chat.lastText('li.lead')).toContain('已结束你的代理');
    await chat.say('wang.sales', '/delegate 李主管 2026-03-01 2026-03-02');
    h.clock.advance(3 * 86_400_000);
    await chat.say('wang.sales', '/delegate');
    expect(chat.lastText('wang.sales')).toContain('你目前没有设置代理');
  });

  it('an admin sets a delegation for someone on leave; nobody else may', async () => {
    start();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toEqual(HOLDER);
    await chat.say('zhao.biz', '/delegate li.lead dai.juanxiang 2026-03-01 2026-03-05');
    expect(chat.lastText('zhao.biz')).toContain('只有管理员可以为他人设置代理');
    await chat.say('sun.director', '/代理 li.lead dai.juanxiang 2026-03-01 2026-03-05');
    expect(chat.lastText('sun.director')).toContain('李主管的审批由 戴娟翔（戴总） 代理');
    expect(chat.lastText('li.lead')).toContain('孙总监 已设置');
    // The step already waiting: the lead's card turns read-only, the delegate gets /mine with it and decides.
    expect(chat.buttons('li.lead')).not.toContain('同意');
    expect(cardText(chat.lastCard('dai.juanxiang'))).toContain('（代 李主管）');
    await chat.say('dai.juanxiang', `/approve ${REG}`);
    expect(chat.lastText('dai.juanxiang')).toContain('已同意');
    // Ended by the admin: the person decides again.
    await chat.say('sun.director', '/delegate off li.lead');
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toEqual(HOLDER);
  });

  it('delivery tasks: transfer, reassign by the director, send back, each in place', async () => {
    start();
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    await chat.say('zhao.biz', `/approve ${REG} ${COMMERCIAL_TYPED}`);
    await chat.say('sun.director', `/approve ${REG} ${SETUP_TYPED}`);
    await chat.say('zhou.pm', `/transfer ${REG} 吴经理（南方） 南方同事跟进`);
    expect(chat.lastText('zhou.pm')).toContain('已转交给 吴经理（南方）');
    expect(await mine('wu.pm')).toContain('确认需求');
    expect(await mine('zhou.pm')).not.toContain('确认需求');
    const task = h.deps.projects.get(REG)?.delivery.tasks.find((t) => t.state === 'open')?.no;
    await chat.say('zhao.biz', `/reassign ${REG} ${task} 周经理（北方）`);
    expect(chat.lastText('zhao.biz')).toContain('只有该项目的区域项目经理或项目总监可以改派任务');
    await chat.say('sun.director', `/改派 ${REG} ${task} zhou.pm`);
    expect(chat.lastText('sun.director')).toContain('已改派给 周经理（北方）');
    expect(await mine('zhou.pm')).toContain('确认需求');
    await chat.say('zhou.pm', `/submit ${REG} link=https://docs.example.com/c method=roundtable integration=no`);
    expect(chat.lastText('zhou.pm')).toContain('已提交');
    await chat.say('zhou.pm', `/sendback ${REG} requirements 需求要再确认`);
    expect(chat.lastText('zhou.pm')).toContain('已退回至「确认需求」');
    expect(await mine('zhou.pm')).toContain('确认需求');
    expect(
      audit()
        .map((a) => a.action)
        .slice(-5),
    ).toEqual(['approve', 'transfer', 'reassign', 'submit', 'sendback']);
    // The director reassigns from the card too: 更多操作 → 改派 (the task picked from the open ones).
    const open = h.deps.projects.get(REG)?.delivery.tasks.find((t) => t.state === 'open')?.no;
    await chat.say('sun.director', `/status ${REG}`);
    await chat.click('sun.director', '更多操作');
    const ack = await chat.click('sun.director', '改派', { task: String(open), person: 'wu.pm' });
    expect(ack.toast?.text).toContain('已改派给 吴经理（南方）');
    expect(await mine('wu.pm')).toContain('确认需求');
  });

  it('after an org change, a held step is listed for the role’s new member too', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-resettle-')), 'h.db');
    start({ databasePath });
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('li.lead', `/addsign ${REG} 陈售前 after`);
    await h.stop();
    const org = demoOrg();
    org.users = [...org.users, { id: 'xu.lead', name: '徐主管' }];
    org.roles.sales_lead = ['li.lead', 'xu.lead'];
    start({ databasePath, org });
    expect(await mine('xu.lead')).toContain('销售主管审批');
    await chat.say('xu.lead', `/approve ${REG}`);
    expect(chat.lastText('xu.lead')).toContain('陈售前');
  });

  it('a timeout with transfer: after 16 working hours the step goes to the role, audit-logged by system', async () => {
    const process = loadProcessFile(DEFAULT_PROCESS_FILE);
    const special = process.approval.routes.flatMap((r) => r.steps).find((s) => s.role === 'special_approver');
    if (special) special.timeout = { hours: 16, transfer: 'project_director' };
    start({ process });
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    h.clock.advance(2 * 86_400_000); // Monday 10:00 → Wednesday 10:00: 18 working hours
    await h.remind();
    await h.flush();
    expect(audit().at(-1)).toMatchObject({ action: 'transfer', actorId: 'system' });
    expect(audit().at(-1)?.reason).toContain('自动转交');
    expect(chat.buttons('sun.director')).toEqual(HOLDER);
    expect(chat.buttons('yang.huiyu')).not.toContain('同意');
    await chat.click('sun.director', '同意');
    expect(chat.buttons('zhao.biz')).toContain('审核通过（电子签名）');
  });

  it('re-resolve at start-up: a task bound to someone who left goes to the role’s current members, who are told', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-reresolve-')), 'h.db');
    start({ databasePath });
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    await chat.say('zhao.biz', `/approve ${REG} ${COMMERCIAL_TYPED}`);
    await chat.say('sun.director', `/approve ${REG} ${SETUP_TYPED}`);
    await h.stop();
    // 周经理 leaves; 钟经理 joins the north PMs.
    const org = demoOrg();
    org.users = [...org.users.filter((u) => u.id !== 'zhou.pm'), { id: 'zhong.pm', name: '钟经理' }];
    org.roles.regional_pm = { north: ['zhong.pm'], south: ['wu.pm'] };
    start({ databasePath, org });
    await h.flush();
    const last = audit().at(-1);
    expect(last).toMatchObject({ action: 'reresolve', actorId: 'system' });
    expect(last?.reason).toContain('zhou.pm → 钟经理');
    expect(chat.buttons('zhong.pm')).toContain('提交需求确认');
    expect(await mine('zhong.pm')).toContain('确认需求');
    await chat.say('zhong.pm', `/status ${REG}`);
    expect(cardText(chat.lastCard('zhong.pm'))).toContain('区域项目经理: 钟经理');
  });
});
