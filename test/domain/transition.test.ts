import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/domain/events';
import type { OrgView } from '../../src/domain/org';
import type { Project, ProjectFacts } from '../../src/domain/project';
import { planChain } from '../../src/domain/routing';
import { canWithdraw, register, transition } from '../../src/domain/transition';

const org: OrgView = {
  users: {
    s: { name: '销售' },
    lead: { name: '主管' },
    yang: { name: '杨总' },
    dai: { name: '戴总' },
    biz: { name: '商务' },
    dir: { name: '总监' },
    cs: { name: '客成' },
    x: { name: '路人' },
  },
  members: {
    sales: { '*': ['s'] },
    sales_lead: { '*': ['lead'] },
    special_approver: { north: ['yang'], south: ['dai'] },
    commercial_reviewer: { '*': ['biz'] },
    project_director: { '*': ['dir'] },
    customer_success: { '*': ['cs'] },
    regional_pm: { north: ['pmn'], south: ['pms'] },
  },
  regions: ['north', 'south'],
  regionNames: { north: '北方', south: '南方' },
};

const facts = (over: Partial<ProjectFacts> = {}): ProjectFacts => ({
  name: 'P',
  customer: 'C',
  kind: 'project',
  region: 'north',
  contractNo: 'HT-1',
  signed: false,
  paid: false,
  reqLink: 'https://x/req',
  solutionLink: null,
  formLink: 'https://x/form',
  ...over,
});

const at = new Date('2026-01-01T00:00:00Z');
function registered(over: Partial<ProjectFacts> = {}): Project {
  const r = register({ type: 'register', by: 's', at, regNo: 'HO-2026-0001', facts: facts(over) }, org);
  if (!r.ok) throw new Error(r.error.code);
  return r.value.next;
}
function apply(p: Project, ...events: WorkflowEvent[]): Project {
  return events.reduce((acc, ev) => {
    const r = transition(acc, ev, org);
    if (!r.ok) throw new Error(`${ev.type} by ${ev.by}: ${r.error.code}`);
    return r.value.next;
  }, p);
}
const approve = (by: string): WorkflowEvent => ({ type: 'approve', by, at });
const reject = (by: string, reason = '资料不全'): WorkflowEvent => ({ type: 'reject', by, at, reason });

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
      ['commercial_reviewer', 'customer_success'],
    ],
    [
      'saas unsigned → special chain ending at customer success',
      { kind: 'saas' as const },
      ['sales_lead', 'special_approver', 'commercial_reviewer', 'customer_success'],
    ],
  ])('%s', (_name, over, roles) => {
    expect(planChain(facts(over)).map((s) => s.role)).toEqual(roles);
  });

  it.each([
    ['north', 'yang'],
    ['south', 'dai'],
  ])('the special approver of region %s is %s', (region, who) => {
    const p = apply(registered({ region }), approve('lead'));
    expect(transition(p, approve(who === 'yang' ? 'dai' : 'yang'), org)).toMatchObject({
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
    const r = register({ type: 'register', by: 's', at, regNo: 'R', facts: facts(), ...over }, org);
    expect(r).toMatchObject({ ok: false, error: { code } });
  });

  it('accepts a project with only a presales solution', () => {
    expect(registered({ reqLink: null, solutionLink: 'https://x/sol' }).state).toBe('in_approval');
  });

  it('refuses when a step has nobody to act on it', () => {
    const noCs: OrgView = { ...org, members: { ...org.members, customer_success: {} } };
    const r = register({ type: 'register', by: 's', at, regNo: 'R', facts: facts({ kind: 'saas' }) }, noCs);
    expect(r).toMatchObject({ ok: false, error: { code: 'NO_ASSIGNEE', meta: { role: 'customer_success' } } });
  });

  it('notifies the first approver and the submitter', () => {
    const r = register({ type: 'register', by: 's', at, regNo: 'R', facts: facts() }, org);
    expect(r.ok && r.value.effects.map((e) => e.type)).toEqual(['notify.assignees', 'notify.submitter']);
  });
});

describe('transition table', () => {
  const full = ['lead', 'yang', 'biz', 'dir'];
  it('approving every step ends accepted, with one history line per decision', () => {
    const p = apply(registered(), ...full.map(approve));
    expect(p.state).toBe('accepted');
    expect(p.history.map((d) => `${d.action}:${d.by}`)).toEqual(['register:s', ...full.map((u) => `approve:${u}`)]);
    expect(p.version).toBe(5);
  });

  it('the last approval notifies the submitter only; earlier ones also notify the next assignee', () => {
    let p = registered();
    for (const [i, u] of full.entries()) {
      const r = transition(p, approve(u), org);
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
    ['approve after acceptance', () => apply(registered(), ...full.map(approve)), approve('dir'), 'REQUEST_CLOSED'],
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
    const r = transition(p, ev, org);
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

  it('records the outsourcing follow-up at the commercial review only', () => {
    const atBiz = apply(registered(), approve('lead'), approve('yang'));
    expect(apply(atBiz, { type: 'approve', by: 'biz', at, outsourcing: true }).followUps.outsourcing).toBe(true);
    expect(
      apply(registered(), { type: 'approve', by: 'lead', at, outsourcing: true }).followUps.outsourcing,
    ).toBeNull();
  });

  it('never mutates its input', () => {
    const p = registered();
    const copy = structuredClone(p);
    transition(p, approve('lead'), org);
    expect(p).toEqual(copy);
  });
});
