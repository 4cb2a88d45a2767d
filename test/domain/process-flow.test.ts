import { describe, expect, it } from 'vitest';
import type { Project } from '../../src/domain/project';
import { transition } from '../../src/domain/transition';
import {
  accepted,
  act,
  apply,
  approve,
  at,
  commercial,
  open,
  openIds,
  org,
  registered,
  STANDARD,
  tryAct,
} from '../helpers/process-fixture';

const L = (s: string) => `https://x/${s}`;
const requirements = (customization: string[] = [], integration = 'no') => ({
  link: L('confirm'),
  method: 'roundtable',
  customization,
  integration,
});

/** From setup through requirements (no customisation) and assignment. */
function assigned(over = {}, outsourcing = false): Project {
  let p = accepted(over, outsourcing);
  p = act(p, 'requirements', 'pmn', 'submit', requirements());
  return act(p, 'assign', 'pmn', 'submit', { implementers: ['impl', 'impl2'] });
}

/** Through the product pickup. */
function issued(over = {}): Project {
  let p = assigned(over);
  p = act(p, 'pickup', 'impl', 'submit', { regno: 'ho-2026-0001', svn: 'svn://x/p', products: '标准版 v3' });
  p = act(p, 'pickup_pm', 'pmn', 'approve');
  p = act(p, 'pickup_commercial', 'biz', 'approve');
  return act(p, 'pickup_issue', 'prod', 'submit', { standard: L('std') });
}

/** Milestones up to acceptance, for a project without operated parts or integration. */
function acceptedMilestones(p0: Project): Project {
  let p = act(p0, 'verification', 'impl', 'submit', { checklist: L('check') });
  p = act(p, 'implementation', 'impl', 'submit', { mode: 'remote', service_form: L('service') });
  p = act(p, 'deployed', 'impl', 'submit', { date: '2026-02-01' });
  p = act(p, 'trial_run', 'impl', 'submit', { date: '2026-02-02' });
  p = act(p, 'training', 'impl', 'submit', { date: '2026-02-03' });
  p = act(p, 'formal_operation', 'impl', 'submit', { date: '2026-02-04' });
  return act(p, 'acceptance', 'impl', 'submit', { report: L('report') });
}

const docs = (p: Project, ...nos: number[]) =>
  nos.reduce((acc, no) => apply(acc, { type: 'doc', by: 'impl', at, doc: no, link: L(`doc${no}`) }), p);

describe('setup (3.3.1)', () => {
  it('sets the region PM by default and opens the requirements for them', () => {
    const p = accepted();
    expect(p.state).toBe('accepted');
    expect(p.delivery.team.pm).toBe('pmn');
    expect(openIds(p)).toEqual(['requirements']);
    expect(open(p, 'requirements')?.users).toEqual(['pmn']);
    expect(p.delivery.tasks.find((t) => t.defId === 'setup')).toMatchObject({
      state: 'done',
      answers: { pm: 'pmn', risk: '风险可控' },
    });
  });

  it('the south project goes to the south PM', () => {
    expect(accepted({ region: 'south' }).delivery.team.pm).toBe('pms');
  });

  it('外采 and cloud deployment open their tasks at once (commercial reviewer, platform ops)', () => {
    const p = accepted({ cloud: true }, true);
    expect(openIds(p).sort()).toEqual(['outsourcing', 'platform_ops', 'requirements']);
    expect(open(p, 'platform_ops')).toMatchObject({ role: 'platform_ops', users: null });
  });
});

describe('requirements and customisation (3.3.2)', () => {
  it('without customisation the PM assigns implementers next; the customisation tasks are skipped', () => {
    const p = act(accepted(), 'requirements', 'pmn', 'submit', requirements());
    expect(openIds(p)).toEqual(['assign']);
    const skipped = p.delivery.tasks.filter((t) => t.state === 'skipped').map((t) => t.defId);
    expect(skipped).toEqual(expect.arrayContaining(['req_list', 'solution_rd', 'custom_estimate', 'custom_accept']));
  });

  it('refuses a confirmation that is not a link, and names the field', () => {
    expect(
      tryAct(accepted(), 'requirements', 'pmn', 'submit', { ...requirements(), link: 'javascript://%0aalert(1)' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FIELD', meta: { field: 'link', why: 'link' } },
    });
  });

  it('inside the contract: list → director review → PM, product and R&D each confirm, then assign', () => {
    let p = act(accepted(), 'requirements', 'pmn', 'submit', requirements(['in_contract']));
    expect(openIds(p)).toEqual(['req_list']);
    p = act(p, 'req_list', 'pmn', 'submit', { link: L('list') });
    p = act(p, 'req_list_review', 'dir', 'approve');
    expect(openIds(p).sort()).toEqual(['solution_pm', 'solution_product', 'solution_rd']);
    p = act(p, 'solution_pm', 'pmn', 'approve');
    p = act(p, 'solution_product', 'prod', 'approve');
    expect(openIds(p)).toEqual(['solution_rd']);
    p = act(p, 'solution_rd', 'rd', 'approve');
    expect(openIds(p)).toEqual(['assign']);
  });

  it('a rejected solution sends the list back: the review and every confirmation decide again', () => {
    let p = act(accepted(), 'requirements', 'pmn', 'submit', requirements(['in_contract']));
    p = act(p, 'req_list', 'pmn', 'submit', { link: L('list') });
    p = act(p, 'req_list_review', 'dir', 'approve');
    p = act(p, 'solution_pm', 'pmn', 'approve');
    p = act(p, 'solution_product', 'prod', 'reject', {}, '缺少接口说明');
    expect(openIds(p)).toEqual(['req_list']);
    p = act(p, 'req_list', 'pmn', 'submit', { link: L('list2') });
    expect(openIds(p)).toEqual(['req_list_review']);
    p = act(p, 'req_list_review', 'dir', 'approve');
    expect(openIds(p).sort()).toEqual(['solution_pm', 'solution_product', 'solution_rd']);
  });

  it('outside the contract: estimate → sales confirms → sales requests → director and R&D agree; both kinds may apply', () => {
    let p = act(accepted(), 'requirements', 'pmn', 'submit', requirements(['in_contract', 'out_of_contract']));
    expect(openIds(p).sort()).toEqual(['custom_estimate', 'req_list']);
    p = act(p, 'custom_estimate', 'pmn', 'submit', { feasibility: '可行', estimate: L('est') });
    p = act(p, 'custom_confirm', 's', 'approve');
    p = act(p, 'custom_request', 's', 'submit', { link: L('req') });
    expect(openIds(p).sort()).toEqual(['custom_accept', 'custom_solution', 'req_list']);
    p = act(p, 'custom_solution', 'dir', 'approve');
    p = act(p, 'custom_accept', 'rd', 'approve', { solution: L('tech') });
    expect(openIds(p)).toEqual(['req_list']);
    p = act(p, 'req_list', 'pmn', 'submit', { link: L('list') });
    p = act(p, 'req_list_review', 'dir', 'approve');
    for (const [id, by] of [
      ['solution_pm', 'pmn'],
      ['solution_product', 'prod'],
      ['solution_rd', 'rd'],
    ] as const)
      p = act(p, id, by, 'approve');
    expect(openIds(p)).toEqual(['assign']);
  });
});

describe('implementers, documents and pickup (3.3.3–3.3.5)', () => {
  it('assigning starts the seven documents, owned by the first implementer (新增需求清单 by the PM), due in 30 days', () => {
    const p = assigned();
    expect(p.delivery.team.implementers).toEqual(['impl', 'impl2']);
    expect(p.delivery.documents).toHaveLength(7);
    expect(p.delivery.documents.find((d) => d.no === 5)?.owner).toBe('pmn');
    expect(p.delivery.documents.find((d) => d.no === 1)).toMatchObject({
      owner: 'impl',
      link: null,
      due: new Date('2026-01-31T00:00:00Z'),
    });
    expect(openIds(p)).toEqual(['pickup']);
    expect(open(p, 'pickup')?.users).toEqual(['impl', 'impl2']);
  });

  it.each([
    ['a wrong registration number', { regno: 'HO-2026-0002', svn: 'svn://x', products: 'x' }, 'regno', 'mismatch'],
    ['no SVN path', { regno: 'HO-2026-0001', products: 'x' }, 'svn', 'required'],
    ['an implementer who is not in the org', {}, 'implementers', 'unknown:nobody'],
  ])('refuses a pickup with %s', (_n, fields, field, why) => {
    const p = field === 'implementers' ? act(accepted(), 'requirements', 'pmn', 'submit', requirements()) : assigned();
    const r =
      field === 'implementers'
        ? tryAct(p, 'assign', 'pmn', 'submit', { implementers: 'nobody' })
        : tryAct(p, 'pickup', 'impl', 'submit', fields);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_FIELD', meta: { field, why } } });
  });

  it('a rejected review goes back to the pickup form', () => {
    let p = act(assigned(), 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 'svn://x', products: 'x' });
    p = act(p, 'pickup_pm', 'pmn', 'reject', {}, 'SVN 路径不对');
    expect(openIds(p)).toEqual(['pickup']);
  });

  it('the product issue waits for the 外采 task, needs a download path, and fills document 1', () => {
    let p = assigned({}, true);
    p = act(p, 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 'svn://x', products: 'x' });
    p = act(p, 'pickup_pm', 'pmn', 'approve');
    p = act(p, 'pickup_commercial', 'biz', 'approve');
    expect(openIds(p)).toEqual(['outsourcing']);
    p = act(p, 'outsourcing', 'biz', 'submit', { note: '已到货' });
    expect(tryAct(p, 'pickup_issue', 'prod', 'submit', { licence: L('lic') })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FIELD', meta: { why: 'one_of' } },
    });
    p = act(p, 'pickup_issue', 'prod', 'submit', { custom: L('custom') });
    expect(p.delivery.documents.find((d) => d.no === 1)?.link).toBe(L('custom'));
    expect(openIds(p)).toEqual(['verification']);
  });

  it('document 1 cannot be filed by hand: the pickup cannot be skipped', () => {
    const r = transition(assigned(), { type: 'doc', by: 'impl', at, doc: 1, link: L('x') }, STANDARD, org);
    expect(r).toMatchObject({ ok: false, error: { code: 'FILLED_BY_TASK' } });
  });
});

describe('verification to hand-over (3.3.6–3.3.10, 3.6, 3.7)', () => {
  it('milestones in order; implementation and acceptance fill documents 2 and 3; integration only when asked', () => {
    let p = act(issued(), 'verification', 'impl', 'submit', { checklist: L('check') });
    p = act(p, 'implementation', 'impl', 'submit', { mode: 'onsite', service_form: L('scan') });
    expect(p.delivery.documents.find((d) => d.no === 2)?.link).toBe(L('scan'));
    expect(openIds(p)).toEqual(['deployed']);
    p = act(p, 'deployed', 'impl', 'submit', { date: '2026-02-01' });
    expect(openIds(p).sort()).toEqual(['training', 'trial_run']);
    expect(tryAct(p, 'trial_run', 'impl', 'submit', { date: '2026-02-30' })).toMatchObject({
      ok: false,
      error: { meta: { why: 'date' } },
    });
  });

  it('an operated project is handed to customer success, approved by its head, before formal operation', () => {
    let p = act(issued({ operated: true }), 'verification', 'impl', 'submit', { checklist: L('check') });
    p = act(p, 'implementation', 'impl', 'submit', { mode: 'remote', service_form: L('s') });
    p = act(p, 'deployed', 'impl', 'submit', { date: '2026-02-01' });
    expect(openIds(p).sort()).toEqual(['cs_handover_request', 'training', 'trial_run']);
    p = act(p, 'trial_run', 'impl', 'submit', { date: '2026-02-02' });
    expect(openIds(p)).not.toContain('formal_operation');
    p = act(p, 'cs_handover_request', 'impl', 'submit', { link: L('cs') });
    expect(tryAct(p, 'cs_handover', 'cs', 'approve')).toMatchObject({ ok: false, error: { code: 'NOT_TASK_HOLDER' } });
    p = act(p, 'cs_handover', 'cshead', 'approve');
    expect(openIds(p)).toContain('formal_operation');
  });

  it('the hand-over needs all seven documents; after-sales approval closes it with the news; the final payment stays open', () => {
    let p = acceptedMilestones(issued());
    expect(openIds(p).sort()).toEqual(['final_payment', 'handover_request']);
    expect(tryAct(p, 'handover_request', 'impl', 'submit')).toMatchObject({
      ok: false,
      error: { code: 'DOCS_INCOMPLETE', meta: { missing: '4,5,6,7' } },
    });
    p = docs(p, 4, 5, 6, 7);
    p = act(p, 'handover_request', 'impl', 'submit');
    p = act(p, 'handover_review', 'ops', 'reject', {}, '验收报告缺签字');
    expect(openIds(p)).toContain('handover_request');
    p = act(p, 'handover_request', 'impl2', 'submit');
    const r = tryAct(p, 'handover_review', 'ops', 'approve');
    if (!r.ok) throw new Error(r.error.code);
    expect(r.value.next.state).toBe('closed');
    expect(r.value.effects.map((e) => e.type)).toContain('news.handover');
    expect(openIds(r.value.next)).toEqual(['final_payment']);
    const paid = act(r.value.next, 'final_payment', 's', 'submit', { date: '2026-03-01' });
    expect(openIds(paid)).toEqual([]);
  });
});

describe('SaaS (3.6.2)', () => {
  it('without integration 售后支持组 takes it over directly, with the news', () => {
    const p = accepted({ kind: 'saas' });
    expect(p.facts.operated).toBe(true);
    expect(openIds(p)).toEqual(['takeover']);
    const r = tryAct(p, 'takeover', 'sup', 'approve');
    expect(r.ok && r.value.next.state).toBe('closed');
    expect(r.ok && r.value.effects.map((e) => e.type)).toContain('news.handover');
  });

  it('a takeover rejected without integration (its reject_to was skipped) opens again instead of leaving nobody holding the project', () => {
    const p = act(accepted({ kind: 'saas' }), 'takeover', 'sup', 'reject', {}, '材料不全');
    expect(p.state).toBe('accepted');
    expect(openIds(p)).toEqual(['takeover']);
    const states = p.delivery.tasks.map((t) => `${t.defId}:${t.state}`);
    expect(states).toEqual(expect.arrayContaining(['delivered:superseded', 'delivered:skipped', 'takeover:rejected']));
    expect(act(p, 'takeover', 'sup', 'approve').state).toBe('closed');
  });

  it('with integration: director assigns a PM → implementers → integration → back to 售后支持组', () => {
    const base = registered({ kind: 'saas', region: 'south' });
    let p = apply(
      base,
      approve('lead'),
      approve('dai'),
      approve('biz', commercial()),
      approve('sup', { need: '需对接', integration: 'yes' }),
    );
    expect(openIds(p)).toEqual(['integration_setup']);
    p = act(p, 'integration_setup', 'dir', 'submit', {});
    expect(p.delivery.team.pm).toBe('pms');
    p = act(p, 'assign', 'pms', 'submit', { implementers: '名impl' });
    p = act(p, 'integration', 'impl', 'submit', { note: '已完成接口对接' });
    p = act(p, 'delivered', 'impl', 'submit', { link: L('d') });
    p = act(p, 'takeover', 'sup', 'approve');
    expect(p.state).toBe('closed');
  });
});

describe('subflows (3.2, 3.3.8, 3.4/3.5, 3.7)', () => {
  const raise = (p: Project, kind: string, by: string, fields: Record<string, string>) =>
    transition(p, { type: 'raise', by, at, kind, fields }, STANDARD, org);

  it('a defect: 测试组 confirms → R&D fixes → product management releases; the raiser is told', () => {
    const r = raise(issued(), 'defect', 'impl', { title: '登录超时' });
    if (!r.ok) throw new Error(r.error.code);
    let p = r.value.next;
    expect(p.delivery.subflows).toEqual([
      expect.objectContaining({ no: 1, kind: 'defect', state: 'open', raisedBy: 'impl' }),
    ]);
    expect(open(p, 'confirm')).toMatchObject({ subflow: 1, role: 'test_group' });
    p = act(p, 'confirm', 'qa', 'approve', {}, undefined, 1);
    p = act(p, 'fix', 'rd', 'submit', { note: '修复会话过期' }, undefined, 1);
    const done = transition(
      p,
      {
        type: 'task',
        by: 'prod',
        at,
        taskId: open(p, 'release')?.no ?? 0,
        action: 'submit',
        fields: { version: '3.1.2', link: L('v') },
      },
      STANDARD,
      org,
    );
    if (!done.ok) throw new Error(done.error.code);
    expect(done.value.next.delivery.subflows[0]?.state).toBe('done');
    expect(done.value.effects).toContainEqual(
      expect.objectContaining({ type: 'notify.users', users: ['impl'], notice: 'subflow_done' }),
    );
  });

  it('a defect the test group does not confirm ends rejected; subflows repeat and number on', () => {
    let p = issued();
    for (const title of ['A', 'B']) {
      const r = raise(p, 'defect', 'impl', { title });
      if (!r.ok) throw new Error(r.error.code);
      p = r.value.next;
    }
    p = act(p, 'confirm', 'qa', 'reject', {}, '无法复现', 1);
    expect(p.delivery.subflows.map((s) => `${s.no}:${s.state}`)).toEqual(['1:rejected', '2:open']);
  });

  it.each([
    ['a support request before the hand-over', 'support', 'ops', 'SUBFLOW_NOT_NOW'],
    ['a defect by someone outside the project', 'defect', 'x', 'NOT_ALLOWED_TO_RAISE'],
    ['an unknown subflow', 'nope', 'impl', 'UNKNOWN_SUBFLOW'],
  ])('refuses %s', (_n, kind, by, code) => {
    expect(raise(issued(), kind, by, { title: 't' })).toMatchObject({ ok: false, error: { code } });
  });

  it('cloud order: commercial review → customer success; change request: the PM', () => {
    const c = raise(accepted(), 'cloud_order', 's', { products: '云签', licences: '100 户 1 年', payment: '已付' });
    if (!c.ok) throw new Error(c.error.code);
    let p = act(c.value.next, 'review', 'biz', 'approve', {}, undefined, 1);
    p = act(p, 'carry_out', 'cs', 'submit', { note: '已开通' }, undefined, 1);
    expect(p.delivery.subflows[0]?.state).toBe('done');
    const ch = raise(assigned(), 'change', 'impl', { title: '增加字段' });
    expect(ch.ok && open(ch.value.next, 'handle')?.users).toEqual(['pmn']);
  });
});

describe('who may act', () => {
  it.each([
    ['requirements by the other region PM', () => accepted(), 'requirements', 'pms', 'submit'],
    [
      'pickup review by an implementer',
      () => act(assigned(), 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 's', products: 'p' }),
      'pickup_pm',
      'impl',
      'approve',
    ],
    [
      'a review submitted as a form',
      () => act(assigned(), 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 's', products: 'p' }),
      'pickup_pm',
      'pmn',
      'submit',
    ],
  ] as const)('refuses %s', (_n, make, id, by, action) => {
    const r = tryAct(make(), id, by, action);
    expect(r.ok).toBe(false);
  });

  it('never mutates its input', () => {
    const p = assigned();
    const copy = structuredClone(p);
    act(p, 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 's', products: 'p' });
    expect(p).toEqual(copy);
  });
});
