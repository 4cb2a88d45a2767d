import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/domain/events';
import { missingDocuments, openTasks, type TaskKind } from '../../src/domain/lifecycle';
import type { OrgView } from '../../src/domain/org';
import type { Project, ProjectFacts } from '../../src/domain/project';
import { register, transition } from '../../src/domain/transition';

const org: OrgView = {
  users: {
    s: { name: '销售' },
    biz: { name: '商务' },
    dir: { name: '总监' },
    pmn: { name: '北经理' },
    pms: { name: '南经理' },
    imp: { name: '郑工' },
    imp2: { name: '王工' },
    prod: { name: '产品' },
    cs: { name: '客成' },
    ops: { name: '运维' },
    x: { name: '路人' },
  },
  members: {
    sales: { '*': ['s'] },
    commercial_reviewer: { '*': ['biz'] },
    project_director: { '*': ['dir'] },
    regional_pm: { north: ['pmn'], south: ['pms'] },
    implementer: { '*': ['imp', 'imp2'] },
    product_manager: { '*': ['prod'] },
    customer_success: { '*': ['cs'] },
    after_sales: { '*': ['ops'] },
  },
  regions: ['north', 'south'],
  regionNames: {},
};
const t0 = new Date('2026-01-01T00:00:00Z');
const facts = (over: Partial<ProjectFacts> = {}): ProjectFacts => ({
  name: 'P',
  customer: 'C',
  kind: 'project',
  region: 'north',
  contractNo: 'HT',
  signed: true,
  paid: true,
  reqLink: 'https://r',
  solutionLink: null,
  formLink: 'https://f',
  ...over,
});

function run(p: Project, ...events: WorkflowEvent[]): Project {
  return events.reduce((acc, ev) => {
    const r = transition(acc, ev, org, { docDueDays: 10 });
    if (!r.ok) throw new Error(`${ev.type} by ${ev.by}: ${r.error.code} ${JSON.stringify(r.error.meta ?? {})}`);
    return r.value.next;
  }, p);
}
function start(over: Partial<ProjectFacts> = {}, fields: Record<string, string> = {}): Project {
  const r = register({ type: 'register', by: 's', at: t0, regNo: 'HO-1', facts: facts(over) }, org);
  if (!r.ok) throw new Error(r.error.code);
  const exec = over.kind === 'saas' ? 'cs' : 'dir';
  return run(r.value.next, { type: 'approve', by: 'biz', at: t0 }, { type: 'approve', by: exec, at: t0, fields });
}
const openKinds = (p: Project): TaskKind[] => openTasks(p.lifecycle).map((t) => t.kind);
const taskId = (p: Project, kind: TaskKind): number => {
  const t = openTasks(p.lifecycle).find((x) => x.kind === kind);
  if (!t) throw new Error(`no open ${kind}: ${openKinds(p).join(',')}`);
  return t.id;
};
const act = (
  p: Project,
  kind: TaskKind,
  by: string,
  action: 'approve' | 'reject' | 'submit',
  fields: Record<string, string> = {},
  reason?: string,
): WorkflowEvent => ({
  type: 'task',
  by,
  at: t0,
  taskId: taskId(p, kind),
  action,
  fields,
  ...(reason ? { reason } : {}),
});
const step = (
  p: Project,
  kind: TaskKind,
  by: string,
  action: 'approve' | 'reject' | 'submit',
  fields: Record<string, string> = {},
  reason?: string,
) => run(p, act(p, kind, by, action, fields, reason));

function delivering(): Project {
  let p = start({}, { pm: 'pmn' });
  p = step(p, 'requirements', 'pmn', 'submit', { link: 'https://c', customization: 'none' });
  return step(p, 'assign', 'pmn', 'submit', { implementers: 'imp, 王工' });
}

describe('lifecycle transitions', () => {
  it('setup assigns the region PM by default and opens requirements confirmation for that PM', () => {
    const p = start();
    expect(p.lifecycle.pm).toBe('pmn');
    expect(openTasks(p.lifecycle)).toMatchObject([{ kind: 'requirements', users: ['pmn'] }]);
    expect(start({ region: 'south' }).lifecycle.pm).toBe('pms');
    expect(start({}, { pm: '南经理' }).lifecycle.pm).toBe('pms');
  });

  it.each([
    ['none', 'assign', 'pmn'],
    ['in_contract', 'req_review', 'dir'],
    ['out_of_contract', 'custom_confirm', 's'],
  ] as const)('customisation %s opens %s for %s', (customization, kind, holder) => {
    const p = step(start(), 'requirements', 'pmn', 'submit', { link: 'https://c', customization, detail: 'https://d' });
    expect(openKinds(p)).toEqual([kind]);
    const task = openTasks(p.lifecycle)[0];
    expect(task?.users ?? org.members[task?.role ?? 'sales']?.['*']).toContain(holder);
  });

  it('assigning implementers starts the seven documents, due after the configured days, owned by the first', () => {
    const p = delivering();
    expect(p.lifecycle.implementers).toEqual(['imp', 'imp2']);
    expect(missingDocuments(p.lifecycle)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(p.lifecycle.documents?.[3]).toMatchObject({ owner: 'imp', due: new Date('2026-01-11T00:00:00Z') });
    expect(openTasks(p.lifecycle)).toMatchObject([{ kind: 'pickup', users: ['imp', 'imp2'] }]);
  });

  it('pickup goes PM → commercial → product manager; issuing fills document 1', () => {
    let p = step(delivering(), 'pickup', 'imp2', 'submit', { regNo: 'ho-1', svn: 'svn://x' });
    p = step(p, 'pickup_pm', 'pmn', 'approve');
    p = step(p, 'pickup_commercial', 'biz', 'approve');
    const r = transition(
      p,
      act(p, 'pickup_issue', 'prod', 'submit', { standard: 'https://s', licence: 'https://l' }),
      org,
    );
    expect(r.ok && r.value.effects).toContainEqual({
      type: 'notify.users',
      regNo: 'HO-1',
      users: ['imp', 'imp2'],
      notice: 'pickup_issued',
    });
    p = r.ok ? r.value.next : p;
    expect(p.lifecycle.pickup).toEqual({ svn: 'svn://x', standard: 'https://s', custom: null, licence: 'https://l' });
    expect(missingDocuments(p.lifecycle)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('a rejected pickup review reopens the pickup for the implementers with the reason', () => {
    let p = step(delivering(), 'pickup', 'imp', 'submit', { regNo: 'HO-1', svn: 'svn://x' });
    const r = transition(p, act(p, 'pickup_pm', 'pmn', 'reject', {}, '路径不对'), org);
    p = r.ok ? r.value.next : p;
    expect(openKinds(p)).toEqual(['pickup']);
    expect(r.ok && r.value.effects).toContainEqual(
      expect.objectContaining({ type: 'notify.users', notice: 'task_rejected', reason: '路径不对' }),
    );
    expect(p.history.at(-1)).toMatchObject({ action: 'reject', reason: '路径不对', task: expect.any(Number) });
  });

  it('handover needs every document; operated projects pass customer success first; approval closes with the news', () => {
    let p = delivering();
    const early = transition(p, { type: 'handover', by: 'imp', at: t0, operated: true }, org);
    expect(early).toMatchObject({ ok: false, error: { code: 'DOCS_INCOMPLETE', meta: { missing: '1,2,3,4,5,6,7' } } });
    for (const doc of [1, 2, 3, 4, 5, 6, 7] as const)
      p = run(p, { type: 'doc', by: 'imp2', at: t0, doc, link: `https://d/${doc}` });
    p = run(p, { type: 'handover', by: 'imp', at: t0, operated: true });
    // Document 1 was filed by hand, so the product pickup task is still open; closing the project cancels it.
    expect(openKinds(p)).toEqual(['pickup', 'handover_cs']);
    expect(transition(p, { type: 'handover', by: 'imp', at: t0, operated: false }, org)).toMatchObject({
      ok: false,
      error: { code: 'HANDOVER_PENDING' },
    });
    p = step(p, 'handover_cs', 'cs', 'approve');
    const r = transition(p, act(p, 'handover', 'ops', 'approve'), org);
    expect(r.ok && r.value.next.state).toBe('closed');
    expect(r.ok && r.value.effects.map((e) => e.type)).toEqual(['card.refresh', 'news.handover', 'notify.users']);
    expect(r.ok && openKinds(r.value.next)).toEqual([]);
  });

  it('saas intake: with integration the director assigns a PM; without, after-sales reviews the handover', () => {
    expect(openKinds(start({ kind: 'saas' }, { integration: 'yes' }))).toEqual(['integration_setup']);
    expect(openKinds(start({ kind: 'saas' }, { integration: 'no' }))).toEqual(['handover']);
    const r = register({ type: 'register', by: 's', at: t0, regNo: 'HO-1', facts: facts({ kind: 'saas' }) }, org);
    if (!r.ok) throw new Error(r.error.code);
    const atCs = run(r.value.next, { type: 'approve', by: 'biz', at: t0 });
    expect(transition(atCs, { type: 'approve', by: 'dir', at: t0 }, org)).toMatchObject({
      ok: false,
      error: { code: 'NOT_CURRENT_APPROVER' },
    });
    expect(transition(atCs, { type: 'approve', by: 'cs', at: t0 }, org)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FIELD', meta: { field: 'integration' } },
    });
  });

  type Bad = [string, () => Project, (p: Project) => WorkflowEvent, string, string?];
  const bad: Bad[] = [
    [
      'setup naming someone who is not a PM',
      () => {
        const r = register({ type: 'register', by: 's', at: t0, regNo: 'HO-1', facts: facts() }, org);
        if (!r.ok) throw new Error(r.error.code);
        return run(r.value.next, { type: 'approve', by: 'biz', at: t0 });
      },
      () => ({ type: 'approve', by: 'dir', at: t0, fields: { pm: 'imp' } }),
      'INVALID_FIELD',
      'pm',
    ],
    [
      'a second setup after acceptance',
      () => start(),
      () => ({ type: 'approve', by: 'dir', at: t0 }),
      'REQUEST_CLOSED',
    ],
    [
      'requirements by another PM',
      start,
      (p) => act(p, 'requirements', 'pms', 'submit', { link: 'https://c', customization: 'none' }),
      'NOT_TASK_HOLDER',
    ],
    [
      'requirements without the confirmation link',
      start,
      (p) => act(p, 'requirements', 'pmn', 'submit', { customization: 'none' }),
      'INVALID_FIELD',
      'link',
    ],
    [
      'requirements with a bad customisation',
      start,
      (p) => act(p, 'requirements', 'pmn', 'submit', { link: 'https://c', customization: 'maybe' }),
      'INVALID_FIELD',
      'customization',
    ],
    ['approving a submit task', start, (p) => act(p, 'requirements', 'pmn', 'approve'), 'INVALID_FIELD', 'action'],
    [
      'assigning a non-implementer',
      () => step(start(), 'requirements', 'pmn', 'submit', { link: 'https://c', customization: 'none' }),
      (p) => act(p, 'assign', 'pmn', 'submit', { implementers: 'x' }),
      'INVALID_FIELD',
      'implementers',
    ],
    [
      'pickup without SVN path',
      delivering,
      (p) => act(p, 'pickup', 'imp', 'submit', { regNo: 'HO-1' }),
      'INVALID_FIELD',
      'svn',
    ],
    [
      'pickup with another registration number',
      delivering,
      (p) => act(p, 'pickup', 'imp', 'submit', { regNo: 'HO-2', svn: 's' }),
      'INVALID_FIELD',
      'regNo',
    ],
    [
      'pickup by someone not assigned',
      delivering,
      (p) => act(p, 'pickup', 'x', 'submit', { regNo: 'HO-1', svn: 's' }),
      'NOT_TASK_HOLDER',
    ],
    [
      'a review rejected without a reason',
      () => step(delivering(), 'pickup', 'imp', 'submit', { regNo: 'HO-1', svn: 's' }),
      (p) => act(p, 'pickup_pm', 'pmn', 'reject'),
      'REASON_REQUIRED',
    ],
    [
      'a document with a bad link',
      delivering,
      () => ({ type: 'doc', by: 'imp', at: t0, doc: 2, link: 'not a link' }),
      'INVALID_FIELD',
      'link',
    ],
    [
      'a document from outside the team',
      delivering,
      () => ({ type: 'doc', by: 'x', at: t0, doc: 2, link: 'https://d' }),
      'NOT_TASK_HOLDER',
    ],
    [
      'a due date set by an implementer',
      delivering,
      () => ({ type: 'due', by: 'imp', at: t0, doc: 2, due: t0 }),
      'NOT_TASK_HOLDER',
    ],
    [
      'handover requested by the PM',
      delivering,
      () => ({ type: 'handover', by: 'pmn', at: t0, operated: false }),
      'NOT_TASK_HOLDER',
    ],
    [
      'a task on a project still in approval',
      () => {
        const r = register({ type: 'register', by: 's', at: t0, regNo: 'HO-1', facts: facts() }, org);
        if (!r.ok) throw new Error('x');
        return r.value.next;
      },
      () => ({ type: 'task', by: 'pmn', at: t0, taskId: 1, action: 'submit', fields: {} }),
      'NOT_IN_DELIVERY',
    ],
    [
      'a task that is already done',
      () => step(start(), 'requirements', 'pmn', 'submit', { link: 'https://c', customization: 'none' }),
      () => ({ type: 'task', by: 'pmn', at: t0, taskId: 1, action: 'submit', fields: {} }),
      'TASK_NOT_OPEN',
    ],
  ];
  it.each(bad)('refuses %s', (_n, make, ev, code, field) => {
    const p = make();
    const r = transition(p, ev(p), org);
    expect(r).toMatchObject({ ok: false, error: { code, ...(field ? { meta: { field } } : {}) } });
  });
});
