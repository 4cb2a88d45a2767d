import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bootstrap } from '../../src/bootstrap';
import type { OrgFile } from '../../src/config/org-file';
import { mountLocalUi } from '../../src/http/routes/local';
import { silentLogger } from '../../src/shared/logger';
import { auditLog, projects, tasks } from '../../src/store/schema';
import { FakeClock } from '../helpers/fake-clock';
import {
  chatIdOf,
  feishuButtons,
  feishuCardText,
  feishuOrg,
  openIdOf,
  startFeishuHandoff,
} from '../helpers/feishu-chat';
import { cardActionEvent } from '../helpers/feishu-deliveries';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardText,
  createTestHandoff,
  demoOrg,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  testConfig,
  virtualDelivery,
} from '../helpers/handoff';

/**
 * Issue 10, finding 4: li.lead is both sales and sales lead. They register a project that needs special approval and
 * try to approve their own lead step — by a typed /approve and by a click forged from the other lead's card. Neither
 * moves anything; the other sales lead decides. When li.lead is the only sales lead, registering is refused with a
 * clear message and the admins (org role `admin`) are told what to fix. The rule is the process file's
 * `no_self_approval` (on by default).
 */
const REG = 'HO-2026-0001';

/** The demo org with li.lead also in sales, an IT admin, and (unless `alone`) a second sales lead. */
function selfOrg(base: OrgFile, alone = false): OrgFile {
  const org = structuredClone(base);
  org.users.push({ id: 'xu.lead', name: '徐主管' }, { id: 'it.admin', name: '管理员小林' });
  org.roles.sales = ['wang.sales', 'li.lead'];
  org.roles.sales_lead = alone ? ['li.lead'] : ['li.lead', 'xu.lead'];
  org.roles.admin = ['it.admin'];
  return org;
}

const stateOf = (db: ReturnType<typeof createTestHandoff>['db']) => {
  const p = db.select().from(projects).get();
  return p ? { stepIndex: p.stepIndex, version: p.version, state: p.state } : null;
};
const actions = (db: ReturnType<typeof createTestHandoff>['db']) =>
  db
    .select()
    .from(auditLog)
    .all()
    .map((a) => `${a.action}:${a.actorId}`);

/** The bot on an org file it reloads on demand (`h.reload`), as live reload does. */
function reloadable(org: OrgFile) {
  const orgFile = join(mkdtempSync(join(tmpdir(), 'handoff-self-reload-')), 'org.yaml');
  writeFileSync(orgFile, stringify(org));
  const h = bootstrap(testConfig({ orgFile, localUi: true }), {
    clock: new FakeClock(),
    logger: silentLogger,
    scheduler: false,
    delivery: virtualDelivery(),
    watch: false,
  });
  return { h, orgFile };
}

/** The simulator's HTTP API of a listening handoff, as its page calls it (JSON from its own origin), flushed after. */
async function simulatorApi(h: ReturnType<typeof createTestHandoff>) {
  const { url } = await h.listen();
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify(body),
    });
    await h.flush();
    return { status: res.status, json: (await res.json()) as { toast?: { text: string } } };
  };
  return { url, chat: new LocalChat(h), api };
}

describe('no self-approval (real HTTP)', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('local platform through the simulator API: the registrant cannot approve their own lead step; the other lead does', async () => {
    const h = createTestHandoff({ mounts: [mountLocalUi], org: selfOrg(demoOrg()) });
    stops.push(() => h.stop());
    const { chat, api } = await simulatorApi(h);

    expect((await api('/api/local/say', { userId: 'li.lead', text: REGISTER_NORTH_UNSIGNED })).status).toBe(200);
    expect(chat.lastText('li.lead')).toContain(`已登记，项目实施登记号 ${REG}`);
    expect(chat.lastText('li.lead')).toContain('徐主管');
    // The approval card goes to the other lead only; li.lead's own card has no decision buttons.
    expect(chat.buttons('xu.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    expect(chat.buttons('li.lead')).not.toContain('同意');
    const before = stateOf(h.db);

    // A typed /approve …
    await api('/api/local/say', { userId: 'li.lead', text: `/approve ${REG}` });
    expect(chat.lastText('li.lead')).toBe('你是该项目的提交人，不能审批自己的项目：「销售主管审批」由 徐主管 处理。');
    // … and a click with the other lead's 同意 value sent on li.lead's own card.
    const approve = chat.lastCard('xu.lead').actions.find((a) => a.label === '同意');
    const own = chat.cards('li.lead').at(-1);
    const click = await api('/api/local/click', { userId: 'li.lead', messageId: own?.id, value: approve?.value });
    expect(click.status).toBe(200);
    expect(click.json.toast?.text).toContain('不能审批自己的项目');
    expect(stateOf(h.db)).toEqual(before);
    expect(actions(h.db)).toEqual(['register:li.lead', 'denied:li.lead', 'denied:li.lead']);

    // The other member of the role decides.
    await api('/api/local/click', {
      userId: 'xu.lead',
      messageId: chat.cards('xu.lead').at(-1)?.id,
      value: approve?.value,
    });
    expect(stateOf(h.db)).toMatchObject({ stepIndex: 1, state: 'in_approval' });
    expect(actions(h.db).at(-1)).toBe('approve:xu.lead');
  });

  it('local platform: when the registrant is the only sales lead, registering is refused and the admin is told', async () => {
    const h = createTestHandoff({ mounts: [mountLocalUi], org: selfOrg(demoOrg(), true) });
    stops.push(() => h.stop());
    const { url } = await h.listen();
    const chat = new LocalChat(h);
    const res = await fetch(`${url}/api/local/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ userId: 'li.lead', text: REGISTER_NORTH_UNSIGNED }),
    });
    expect(res.status).toBe(200);
    await h.flush();
    expect(chat.lastText('li.lead')).toBe(
      '「销售主管」只有你一人，而提交人不能审批自己的项目。已通知管理员为该角色增加成员，补充后请重新登记。',
    );
    expect(chat.lastText('it.admin')).toBe(
      '【管理员通知】李主管 登记项目「北方智慧园区」未成功：「销售主管」只有登记人本人，而提交人不能审批自己的项目。请在组织文件中为该角色增加成员（roles.sales_lead）。',
    );
    expect(stateOf(h.db)).toBeNull();
    expect(actions(h.db)).toEqual([]);
    // A registration by someone else (wang.sales) is not affected: li.lead decides it.
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
  });

  it('Feishu (real SDK): no approve buttons for the registrant, a forged click is refused, the other lead decides', async () => {
    const org = selfOrg(feishuOrg());
    for (const u of org.users) u.feishu = openIdOf(u.id);
    const env = await startFeishuHandoff({ org });
    stops.push(() => env.stop());
    const { chat, h } = env;
    await chat.say('li.lead', REGISTER_NORTH_UNSIGNED);
    expect(chat.lastText('li.lead')).toContain(`已登记，项目实施登记号 ${REG}`);
    expect(chat.buttons('xu.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    expect(chat.buttons('li.lead')).not.toContain('同意');
    expect(feishuCardText(chat.lastCard('li.lead'))).toContain('目前由 徐主管 处理「销售主管审批」');
    const before = stateOf(h.db);

    await chat.say('li.lead', `/approve ${REG}`);
    expect(chat.lastText('li.lead')).toContain('你是该项目的提交人，不能审批自己的项目');
    // The other lead's button value, clicked by li.lead on li.lead's own card message.
    const value = feishuButtons(chat.lastCard('xu.lead')).find((b) => b.label === '同意')?.value;
    const own = chat.cards('li.lead').at(-1);
    const forged = cardActionEvent({
      openId: openIdOf('li.lead'),
      messageId: own?.messageId ?? '',
      chatId: chatIdOf('li.lead'),
      value,
      createTime: h.clock.now().getTime(),
    });
    const res = await chat.deliver('/feishu/cards', chat.sign(forged));
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('不能审批自己的项目');
    await h.flush();
    expect(stateOf(h.db)).toEqual(before);
    expect(chat.buttons('xu.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);

    await chat.click('xu.lead', '同意');
    expect(stateOf(h.db)).toMatchObject({ stepIndex: 1 });
    expect(actions(h.db)).toEqual(['register:li.lead', 'denied:li.lead', 'denied:li.lead', 'approve:xu.lead']);
  });

  it('Feishu: the only sales lead registering is refused, and the admin gets a Feishu message', async () => {
    const org = selfOrg(feishuOrg(), true);
    for (const u of org.users) u.feishu = openIdOf(u.id);
    const env = await startFeishuHandoff({ org });
    stops.push(() => env.stop());
    const { chat, h } = env;
    await chat.say('li.lead', REGISTER_NORTH_UNSIGNED);
    expect(chat.lastText('li.lead')).toContain('已通知管理员为该角色增加成员');
    expect(chat.lastText('it.admin')).toContain('请在组织文件中为该角色增加成员（roles.sales_lead）');
    expect(stateOf(h.db)).toBeNull();
  });

  it('a step reached after the org changed, held only by the registrant: the card says so and the admin is told', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-self-')), 'h.db');
    const clock = new FakeClock();
    const before = selfOrg(demoOrg());
    before.roles.commercial_reviewer = ['zhao.biz', 'li.lead'];
    let h = createTestHandoff({ databasePath, clock, org: before });
    await new LocalChat(h).say('li.lead', REGISTER_NORTH_UNSIGNED);
    await h.stop();
    // zhao.biz leaves: li.lead, who registered the project, is now the only commercial reviewer.
    const after = selfOrg(demoOrg());
    after.roles.commercial_reviewer = ['li.lead'];
    h = createTestHandoff({ databasePath, clock, org: after });
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.click('xu.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    expect(stateOf(h.db)).toMatchObject({ stepIndex: 2, state: 'in_approval' });
    const why = '无人可审批：「商务经理」只有提交人本人，提交人不能审批自己的项目；需管理员为该角色增加成员';
    expect(cardText(chat.lastCard('li.lead'))).toContain(`「商务审核」${why}`);
    expect(chat.buttons('li.lead')).not.toContain('同意');
    expect(chat.lastText('it.admin')).toBe(`【管理员通知】项目「北方智慧园区」（${REG}）的「商务审核」${why}。`);
  });

  it('live reload that leaves the waiting step to the registrant alone: the admin is told, the card says why', async () => {
    const { h, orgFile } = reloadable(selfOrg(demoOrg()));
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('li.lead', REGISTER_NORTH_UNSIGNED);
    // xu.lead leaves: li.lead, who registered the project, is the only sales lead of the new file.
    writeFileSync(orgFile, stringify(selfOrg(demoOrg(), true)));
    expect(h.reload('test')).toMatchObject({ org: 'reloaded' });
    await h.flush();
    expect(chat.lastText('it.admin')).toBe(
      `【管理员通知】项目「北方智慧园区」（${REG}）的「销售主管审批」无人可审批：「销售主管」只有提交人本人，提交人不能审批自己的项目；需管理员为该角色增加成员。`,
    );
    await chat.say('li.lead', `/status ${REG}`);
    expect(cardText(chat.lastCard('li.lead'))).toContain('「销售主管审批」无人可审批');
    // Reloading the same file again tells nobody twice.
    const told = chat.texts('it.admin').length;
    h.reload('again');
    await h.flush();
    expect(chat.texts('it.admin')).toHaveLength(told);
  });
});

/**
 * The same rule on review tasks during delivery. wang.sales registers a SaaS project and also sits in 售后支持组
 * beside ma.support: the SaaS take-over (售后支持组接管) is a review held by that role, so ma.support decides it and
 * wang's typed /approve or forged click is refused with nothing changed. When wang is the project's PM, the PM's
 * review of the product pickup has nobody to decide it: the card says so, the admin is told, the director reassigns.
 */
const SAAS =
  '/register name="北方智慧园区" customer=北方客户 kind=saas region=north contract=HT-2026-001 signed=yes paid=yes req=https://docs.example.com/req form=https://docs.example.com/form';
const PROJECT = SAAS.replace('kind=saas', 'kind=project');
const TAKEOVER = '售后支持组接管';

/** The demo org with wang.sales also in 售后支持组 and among the north PMs, and an IT admin. */
function deliveryOrg(base: OrgFile): OrgFile {
  const org = structuredClone(base);
  org.users.push({ id: 'it.admin', name: '管理员小林' });
  org.roles.after_sales_support = ['ma.support', 'wang.sales'];
  org.roles.regional_pm = { north: ['zhou.pm', 'wang.sales'], south: ['wu.pm'] };
  org.roles.admin = ['it.admin'];
  return org;
}

/** Everything a decision changes: the project row and every task row. */
const deliveryState = (db: ReturnType<typeof createTestHandoff>['db']) => ({
  project: db.select({ version: projects.version, state: projects.state }).from(projects).get(),
  tasks: db
    .select({ no: tasks.taskNo, defId: tasks.defId, state: tasks.state, closedBy: tasks.closedBy })
    .from(tasks)
    .all(),
});
const openTaskNo = (db: ReturnType<typeof createTestHandoff>['db'], defId: string) =>
  db
    .select()
    .from(tasks)
    .all()
    .find((t) => t.defId === defId && t.state === 'open')?.taskNo;

describe('no self-approval of review tasks during delivery (real HTTP)', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('local simulator API: the submitter cannot take over their own SaaS project; the other member does', async () => {
    const h = createTestHandoff({ mounts: [mountLocalUi], org: deliveryOrg(demoOrg()) });
    stops.push(() => h.stop());
    const { chat, api } = await simulatorApi(h);
    await api('/api/local/say', { userId: 'wang.sales', text: SAAS });
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    // The intake (the chain's last step) already leaves wang out: ma.support confirms it.
    expect(chat.buttons('wang.sales')).not.toContain('确认需求');
    await chat.click('ma.support', '确认需求', { need: '已确认', integration: 'no' });
    expect(cardText(chat.lastCard('ma.support'))).toContain(`请处理：${TAKEOVER}`);
    expect(chat.buttons('ma.support')).toContain('接管');
    expect(chat.buttons('wang.sales')).not.toContain('接管');
    const takeover = chat.lastCard('ma.support').actions.find((a) => a.label === '接管');
    // /mine lists the take-over for ma.support only.
    await chat.say('wang.sales', '/mine');
    expect(cardText(chat.lastCard('wang.sales'))).not.toContain(TAKEOVER);
    await chat.say('ma.support', '/mine');
    expect(cardText(chat.lastCard('ma.support'))).toContain(TAKEOVER);
    const before = deliveryState(h.db);
    const audited = actions(h.db).length;

    await api('/api/local/say', { userId: 'wang.sales', text: `/approve ${REG}` });
    expect(chat.lastText('wang.sales')).toBe(
      `你是该项目的提交人，不能审批自己的项目：「${TAKEOVER}」由 马工（售后支持） 处理。`,
    );
    const own = chat.cards('wang.sales').at(-1);
    const click = await api('/api/local/click', { userId: 'wang.sales', messageId: own?.id, value: takeover?.value });
    expect(click.status).toBe(200);
    expect(click.json.toast?.text).toBe(
      `你是该项目的提交人，不能审批自己的项目：「${TAKEOVER}」由 马工（售后支持） 处理。`,
    );
    expect(deliveryState(h.db)).toEqual(before);
    expect(actions(h.db).slice(audited)).toEqual(['denied:wang.sales', 'denied:wang.sales']);

    await chat.click('ma.support', '接管');
    expect(deliveryState(h.db).project).toMatchObject({ state: 'closed' });
    expect(actions(h.db).at(-1)).toBe('approve:ma.support');
  });

  it('local: the submitter is the PM — their forms stay theirs, their review has nobody, the admin is told, the director reassigns', async () => {
    const h = createTestHandoff({ org: deliveryOrg(demoOrg()) });
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('wang.sales', PROJECT);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', { feasibility: '可行', risk: '可控', pm: 'wang.sales' });
    // Submit tasks are work, not decisions: the PM who registered the project fills them.
    await chat.say('wang.sales', `/submit ${REG} link=https://d/c method=roundtable integration=no`);
    await chat.say('wang.sales', `/submit ${REG} implementers=zheng.impl`);
    await chat.say('zheng.impl', `/submit ${REG} regno=${REG} svn=svn://x/p products=标准版`);
    const why = '无人可审批：处理人只有提交人本人，提交人不能审批自己的项目；需区域项目经理或项目总监改派（/reassign）';
    expect(chat.lastText('it.admin')).toBe(
      `【管理员通知】项目「北方智慧园区」（${REG}）的「审核产品领取单（区域项目经理）」${why}。`,
    );
    await chat.say('wang.sales', `/status ${REG}`);
    expect(cardText(chat.lastCard('wang.sales'))).toContain(`审核产品领取单（区域项目经理） — ${why}`);
    expect(chat.buttons('wang.sales')).not.toContain('通过');
    const before = deliveryState(h.db);
    await chat.say('wang.sales', `/approve ${REG}`);
    expect(chat.lastText('wang.sales')).toBe(
      `你是该项目的提交人，不能审批自己的项目：「审核产品领取单（区域项目经理）」${why}。`,
    );
    expect(deliveryState(h.db)).toEqual(before);

    // The director reassigns it: not back to the submitter, to the other north PM, who decides.
    const no = openTaskNo(h.db, 'pickup_pm');
    await chat.say('sun.director', `/reassign ${REG} ${no} wang.sales`);
    expect(chat.lastText('sun.director')).toContain('提交人不能审批自己的项目');
    expect(deliveryState(h.db)).toEqual(before);
    await chat.say('sun.director', `/reassign ${REG} ${no} zhou.pm`);
    await chat.click('zhou.pm', '通过');
    expect(deliveryState(h.db).tasks.find((t) => t.no === no)).toMatchObject({ state: 'done', closedBy: 'zhou.pm' });
  });

  it('live reload that leaves a waiting review to the submitter alone: the admin is told, the status says why', async () => {
    const { h, orgFile } = reloadable(deliveryOrg(demoOrg()));
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('wang.sales', SAAS);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('ma.support', '确认需求', { need: '已确认', integration: 'no' });
    // ma.support leaves 售后支持组: wang, who registered the project, is its only member.
    const after = deliveryOrg(demoOrg());
    after.roles.after_sales_support = ['wang.sales'];
    writeFileSync(orgFile, stringify(after));
    expect(h.reload('test')).toMatchObject({ org: 'reloaded' });
    await h.flush();
    const why = '无人可审批：「售后支持组」只有提交人本人，提交人不能审批自己的项目；需管理员为该角色增加成员';
    expect(chat.lastText('it.admin')).toBe(`【管理员通知】项目「北方智慧园区」（${REG}）的「${TAKEOVER}」${why}。`);
    await chat.say('wang.sales', `/status ${REG}`);
    expect(cardText(chat.lastCard('wang.sales'))).toContain(`${TAKEOVER} — ${why}`);
    expect(chat.buttons('wang.sales')).not.toContain('接管');
  });

  it('Feishu (real SDK): no take-over button for the submitter, typed and forged approvals refused, the other member decides', async () => {
    const org = deliveryOrg(feishuOrg());
    for (const u of org.users) u.feishu = openIdOf(u.id);
    const env = await startFeishuHandoff({ org });
    stops.push(() => env.stop());
    const { chat, h } = env;
    await chat.say('wang.sales', SAAS);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('ma.support', '确认需求', { need: '已确认', integration: 'no' });
    expect(feishuButtons(chat.lastCard('ma.support')).map((b) => b.label)).toContain('接管');
    expect(chat.buttons('wang.sales')).not.toContain('接管');
    const before = deliveryState(h.db);

    await chat.say('wang.sales', `/approve ${REG}`);
    expect(chat.lastText('wang.sales')).toBe(
      `你是该项目的提交人，不能审批自己的项目：「${TAKEOVER}」由 马工（售后支持） 处理。`,
    );
    const value = feishuButtons(chat.lastCard('ma.support')).find((b) => b.label === '接管')?.value;
    const own = chat.cards('wang.sales').at(-1);
    const forged = cardActionEvent({
      openId: openIdOf('wang.sales'),
      messageId: own?.messageId ?? '',
      chatId: chatIdOf('wang.sales'),
      value,
      createTime: h.clock.now().getTime(),
    });
    const res = await chat.deliver('/feishu/cards', chat.sign(forged));
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('你是该项目的提交人，不能审批自己的项目');
    await h.flush();
    expect(deliveryState(h.db)).toEqual(before);

    await chat.click('ma.support', '接管');
    expect(deliveryState(h.db).project).toMatchObject({ state: 'closed' });
  });
});
