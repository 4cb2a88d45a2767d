import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/domain/events';
import { transferStep } from '../../src/domain/operations';
import type { OrgView } from '../../src/domain/org';
import { holdersOfTask } from '../../src/domain/process/holders';
import type { Project } from '../../src/domain/project';
import { approversOf } from '../../src/domain/routing';
import { transition } from '../../src/domain/transition';
import * as fx from '../helpers/process-fixture';

const { accepted, act, apply, approve, at, commercial, open, openIds, org, registered, STANDARD } = fx;

const L = (s: string) => `https://x/${s}`;
const holders = (p: Project, o: OrgView = org) => {
  const step = p.chain[p.stepIndex];
  return step && p.state === 'in_approval' ? approversOf(p, step, o, STANDARD) : [];
};
const run = (p: Project, ev: WorkflowEvent, o: OrgView = org) => transition(p, ev, STANDARD, o);
const ok = (p: Project, ev: WorkflowEvent, o: OrgView = org): Project => {
  const r = run(p, ev, o);
  if (!r.ok) throw new Error(`${ev.type} by ${ev.by}: ${JSON.stringify(r.error)}`);
  return r.value.next;
};
const refused = (p: Project, ev: WorkflowEvent, o: OrgView = org): string => {
  const r = run(p, ev, o);
  return r.ok ? 'ok' : r.error.code;
};
const transfer = (by: string, to: string, task: number | null = null, note?: string): WorkflowEvent => ({
  type: 'transfer',
  by,
  at,
  task,
  to,
  ...(note ? { note } : {}),
});
const addSigner = (by: string, signer: string, position: 'before' | 'after' | 'with', task: number | null = null) =>
  ({ type: 'addSigner', by, at, task, signer, position }) as const;
const sendBack = (by: string, to: string, task: number | null = null, reason = '材料需补充') =>
  ({ type: 'sendBack', by, at, task, to, reason }) as const;
const revoke = (by: string, task: number | null = null) => ({ type: 'revoke', by, at, task }) as const;
const taskNo = (p: Project, defId: string, sub: number | null = null) =>
  p.delivery.tasks.find((t) => t.defId === defId && t.state === 'open' && t.subflow === sub)?.no ?? -1;
const requirements = { link: L('confirm'), method: 'roundtable', customization: [], integration: 'no' };
const assigned = (): Project => {
  const p = act(accepted(), 'requirements', 'pmn', 'submit', requirements);
  return act(p, 'assign', 'pmn', 'submit', { implementers: ['impl'] });
};
const picked = (): Project =>
  act(assigned(), 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 'svn://x/p', products: 'v3' });

describe('transfer 转交', () => {
  it('hands the approval step to another person: only they decide, the old holder is told where it went', () => {
    const p = registered();
    const r = run(p, transfer('lead', '名x', null, '出差中'));
    expect(r.ok).toBe(false);
    const next = ok(p, transfer('lead', 'x', null, '出差中'));
    expect(holders(next)).toEqual(['x']);
    expect(next.stepIndex).toBe(0);
    expect(next.history.at(-1)).toMatchObject({ action: 'transfer', by: 'lead', reason: '→ 名x：出差中' });
    const effects = (run(p, transfer('lead', 'x')) as { value: { effects: unknown[] } }).value.effects;
    expect(effects).toContainEqual(expect.objectContaining({ type: 'card.moved', users: ['lead'], to: ['x'] }));
    expect(effects).toContainEqual({ type: 'notify.assignees', regNo: p.regNo, only: ['x'] });
    expect(refused(next, approve('lead'))).toBe('NOT_CURRENT_APPROVER');
    const after = ok(next, approve('x'));
    expect(after.stepIndex).toBe(1);
    expect(holders(after)).toEqual(['yang']);
  });

  it.each([
    ['someone who does not hold the step', transfer('yang', 'x'), 'NOT_CURRENT_APPROVER'],
    ['to a person not in the org', transfer('lead', 'nobody'), 'UNKNOWN_PERSON'],
    ['to the one who holds it', transfer('lead', 'lead'), 'ALREADY_HOLDER'],
    ['to the submitter (no self-approval)', transfer('lead', 's'), 'SELF_APPROVAL'],
  ])('is refused: %s', (_what, ev, code) => {
    expect(refused(registered(), ev)).toBe(code);
  });

  it('works on a delivery task: the new holder submits it', () => {
    const p = accepted();
    const no = taskNo(p, 'requirements');
    const next = ok(p, transfer('pmn', 'pms', no));
    const t = next.delivery.tasks.find((x) => x.no === no);
    expect(t && holdersOfTask(t, org)).toEqual(['pms']);
    expect(refused(next, { type: 'task', by: 'pmn', at, taskId: no, action: 'submit', fields: requirements })).toBe(
      'NOT_TASK_HOLDER',
    );
    const done = ok(next, { type: 'task', by: 'pms', at, taskId: no, action: 'submit', fields: requirements });
    expect(openIds(done)).toContain('assign');
  });

  it('works on a sub-flow step', () => {
    let p = ok(picked(), { type: 'raise', by: 'impl', at, kind: 'defect', fields: { title: '登录超时' } });
    const no = taskNo(p, 'confirm', 1);
    p = ok(p, transfer('qa', 'x', no));
    p = ok(p, { type: 'task', by: 'x', at, taskId: no, action: 'approve', fields: {} });
    expect(open(p, 'fix')).toMatchObject({ subflow: 1 });
  });

  it('reassign: the project PM or a director hands any task to someone; nobody else may', () => {
    const p = accepted();
    const no = taskNo(p, 'requirements');
    const reassign = (by: string): WorkflowEvent => ({ ...transfer(by, 'pms', no), authority: 'manager' }) as never;
    expect(refused(p, reassign('impl'))).toBe('NOT_MANAGER');
    const next = ok(p, reassign('dir'));
    expect(next.history.at(-1)?.action).toBe('reassign');
    const t = next.delivery.tasks.find((x) => x.no === no);
    expect(t && holdersOfTask(t, org)).toEqual(['pms']);
  });

  it('transferStep (for timeouts) moves a step without a holder', () => {
    const r = transferStep(
      registered(),
      { by: 'system', at, task: null, to: 'x', note: '超时自动转交' },
      STANDARD,
      org,
    );
    if (!r.ok) throw new Error(r.error.code);
    expect(holders(r.value.next)).toEqual(['x']);
    expect(r.value.record).toMatchObject({ action: 'transfer', by: 'system' });
    // A timeout's transfer to a role: every member holds it, any of them decides.
    const many = transferStep(registered(), { by: 'system', at, task: null, to: ['x', 'biz'] }, STANDARD, org);
    if (!many.ok) throw new Error(many.error.code);
    expect(holders(many.value.next).sort()).toEqual(['biz', 'x']);
  });
});

describe('add signer 加签', () => {
  it('before: the signer decides first, then it comes back to the holder', () => {
    let p = ok(registered(), addSigner('lead', 'x', 'before'));
    expect(holders(p)).toEqual(['x']);
    expect(refused(p, approve('lead'))).toBe('NOT_CURRENT_APPROVER');
    p = ok(p, approve('x'));
    expect(p.stepIndex).toBe(0);
    expect(p.history.at(-1)?.action).toBe('sign');
    expect(holders(p)).toEqual(['lead']);
    p = ok(p, approve('lead'));
    expect(p.stepIndex).toBe(1);
  });

  it('after: the signer decides after the holder; the step completes with the signer', () => {
    let p = ok(registered(), addSigner('lead', 'x', 'after'));
    expect(holders(p)).toEqual(['lead']);
    const r = run(p, approve('lead'));
    if (!r.ok) throw new Error(r.error.code);
    expect(r.value.effects).toContainEqual({ type: 'notify.assignees', regNo: p.regNo, only: ['x'] });
    p = r.value.next;
    expect([p.stepIndex, holders(p)]).toEqual([0, ['x']]);
    p = ok(p, approve('x'));
    expect([p.stepIndex, holders(p)]).toEqual([1, ['yang']]);
  });

  it('alongside (会签): both must approve, in either order; the holder’s form answers are kept', () => {
    const atBiz = apply(registered(), approve('lead'), approve('yang'));
    const withX = ok(atBiz, addSigner('biz', 'x', 'with'));
    expect(holders(withX).sort()).toEqual(['biz', 'x']);
    // The signer first, then the holder with the form.
    let p = ok(withX, approve('x'));
    expect([p.stepIndex, holders(p)]).toEqual([2, ['biz']]);
    p = ok(p, approve('biz', commercial(true)));
    expect(p.stepIndex).toBe(3);
    expect(p.delivery.approvalAnswers.commercial_reviewer?.outsourcing).toBe(true);
    // The holder first: the answers wait for the signer.
    p = ok(withX, approve('biz', commercial(true)));
    expect([p.stepIndex, holders(p)]).toEqual([2, ['x']]);
    p = ok(p, approve('x'));
    expect(p.stepIndex).toBe(3);
    expect(p.delivery.approvalAnswers.commercial_reviewer?.outsourcing).toBe(true);
  });

  it('a signer who rejects rejects the step', () => {
    const p = ok(ok(registered(), addSigner('lead', 'x', 'before')), { type: 'reject', by: 'x', at, reason: '不同意' });
    expect(p.state).toBe('rejected');
  });

  it('is removable by the one who added it until the signer acts', () => {
    const p = ok(registered(), addSigner('lead', 'x', 'before'));
    const removed = ok(p, { type: 'removeSigner', by: 'lead', at, task: null, signer: 'x' });
    expect(holders(removed)).toEqual(['lead']);
    expect(removed.history.at(-1)?.action).toBe('unsign');
    // While the before-signer holds the step, the adder is not a holder: only the signer can act on it.
    expect(refused(p, { type: 'removeSigner', by: 'x', at, task: null, signer: 'x' })).toBe('NOT_YOUR_SIGNER');
    const after = ok(ok(registered(), addSigner('lead', 'x', 'after')), {
      type: 'removeSigner',
      by: 'lead',
      at,
      task: null,
      signer: 'x',
    });
    expect(ok(after, approve('lead')).stepIndex).toBe(1);
    const signed = ok(ok(registered(), addSigner('lead', 'x', 'with')), approve('x'));
    expect(refused(signed, { type: 'removeSigner', by: 'lead', at, task: null, signer: 'x' })).toBe('NO_SUCH_SIGNER');
  });

  it.each([
    ['a person already holding it', addSigner('lead', 'lead', 'before'), 'ALREADY_HOLDER'],
    ['someone who does not hold the step', addSigner('yang', 'x', 'before'), 'NOT_CURRENT_APPROVER'],
    ['an unknown person', addSigner('lead', 'ghost', 'after'), 'UNKNOWN_PERSON'],
  ])('is refused: %s', (_w, ev, code) => {
    expect(refused(registered(), ev)).toBe(code);
  });

  it('on a sub-flow review: a signer before decides first; revoke reopens the done step of the sub-flow', () => {
    let p = ok(picked(), { type: 'raise', by: 'impl', at, kind: 'defect', fields: { title: '登录超时' } });
    const confirm = taskNo(p, 'confirm', 1);
    p = ok(p, addSigner('qa', 'x', 'before', confirm));
    const t = p.delivery.tasks.find((x) => x.no === confirm);
    expect(t && holdersOfTask(t, org)).toEqual(['x']);
    p = ok(p, { type: 'task', by: 'x', at, taskId: confirm, action: 'approve', fields: {} });
    expect(p.history.at(-1)?.action).toBe('sign');
    p = ok(p, { type: 'task', by: 'qa', at, taskId: confirm, action: 'approve', fields: {} });
    expect(open(p, 'fix')).toMatchObject({ subflow: 1 });
    p = ok(p, revoke('qa', confirm));
    expect(open(p, 'confirm')).toMatchObject({ subflow: 1 });
    expect(open(p, 'fix')).toBeUndefined();
  });

  it('on a delivery form task: the holder submits, the signer after approves, then the flow moves on', () => {
    let p = accepted();
    const no = taskNo(p, 'requirements');
    p = ok(p, addSigner('pmn', 'dir', 'after', no));
    p = ok(p, { type: 'task', by: 'pmn', at, taskId: no, action: 'submit', fields: requirements });
    expect(openIds(p)).toEqual(['requirements']);
    const t = p.delivery.tasks.find((x) => x.no === no);
    expect(t && holdersOfTask(t, org)).toEqual(['dir']);
    // The signer sends it back to the holder…
    const back = ok(p, { type: 'task', by: 'dir', at, taskId: no, action: 'reject', fields: {}, reason: '再核对' });
    const bt = back.delivery.tasks.find((x) => x.no === no);
    expect(bt && holdersOfTask(bt, org)).toEqual(['pmn']);
    // …or approves: the task is done with the holder's answers.
    p = ok(p, { type: 'task', by: 'dir', at, taskId: no, action: 'approve', fields: {} });
    expect(p.delivery.tasks.find((x) => x.no === no)).toMatchObject({ state: 'done', closedBy: 'pmn' });
    expect(openIds(p)).toContain('assign');
  });
});

describe('send back 退回', () => {
  const atBiz = () => apply(registered(), approve('lead'), approve('yang'));

  it('to an earlier approval step: the chain continues from there and the steps in between decide again', () => {
    let p = ok(atBiz(), sendBack('biz', '1'));
    expect([p.state, p.stepIndex, holders(p)]).toEqual(['in_approval', 0, ['lead']]);
    expect(p.history.at(-1)).toMatchObject({
      action: 'sendback',
      by: 'biz',
      reason: '退回至「销售主管审批」：材料需补充',
    });
    p = apply(p, approve('lead'));
    expect(holders(p)).toEqual(['yang']);
    p = apply(p, approve('yang'), approve('biz', commercial()));
    expect(p.stepIndex).toBe(3);
  });

  it('by name or role, and never to the current or a later step', () => {
    expect(ok(atBiz(), sendBack('biz', 'special_approver')).stepIndex).toBe(1);
    expect(ok(atBiz(), sendBack('biz', '特批领导审批')).stepIndex).toBe(1);
    expect(refused(atBiz(), sendBack('biz', '3'))).toBe('BAD_SEND_BACK');
    expect(refused(atBiz(), sendBack('biz', '4'))).toBe('BAD_SEND_BACK');
    expect(refused(atBiz(), sendBack('yang', '1'))).toBe('NOT_CURRENT_APPROVER');
    expect(refused(atBiz(), { ...sendBack('biz', '1'), reason: ' ' })).toBe('REASON_REQUIRED');
  });

  it('after an add-signer: the signers of the step decide again too', () => {
    let p = ok(registered(), addSigner('lead', 'x', 'before'));
    p = apply(p, approve('x'), approve('lead'));
    p = ok(p, sendBack('yang', '1'));
    expect(holders(p)).toEqual(['x']);
    p = apply(p, approve('x'), approve('lead'));
    expect(holders(p)).toEqual(['yang']);
  });

  it('on a delivery task: to an earlier task that led here; the later open ones are superseded', () => {
    const p = picked();
    const review = taskNo(p, 'pickup_pm');
    expect(refused(p, sendBack('pmn', 'verification', review))).toBe('BAD_SEND_BACK');
    const back = ok(p, sendBack('pmn', 'pickup', review));
    expect(back.delivery.tasks.find((t) => t.no === review)?.state).toBe('superseded');
    expect(openIds(back)).toEqual(['pickup']);
    const again = ok(p, sendBack('pmn', 'requirements', review));
    expect(openIds(again)).toEqual(['requirements']);
    expect(again.delivery.tasks.filter((t) => t.defId === 'assign').map((t) => t.state)).toEqual(['superseded']);
  });

  it('in a sub-flow: to an earlier step of the same sub-flow', () => {
    let p = ok(picked(), { type: 'raise', by: 'impl', at, kind: 'defect', fields: { title: '登录超时' } });
    p = act(p, 'confirm', 'qa', 'approve', {}, undefined, 1);
    const fix = taskNo(p, 'fix', 1);
    p = ok(p, sendBack('rd', 'confirm', fix));
    expect(open(p, 'confirm')).toMatchObject({ subflow: 1 });
    expect(open(p, 'fix')).toBeUndefined();
  });
});

describe('revoke 撤销同意', () => {
  it('takes back one’s own approval until the next holder acts', () => {
    const p = apply(registered(), approve('lead'));
    const back = ok(p, revoke('lead'));
    expect([back.stepIndex, holders(back)]).toEqual([0, ['lead']]);
    expect(back.history.at(-1)?.action).toBe('revoke');
    expect(refused(p, revoke('yang'))).toBe('NOTHING_TO_REVOKE');
    expect(refused(apply(p, approve('yang')), revoke('lead'))).toBe('NOTHING_TO_REVOKE');
    expect(refused(ok(p, transfer('yang', 'x')), revoke('lead'))).toBe('ALREADY_ACTED');
  });

  it('takes back the acceptance while no delivery task has moved', () => {
    const p = accepted();
    const back = ok(p, revoke('dir'));
    expect([back.state, back.stepIndex, openIds(back)]).toEqual(['in_approval', 3, []]);
    const again = ok(back, approve('dir', { feasibility: '可行', risk: '低' }));
    expect(openIds(again)).toEqual(['requirements']);
    const moved = act(p, 'requirements', 'pmn', 'submit', requirements);
    expect(refused(moved, revoke('dir'))).toBe('ALREADY_ACTED');
  });

  it('reopens a done task for its holder; the tasks it opened are superseded', () => {
    const p = act(accepted(), 'requirements', 'pmn', 'submit', requirements);
    const no = p.delivery.tasks.find((t) => t.defId === 'requirements')?.no ?? -1;
    const back = ok(p, revoke('pmn', no));
    expect(openIds(back)).toEqual(['requirements']);
    expect(refused(p, revoke('dir', no))).toBe('NOTHING_TO_REVOKE');
    expect(refused(assigned(), revoke('pmn', no))).toBe('ALREADY_ACTED');
  });
});

describe('delegation 代理', () => {
  const away = (delegates: Record<string, string>): OrgView => ({ ...org, delegates });

  it('the delegate receives and decides the person’s steps, audited as acting for them', () => {
    const o = away({ lead: 'x' });
    const p = registered();
    expect(holders(p, o)).toEqual(['x']);
    expect(refused(p, approve('lead'), o)).toBe('NOT_CURRENT_APPROVER');
    const next = ok(p, approve('x'), o);
    expect(next.history.at(-1)).toMatchObject({ action: 'approve', by: 'x', onBehalfOf: 'lead' });
  });

  it('a delegation to the submitter does not let them approve their own project', () => {
    const o = away({ lead: 's' });
    const p = registered();
    expect(holders(p, o)).toEqual([]);
    expect(refused(p, approve('s'), o)).toBe('NOT_CURRENT_APPROVER');
  });

  it('on delivery tasks too', () => {
    const o = away({ pmn: 'pms' });
    const p = accepted();
    const no = taskNo(p, 'requirements');
    const r = run(p, { type: 'task', by: 'pms', at, taskId: no, action: 'submit', fields: requirements }, o);
    if (!r.ok) throw new Error(r.error.code);
    expect(r.value.record).toMatchObject({ action: 'submit', by: 'pms', onBehalfOf: 'pmn' });
  });

  it('a transfer during a delegation: the delegate transfers for the person; a transfer to someone away goes to their delegate', () => {
    const o = away({ lead: 'x', yang: 'dai' });
    const p = ok(registered(), transfer('x', 'biz'), o);
    expect(p.history.at(-1)).toMatchObject({ action: 'transfer', by: 'x', onBehalfOf: 'lead' });
    expect(holders(p, o)).toEqual(['biz']);
    const q = ok(registered(), transfer('x', 'yang'), o);
    expect(holders(q, o)).toEqual(['dai']);
    expect(ok(q, approve('dai'), o).history.at(-1)).toMatchObject({ by: 'dai', onBehalfOf: 'yang' });
  });
});
