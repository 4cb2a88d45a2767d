import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/domain/events';
import type { OrgView } from '../../src/domain/org';
import type { Project } from '../../src/domain/project';
import { planChain } from '../../src/domain/routing';
import { canWithdraw, register, transition } from '../../src/domain/transition';
import {
  apply,
  approve,
  at,
  commercial,
  facts,
  org,
  registered,
  reject,
  STANDARD,
  setup,
} from '../helpers/process-fixture';

describe('routing (PROCESS.md §2)', () => {
  it.each([
    [
      'signed and paid → commercial review → project director',
      { signed: true, paid: true },
      ['commercial_reviewer', 'project_director'],
    ],
    [
      'signed, unpaid → special chain',
      { signed: true, paid: false },
      ['sales_lead', 'special_approver', 'commercial_reviewer', 'project_director'],
    ],
    [
      'unsigned, paid → special chain',
      { signed: false, paid: true },
      ['sales_lead', 'special_approver', 'commercial_reviewer', 'project_director'],
    ],
    [
      'saas signed and paid → customer success',
      { kind: 'saas' as const, signed: true, paid: true },
      ['commercial_reviewer', 'after_sales_support'],
    ],
    [
      'saas unsigned → special chain ending at customer success',
      { kind: 'saas' as const },
      ['sales_lead', 'special_approver', 'commercial_reviewer', 'after_sales_support'],
    ],
  ])('%s', (_name, over, roles) => {
    expect(planChain(facts(over), STANDARD).map((s) => s.role)).toEqual(roles);
  });

  it.each([
    ['north', 'yang'],
    ['south', 'dai'],
  ])('the special approver of region %s is %s', (region, who) => {
    const p = apply(registered({ region }), approve('lead'));
    expect(transition(p, approve(who === 'yang' ? 'dai' : 'yang'), STANDARD, org)).toMatchObject({
      ok: false,
      error: { code: 'NOT_CURRENT_APPROVER' },
    });
    expect(apply(p, approve(who)).stepIndex).toBe(2);
  });
});

describe('register', () => {
  it.each([
    ['a non-sales user', { by: 'x' }, 'NOT_ALLOWED_TO_REGISTER'],
    ['a project without req or solution', { facts: facts({ reqLink: null }) }, 'MISSING_DOCUMENT'],
    [
      'a saas project with only a solution',
      { facts: facts({ kind: 'saas', reqLink: null, solutionLink: 'https://s' }) },
      'MISSING_DOCUMENT',
    ],
    ['an unknown region', { facts: facts({ region: 'west' }) }, 'UNKNOWN_REGION'],
  ])('refuses %s', (_n, over, code) => {
    const r = register(
      { type: 'register', by: 's', at, regNo: 'R', facts: facts(), processVersion: 2, ...over },
      STANDARD,
      org,
    );
    expect(r).toMatchObject({ ok: false, error: { code } });
  });

  it('accepts a project with only a presales solution', () => {
    expect(registered({ reqLink: null, solutionLink: 'https://x/sol' }).state).toBe('in_approval');
  });

  it('refuses when a step has nobody to act on it', () => {
    const noSup: OrgView = { ...org, members: { ...org.members, after_sales_support: {} } };
    const r = register(
      { type: 'register', by: 's', at, regNo: 'R', facts: facts({ kind: 'saas' }), processVersion: 2 },
      STANDARD,
      noSup,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'NO_ASSIGNEE', meta: { role: 'after_sales_support' } } });
  });

  it('notifies the first approver and the submitter', () => {
    const r = register({ type: 'register', by: 's', at, regNo: 'R', facts: facts(), processVersion: 2 }, STANDARD, org);
    expect(r.ok && r.value.effects.map((e) => e.type)).toEqual(['notify.assignees', 'notify.submitter']);
  });
});

describe('transition table', () => {
  const full = ['lead', 'yang', 'biz', 'dir'];
  const step = (u: string): WorkflowEvent =>
    u === 'biz' ? approve(u, commercial()) : u === 'dir' ? approve(u, setup) : approve(u);
  it('approving every step ends accepted, with one history line per decision', () => {
    const p = apply(registered(), ...full.map(step));
    expect(p.state).toBe('accepted');
    expect(p.history.map((d) => `${d.action}:${d.by}`)).toEqual(['register:s', ...full.map((u) => `approve:${u}`)]);
    expect(p.version).toBe(5);
  });

  it('the last approval notifies the submitter only; earlier ones also notify the next assignee', () => {
    let p = registered();
    for (const [i, u] of full.entries()) {
      const r = transition(p, step(u), STANDARD, org);
      if (!r.ok) throw new Error(r.error.code);
      const types = r.value.effects.map((e) => e.type);
      expect(types).toEqual(
        i < full.length - 1
          ? ['card.refresh', 'notify.assignees', 'notify.submitter']
          : ['card.refresh', 'notify.submitter', 'notify.task'],
      );
      p = r.value.next;
    }
  });

  it('reject sends it back with the reason; resubmit restarts at the first approver in a new round', () => {
    const rejected = apply(registered(), approve('lead'), reject('yang', '金额不符'));
    expect(rejected.state).toBe('rejected');
    expect(rejected.history.at(-1)).toMatchObject({ action: 'reject', reason: '金额不符', by: 'yang' });
    const again = apply(rejected, { type: 'resubmit', by: 's', at });
    expect(again).toMatchObject({ state: 'in_approval', round: 2, stepIndex: 0 });
    expect(again.history).toHaveLength(4);
  });

  it('resubmit with changes re-plans the route (now signed and paid → commercial review first)', () => {
    const rejected = apply(registered(), reject('lead'));
    const again = apply(rejected, { type: 'resubmit', by: 's', at, changes: { signed: true, paid: true } });
    expect(again.chain.map((s) => s.role)).toEqual(['commercial_reviewer', 'project_director']);
  });

  type Row = [string, () => Project, WorkflowEvent, string];
  const illegal: Row[] = [
    ['approve by someone else', registered, approve('x'), 'NOT_CURRENT_APPROVER'],
    ['approve by a later approver', registered, approve('biz'), 'NOT_CURRENT_APPROVER'],
    ['approve by the submitter', registered, approve('s'), 'NOT_CURRENT_APPROVER'],
    ['reject without a reason', registered, reject('lead', '   '), 'REASON_REQUIRED'],
    ['approve after rejection', () => apply(registered(), reject('lead')), approve('lead'), 'REQUEST_CLOSED'],
    ['approve after acceptance', () => apply(registered(), ...full.map(step)), approve('dir'), 'REQUEST_CLOSED'],
    [
      'approve after withdrawal',
      () => apply(registered(), { type: 'withdraw', by: 's', at }),
      approve('lead'),
      'REQUEST_CLOSED',
    ],
    ['resubmit while in approval', registered, { type: 'resubmit', by: 's', at }, 'NOT_REJECTED'],
    [
      'resubmit by someone else',
      () => apply(registered(), reject('lead')),
      { type: 'resubmit', by: 'lead', at },
      'NOT_SUBMITTER',
    ],
    [
      'resubmit dropping the only document',
      () => apply(registered(), reject('lead')),
      { type: 'resubmit', by: 's', at, changes: { reqLink: null } },
      'MISSING_DOCUMENT',
    ],
    ['withdraw by someone else', registered, { type: 'withdraw', by: 'lead', at }, 'NOT_SUBMITTER'],
    [
      'withdraw after an approval',
      () => apply(registered(), approve('lead')),
      { type: 'withdraw', by: 's', at },
      'ALREADY_DECIDED',
    ],
    [
      'withdraw twice',
      () => apply(registered(), { type: 'withdraw', by: 's', at }),
      { type: 'withdraw', by: 's', at },
      'REQUEST_CLOSED',
    ],
  ];
  it.each(illegal)('refuses %s', (_n, make, ev, code) => {
    const p = make();
    const r = transition(p, ev, STANDARD, org);
    expect(r).toMatchObject({ ok: false, error: { code } });
  });

  it('withdraw is allowed before any decision and after a rejection', () => {
    expect(canWithdraw(registered())).toBe(true);
    expect(canWithdraw(apply(registered(), reject('lead')))).toBe(true);
    expect(apply(registered(), reject('lead'), { type: 'withdraw', by: 's', at }).state).toBe('withdrawn');
    // In round 2 nobody has approved yet: withdrawal is allowed again.
    expect(canWithdraw(apply(registered(), approve('lead'), reject('yang'), { type: 'resubmit', by: 's', at }))).toBe(
      true,
    );
  });

  it('records the commercial review form (checklist ticks and 外采) as the step answers', () => {
    const atBiz = apply(registered(), approve('lead'), approve('yang'));
    const next = apply(atBiz, approve('biz', commercial(true)));
    expect(next.delivery.approvalAnswers.commercial_reviewer).toMatchObject({
      outsourcing: true,
      check_1: true,
      check_4: true,
    });
    expect(apply(registered(), approve('lead')).delivery.approvalAnswers).toEqual({ sales_lead: {} });
  });

  it.each([
    ['no ticks at all', { outsourcing: 'no' }, 'check_1', 'required'],
    ['an item left unticked', { ...commercial(), check_3: 'no' }, 'check_3', 'unchecked'],
    [
      '外采 not answered',
      { check_1: 'yes', check_2: 'yes', check_3: 'yes', check_4: 'yes' },
      'outsourcing',
      'required',
    ],
  ])('refuses the commercial review with %s', (_n, fields, field, why) => {
    const atBiz = apply(registered(), approve('lead'), approve('yang'));
    expect(transition(atBiz, approve('biz', fields), STANDARD, org)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FIELD', meta: { field, why } },
    });
  });

  it('typed checklist=all ticks every item', () => {
    const atBiz = apply(registered(), approve('lead'), approve('yang'));
    expect(apply(atBiz, approve('biz', { checklist: 'all', outsourcing: 'no' })).stepIndex).toBe(3);
  });

  it('the setup asks for both feasibility and risk', () => {
    const atDir = apply(registered(), approve('lead'), approve('yang'), approve('biz', commercial()));
    expect(transition(atDir, approve('dir', { feasibility: '可行' }), STANDARD, org)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FIELD', meta: { field: 'risk', why: 'required' } },
    });
  });

  it('self-approval: a sales lead who registered their own project cannot approve it; another lead decides', () => {
    const two: OrgView = {
      ...org,
      members: { ...org.members, sales: { '*': ['s', 'lead'] }, sales_lead: { '*': ['lead', 'x'] } },
    };
    const r = register(
      { type: 'register', by: 'lead', at, regNo: 'R', facts: facts(), processVersion: 2 },
      STANDARD,
      two,
    );
    if (!r.ok) throw new Error(r.error.code);
    expect(transition(r.value.next, approve('lead'), STANDARD, two)).toMatchObject({
      ok: false,
      error: { code: 'NOT_CURRENT_APPROVER' },
    });
    expect(transition(r.value.next, approve('x'), STANDARD, two).ok).toBe(true);
    const alone: OrgView = { ...org, members: { ...org.members, sales: { '*': ['s', 'lead'] } } };
    expect(
      register({ type: 'register', by: 'lead', at, regNo: 'R', facts: facts(), processVersion: 2 }, STANDARD, alone),
    ).toMatchObject({
      ok: false,
      error: { code: 'SELF_APPROVAL', meta: { role: 'sales_lead' } },
    });
  });

  it('never mutates its input', () => {
    const p = registered();
    const copy = structuredClone(p);
    transition(p, approve('lead'), STANDARD, org);
    expect(p).toEqual(copy);
  });
});
