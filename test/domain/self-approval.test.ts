import { describe, expect, it } from 'vitest';
import type { WorkflowEvent } from '../../src/domain/events';
import { operate } from '../../src/domain/operations';
import type { OrgView } from '../../src/domain/org';
import type { ProcessDefinition } from '../../src/domain/process/definition';
import type { RawFields } from '../../src/domain/process/forms';
import { barredFrom, canActOn, holdersOfTask, onlyBarredHolds } from '../../src/domain/process/holders';
import type { TaskInstance } from '../../src/domain/process/state';
import type { Project } from '../../src/domain/project';
import { register, transition } from '../../src/domain/transition';
import { at, commercial, facts, org, STANDARD, setup } from '../helpers/process-fixture';

/**
 * Issue 10, finding 4 during delivery: the submitter `s` never decides a review task of their own project, whatever
 * the role, the team, a transfer or a delegation says — unless the process turns the rule off, the task opts out
 * (`self_approval: allowed`) or the task is the submitter's by design. Submit tasks (forms that are work) are not
 * decisions and stay theirs.
 */

/** `s` also holds the commercial review (beside biz) and is a north PM (beside pmn). */
const selfOrg = (over: Partial<OrgView['members']> = {}): OrgView => ({
  ...org,
  members: {
    ...org.members,
    commercial_reviewer: { '*': ['biz', 's'] },
    regional_pm: { north: ['pmn', 's'], south: ['pms'] },
    ...over,
  },
});

function run(p: Project, ev: WorkflowEvent, def: ProcessDefinition, o: OrgView) {
  return transition(p, ev, def, o);
}

function must(p: Project, ev: WorkflowEvent, def: ProcessDefinition, o: OrgView): Project {
  const r = run(p, ev, def, o);
  if (!r.ok) throw new Error(`${ev.type} by ${ev.by}: ${JSON.stringify(r.error)}`);
  return r.value.next;
}

const openTask = (p: Project, defId: string): TaskInstance => {
  const t = p.delivery.tasks.find((x) => x.defId === defId && x.state === 'open');
  if (!t) throw new Error(`no open ${defId}`);
  return t;
};

const task = (p: Project, defId: string, by: string, action: 'approve' | 'submit', fields: RawFields = {}) =>
  ({ type: 'task', by, at, taskId: openTask(p, defId).no, action, fields }) as WorkflowEvent;

/** Registered by `s`, approved through the special chain, set up with `pm` as the PM, implementers assigned. */
function delivering(def: ProcessDefinition, o: OrgView, pm = 'pmn', customization: string[] = []): Project {
  const r = register(
    { type: 'register', by: 's', at, regNo: 'HO-2026-0001', facts: facts(), processVersion: 2 },
    def,
    o,
  );
  if (!r.ok) throw new Error(r.error.code);
  let p = r.value.next;
  for (const ev of [
    { type: 'approve', by: 'lead', at },
    { type: 'approve', by: 'yang', at },
    { type: 'approve', by: 'biz', at, fields: commercial() },
    { type: 'approve', by: 'dir', at, fields: { ...setup, pm } },
  ] as WorkflowEvent[])
    p = must(p, ev, def, o);
  const req = { link: 'https://x/c', method: 'roundtable', customization, integration: 'no' };
  return must(p, task(p, 'requirements', pm, 'submit', req), def, o);
}

/** Through the pickup form to the PM's review of it. */
function atPickupReview(def: ProcessDefinition, o: OrgView, pm = 'pmn'): Project {
  let p = delivering(def, o, pm);
  p = must(p, task(p, 'assign', pm, 'submit', { implementers: 'impl' }), def, o);
  return must(
    p,
    task(p, 'pickup', 'impl', 'submit', { regno: 'HO-2026-0001', svn: 'svn://x', products: 'v3' }),
    def,
    o,
  );
}

/** Through the PM's review to the commercial review of the pickup (held by the commercial_reviewer role). */
function atPickupCommercial(def: ProcessDefinition, o: OrgView): Project {
  const p = atPickupReview(def, o);
  return must(p, task(p, 'pickup_pm', 'pmn', 'approve'), def, o);
}

const withTask = (id: string, over: object): ProcessDefinition => {
  const def = structuredClone(STANDARD);
  const t = def.flows.project.tasks.find((x) => x.id === id);
  Object.assign(t as object, over);
  return def;
};
const RULE_OFF: ProcessDefinition = { ...structuredClone(STANDARD), noSelfApproval: false };

describe('review tasks of a project the submitter registered', () => {
  it.each([
    // case, definition, org, holders, may the submitter act, barred
    ['role-held review, another member holds the role → only the other decides', STANDARD, selfOrg(), ['biz'], false],
    [
      'the task opts out (self_approval: allowed) → the submitter may decide',
      withTask('pickup_commercial', { selfApproval: 'allowed' }),
      selfOrg(),
      ['biz', 's'],
      true,
    ],
    ['process-level no_self_approval off → the submitter may decide', RULE_OFF, selfOrg(), ['biz', 's'], true],
  ] as const)('%s', (_case, def, o, holders, may) => {
    const p = atPickupCommercial(def, o);
    const t = openTask(p, 'pickup_commercial');
    expect(holdersOfTask(t, o)).toEqual(holders);
    expect(t.barred).toBe(may ? undefined : 's');
    const res = run(p, task(p, 'pickup_commercial', 's', 'approve'), def, o);
    if (may) {
      expect(res.ok).toBe(true);
      return;
    }
    expect(res).toEqual({ ok: false, error: { code: 'NOT_TASK_HOLDER', meta: { task: t.no, self: 1 } } });
    expect(barredFrom(t, 's', o)).toBe(true);
    expect(onlyBarredHolds(t, o)).toBe(false);
    expect(
      must(p, task(p, 'pickup_commercial', 'biz', 'approve'), def, o).delivery.tasks.find((x) => x.no === t.no),
    ).toMatchObject({ state: 'done', closedBy: 'biz' });
  });

  it('the submitter is the PM: their forms stay theirs, their review of the pickup has nobody and says why', () => {
    const o = selfOrg();
    const p = atPickupReview(STANDARD, o, 's');
    // requirements and assign (submit tasks) were done by s; the PM's review of the pickup is barred.
    expect(p.delivery.tasks.filter((t) => t.closedBy === 's').map((t) => t.defId)).toEqual(['requirements', 'assign']);
    const t = openTask(p, 'pickup_pm');
    expect(t).toMatchObject({ users: ['s'], barred: 's' });
    expect(holdersOfTask(t, o)).toEqual([]);
    expect(onlyBarredHolds(t, o)).toBe(true);
    expect(run(p, task(p, 'pickup_pm', 's', 'approve'), STANDARD, o)).toMatchObject({
      ok: false,
      error: { code: 'NOT_TASK_HOLDER', meta: { self: 1 } },
    });
    // The director reassigns it: not to the submitter, to the other PM.
    const reassign = (to: string) =>
      operate(p, { type: 'transfer', by: 'dir', at, task: t.no, to, authority: 'manager' }, STANDARD, o);
    expect(reassign('s')).toMatchObject({ ok: false, error: { code: 'SELF_APPROVAL' } });
    const moved = reassign('pmn');
    if (!moved.ok) throw new Error(moved.error.code);
    expect(holdersOfTask(openTask(moved.value.next, 'pickup_pm'), o)).toEqual(['pmn']);
  });

  it('the only member of the role is the submitter: nobody holds it and the holder function says why', () => {
    const o = selfOrg({ commercial_reviewer: { '*': ['biz'] }, rd_manager: { '*': ['s'] } });
    let p = delivering(STANDARD, o, 'pmn', ['in_contract']);
    p = must(p, task(p, 'req_list', 'pmn', 'submit', { link: 'https://x/l' }), STANDARD, o);
    p = must(p, task(p, 'req_list_review', 'dir', 'approve'), STANDARD, o);
    const t = openTask(p, 'solution_rd');
    expect(holdersOfTask(t, o)).toEqual([]);
    expect(onlyBarredHolds(t, o)).toBe(true);
    expect(canActOn(t, 's', o)).toBe(false);
  });

  it('a review held by the submitter by design (确认定制工作量（责任销售）) stays theirs', () => {
    const o = selfOrg();
    let p = delivering(STANDARD, o, 'pmn', ['out_of_contract']);
    p = must(
      p,
      task(p, 'custom_estimate', 'pmn', 'submit', { feasibility: '可行', estimate: 'https://x/e' }),
      STANDARD,
      o,
    );
    const t = openTask(p, 'custom_confirm');
    expect(t.barred).toBeUndefined();
    expect(holdersOfTask(t, o)).toEqual(['s']);
    expect(must(p, task(p, 'custom_confirm', 's', 'approve'), STANDARD, o).delivery.tasks.at(-1)?.defId).toBe(
      'custom_request',
    );
  });

  it('a holder who delegates to the submitter, or transfers to them, does not make them a decider', () => {
    const plain = selfOrg({ commercial_reviewer: { '*': ['biz', 's'] } });
    const p = atPickupCommercial(STANDARD, plain);
    const t = openTask(p, 'pickup_commercial');
    const o: OrgView = { ...plain, delegates: { biz: 's' } };
    expect(holdersOfTask(t, o)).toEqual([]);
    expect(run(p, task(p, 'pickup_commercial', 's', 'approve'), STANDARD, o)).toMatchObject({ ok: false });
    expect(operate(p, { type: 'transfer', by: 'biz', at, task: t.no, to: 's' }, STANDARD, plain)).toMatchObject({
      ok: false,
      error: { code: 'SELF_APPROVAL' },
    });
    // A timeout's transfer to a role's members leaves the submitter out; the others decide.
    const many = operate(
      p,
      { type: 'transfer', by: 'system', at, task: t.no, to: ['s', 'dir'], authority: 'system' },
      STANDARD,
      plain,
    );
    if (!many.ok) throw new Error(many.error.code);
    expect(holdersOfTask(openTask(many.value.next, 'pickup_commercial'), plain)).toEqual(['dir']);
  });

  it('an instance opened before the rule existed (no barred) keeps its holders: pinned behaviour', () => {
    const o = selfOrg();
    const p = atPickupCommercial(STANDARD, o);
    const { barred: _, ...old } = openTask(p, 'pickup_commercial');
    expect(holdersOfTask(old, o)).toEqual(['biz', 's']);
  });
});
