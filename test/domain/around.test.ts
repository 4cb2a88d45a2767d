import { describe, expect, it } from 'vitest';
import { ccOfStep, ccOfTask, configuredCc, resolveCc } from '../../src/domain/around/cc';
import { currentHolders, isInvolved } from '../../src/domain/around/involvement';
import { dueTimeouts, shortestTimeout, timeoutKey } from '../../src/domain/around/timeouts';
import { mayUrge, urgeKey } from '../../src/domain/around/urge';
import { waitingItems } from '../../src/domain/around/waiting';
import type { ProcessDefinition, TaskDef } from '../../src/domain/process/definition';
import { transition } from '../../src/domain/transition';
import { workingHoursBetween } from '../../src/shared/working-hours';
import { accepted, act, apply, approve, at, open, org, registered, STANDARD, setup } from '../helpers/process-fixture';

/** The standard process with CC and timeouts on a few steps (approval step, flow task, subflow step). */
function withAround(): ProcessDefinition {
  const def: ProcessDefinition = structuredClone(STANDARD);
  const special = def.approval.routes.find((r) => r.id === 'special');
  if (!special?.steps[0] || !special.steps[1]) throw new Error('special route changed');
  special.steps[0] = { ...special.steps[0], cc: [{ role: 'commercial_reviewer' }, { team: 'submitter' }] };
  special.steps[1] = { ...special.steps[1], timeout: { hours: 8, escalate: 'project_director' } };
  const task = (id: string) => def.flows.project.tasks.find((t) => t.id === id) as TaskDef;
  Object.assign(task('requirements'), { cc: [{ role: 'regional_pm' }, { role: 'product_manager' }] });
  Object.assign(task('requirements'), { timeout: { hours: 4, transfer: 'project_director' } });
  const defect = def.subflows.find((s) => s.id === 'defect')?.steps[0];
  if (defect) defect.cc = [{ team: 'raiser' }, { team: 'pm' }];
  return def;
}

const DEF = withAround();
const step = (def: ProcessDefinition, by: string, p = registered({}, def)) => {
  const r = transition(p, approve(by), def, org);
  if (!r.ok) throw new Error(r.error.code);
  return r.value.next;
};

describe('CC (抄送) resolution', () => {
  const p = registered({}, DEF);
  it.each([
    ['a role', [{ role: 'commercial_reviewer' }], [], ['biz']],
    ['a region-split role: the project region only', [{ role: 'regional_pm' }], [], ['pmn']],
    ['the submitter', [{ team: 'submitter' as const }], [], ['s']],
    ['the PM before one is chosen: nobody', [{ team: 'pm' as const }], [], []],
    ['holders are never copied', [{ role: 'sales_lead' }, { role: 'commercial_reviewer' }], ['lead'], ['biz']],
    ['duplicates once', [{ role: 'commercial_reviewer' }, { role: 'commercial_reviewer' }], [], ['biz']],
    ['none configured', undefined, [], []],
  ])('%s', (_name, refs, holders, expected) => {
    expect(resolveCc(refs, p, DEF, org, holders)).toEqual(expected);
  });

  it('an approval step copies what its definition names; a step without cc copies nobody', () => {
    expect(ccOfStep(p, DEF, org, 0, ['lead'])).toEqual(['biz', 's']);
    expect(ccOfStep(p, DEF, org, 1, ['yang'])).toEqual([]);
  });

  it('a delivery task resolves region-split roles for the project (south → its PM)', () => {
    const south = accepted({ region: 'south' });
    const req = open(south, 'requirements');
    if (!req) throw new Error('requirements not open');
    expect(ccOfTask(south, DEF, org, req, ['pms'])).toEqual(['prod']);
  });

  it('a subflow step copies its raiser and the project PM', () => {
    let p2 = accepted();
    p2 = act(p2, 'requirements', 'pmn', 'submit', { link: 'https://x/c', method: 'roundtable', integration: 'no' });
    p2 = act(p2, 'assign', 'pmn', 'submit', { implementers: ['impl'] });
    const r = transition(
      p2,
      { type: 'raise', by: 'impl', at, kind: 'defect', fields: { title: '登录失败' } },
      DEF,
      org,
    );
    if (!r.ok) throw new Error(r.error.code);
    const confirm = r.value.next.delivery.tasks.find((t) => t.defId === 'confirm' && t.state === 'open');
    if (!confirm) throw new Error('defect not open');
    expect(ccOfTask(r.value.next, DEF, org, confirm, ['qa'])).toEqual(['impl', 'pmn']);
  });

  it('configured CC covers the steps the project reached, not those ahead', () => {
    expect(configuredCc(p, DEF, org)).toEqual(['biz', 's']);
    const later = step(DEF, 'lead', p);
    expect(configuredCc(later, DEF, org)).toEqual(['biz', 's']);
  });
});

describe('who may comment (involved in the project)', () => {
  const p = step(DEF, 'lead');
  it.each([
    ['the submitter', 's', [], true],
    ['a past holder (acted)', 'lead', [], true],
    ['the current holder', 'yang', [], true],
    ['copied by the definition', 'biz', [], true],
    ['copied by a holder', 'x', ['x'], true],
    ['a stranger', 'x', [], false],
    ['a holder of a step still ahead', 'dir', [], false],
    ['another region’s approver', 'dai', [], false],
  ])('%s', (_name, user, copied, expected) => {
    expect(isInvolved(p, user, DEF, org, copied)).toBe(expected);
  });

  it('in delivery: the team and whoever closed a task are involved', () => {
    const d = accepted();
    expect(isInvolved(d, 'pmn', STANDARD, org, [])).toBe(true);
    expect(isInvolved(d, 'dir', STANDARD, org, [])).toBe(true);
    expect(isInvolved(d, 'impl', STANDARD, org, [])).toBe(false);
  });

  it('the current holders are told of a comment', () => {
    expect(currentHolders(p, DEF, org)).toEqual(['yang']);
    expect(currentHolders(accepted(), STANDARD, org)).toEqual(['pmn']);
  });
});

describe('urge (催办) by the submitter', () => {
  const p = registered();
  const [item] = waitingItems(p, STANDARD, org);
  if (!item) throw new Error('nothing waits');
  it('only the submitter may urge', () => {
    expect(mayUrge(p, 's')).toBe(true);
    expect(mayUrge(p, 'lead')).toBe(false);
    expect(mayUrge(p, 'pmn')).toBe(false);
  });
  it('one key per step and local day: the same day collides, the next day or the next step does not', () => {
    const next = waitingItems(step(STANDARD, 'lead', p), STANDARD, org)[0];
    if (!next) throw new Error('nothing waits');
    expect(urgeKey(p.regNo, item, '2026-03-02')).toBe(urgeKey(p.regNo, item, '2026-03-02'));
    expect(urgeKey(p.regNo, item, '2026-03-02')).not.toBe(urgeKey(p.regNo, item, '2026-03-03'));
    expect(urgeKey(p.regNo, item, '2026-03-02')).not.toBe(urgeKey(p.regNo, next, '2026-03-02'));
    expect(urgeKey(p.regNo, item, '2026-03-02')).not.toBe(urgeKey('HO-2026-0002', item, '2026-03-02'));
  });
  it('a step reopened (same index, later) is a new step', () => {
    const again = { ...item, since: new Date(item.since.getTime() + 1) };
    expect(urgeKey(p.regNo, again, 'd')).not.toBe(urgeKey(p.regNo, item, 'd'));
  });
});

describe('timeouts', () => {
  it('the shortest timeout of a definition (the sweep looks back that far)', () => {
    expect(shortestTimeout(DEF)).toBe(4);
    const none: ProcessDefinition = structuredClone(STANDARD);
    for (const r of none.approval.routes) for (const s of r.steps) delete s.timeout;
    expect(shortestTimeout(none)).toBeNull();
  });

  const atSpecial = step(DEF, 'lead');
  it.each([
    ['not yet', 7.9, []],
    ['exactly the hours', 8, ['chain:1:1']],
    ['past them', 30, ['chain:1:1']],
  ])('special approval with an 8-hour timeout: %s', (_n, hours, keys) => {
    const due = dueTimeouts(waitingItems(atSpecial, DEF, org), () => hours);
    expect(due.map((d) => d.item.key)).toEqual(keys);
    for (const d of due) expect(d.timeout).toEqual({ hours: 8, escalate: 'project_director' });
  });

  it('a step without a timeout never times out (the nudges stay the default)', () => {
    expect(dueTimeouts(waitingItems(registered({}, DEF), DEF, org), () => 1000)).toEqual([]);
  });

  it('delivery tasks time out on their own clock; transfer is a timeout too', () => {
    const d = apply(registered({}, DEF), approve('lead'), approve('yang'));
    const r = [approve('biz', { check_1: 'yes', check_2: 'yes', check_3: 'yes', check_4: 'yes', outsourcing: 'no' })];
    const acc = r.reduce((x, ev) => {
      const t = transition(x, ev, DEF, org);
      if (!t.ok) throw new Error(t.error.code);
      return t.value.next;
    }, d);
    const t2 = transition(acc, approve('dir', setup), DEF, org);
    if (!t2.ok) throw new Error(t2.error.code);
    const due = dueTimeouts(waitingItems(t2.value.next, DEF, org), () => 5);
    expect(due.map((x) => [x.item.task?.defId, x.timeout.transfer])).toEqual([['requirements', 'project_director']]);
  });

  it('each waiting step times out once: the key names the step and when it opened', () => {
    const [w] = waitingItems(atSpecial, DEF, org);
    if (!w) throw new Error('nothing waits');
    expect(timeoutKey('HO-1', w)).toBe(timeoutKey('HO-1', w));
    expect(timeoutKey('HO-1', w)).not.toBe(timeoutKey('HO-1', { ...w, since: new Date(0) }));
  });
});

describe('working hours (Mon–Fri 09:00–18:00 in the time zone)', () => {
  const tz = 'Asia/Shanghai';
  const t = (s: string) => new Date(s);
  it.each([
    ['within one morning', '2026-03-02T09:00:00+08:00', '2026-03-02T11:30:00+08:00', 2.5],
    ['a whole working day', '2026-03-02T08:00:00+08:00', '2026-03-02T20:00:00+08:00', 9],
    ['evening to next morning', '2026-03-02T17:00:00+08:00', '2026-03-03T10:00:00+08:00', 2],
    ['over a weekend (Fri 17:00 → Mon 10:00)', '2026-03-06T17:00:00+08:00', '2026-03-09T10:00:00+08:00', 2],
    ['all weekend', '2026-03-07T09:00:00+08:00', '2026-03-08T18:00:00+08:00', 0],
    ['a full week', '2026-03-02T00:00:00+08:00', '2026-03-09T00:00:00+08:00', 45],
    ['to before from', '2026-03-03T10:00:00+08:00', '2026-03-02T10:00:00+08:00', 0],
  ])('%s', (_n, from, to, hours) => {
    expect(workingHoursBetween(t(from), t(to), tz)).toBeCloseTo(hours, 6);
  });
  it('in another zone the same instants count differently', () => {
    // 09:00–11:00 Shanghai is 01:00–03:00 UTC: outside working hours in UTC.
    expect(workingHoursBetween(t('2026-03-02T01:00:00Z'), t('2026-03-02T03:00:00Z'), 'UTC')).toBe(0);
  });
});
