import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOrgFile } from '../../src/config/org-file';
import { orgView } from '../../src/config/org-process';
import { DEFAULT_PROCESS_FILE, LEGACY_PROCESS_FILE, loadProcessFile } from '../../src/config/process-file';
import type { Condition, TaskDef } from '../../src/domain/process/definition';
import {
  answerField,
  answerValue,
  describeCondition,
  evaluate,
  type PlanInput,
  planProject,
  topological,
} from '../../src/domain/process/plan';

const standard = loadProcessFile(DEFAULT_PROCESS_FILE);
const org = orgView(parseOrgFile(readFileSync(new URL('../../org.example.yaml', import.meta.url), 'utf8'), 'org'));
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  kind: 'project',
  region: 'north',
  facts: { signed: false, paid: false, operated: true, cloud: false },
  answers: {},
  ...over,
});
const byId = <T extends { id: string }>(steps: T[]): Record<string, T | undefined> =>
  Object.fromEntries(steps.map((s) => [s.id, s]));

describe('planProject: the approval chain', () => {
  it('north, special approval: sales lead → 杨总 → commercial review → the director', () => {
    const plan = planProject(standard, org, input());
    expect(plan.route).toEqual({ id: 'special', name: '特批流程', certain: true });
    expect(plan.approval.map((s) => [s.name, s.holder.users])).toEqual([
      ['销售主管审批', ['li.lead']],
      ['特批领导审批', ['yang.huiyu']],
      ['商务审核', ['zhao.biz']],
      ['项目总监审核并立项', ['sun.director']],
    ]);
    expect(plan.approval[1]?.holder.text).toBe('特批领导（北方）：杨辉玉（杨总）');
  });

  it('south picks 戴总; signed and paid takes the regular route', () => {
    expect(planProject(standard, org, input({ region: 'south' })).approval[1]?.holder.users).toEqual(['dai.juanxiang']);
    const regular = planProject(standard, org, input({ facts: { signed: true, paid: true } }));
    expect(regular.approval.map((s) => s.id)).toEqual(['approval.commercial_reviewer', 'setup']);
  });

  it('unknown signed/paid: the first route that may hold, marked uncertain', () => {
    const plan = planProject(standard, org, input({ facts: { signed: true } }));
    expect(plan.route).toEqual({ id: 'regular', name: '常规流程（商务审核）', certain: false });
  });

  it('saas: the executing department is 售后支持组', () => {
    const plan = planProject(standard, org, input({ kind: 'saas', facts: { signed: true, paid: true } }));
    expect(plan.approval.at(-1)?.holder).toEqual({ text: '售后支持组：马工（售后支持）', users: ['ma.support'] });
  });
});

describe('planProject: the flow', () => {
  it('every task after the start, each after what it needs', () => {
    const plan = planProject(standard, org, input());
    const order = plan.tasks.map((t) => t.id);
    expect(order).toHaveLength(standard.flows.project.tasks.length - 1);
    for (const t of plan.tasks)
      for (const n of t.needs.filter((x) => x !== 'setup')) expect(order.indexOf(n)).toBeLessThan(order.indexOf(t.id));
    expect(order.at(-1)).toBe('handover_review');
  });

  it('conditions are evaluated where facts and answers are known, open where not', () => {
    const plan = byId(
      planProject(standard, org, input({ answers: { 'requirements.customization': ['in_contract'] } })).tasks,
    );
    expect(plan.platform_ops).toMatchObject({ status: 'skipped', condition: 'cloud 为 是' });
    expect(plan.cs_handover).toMatchObject({ status: 'runs', condition: 'operated 为 是' });
    expect(plan.req_list).toMatchObject({ status: 'runs', condition: 'requirements.customization 含 in_contract' });
    expect(plan.custom_estimate).toMatchObject({ status: 'skipped' });
    expect(plan.integration).toMatchObject({ status: 'maybe', condition: 'requirements.integration 为 是' });
    expect(plan.outsourcing).toMatchObject({ status: 'maybe' });
    expect(plan.pickup).toMatchObject({ status: 'runs', condition: null });
  });

  it('team holders: who assigns them and the default PM of the region', () => {
    const plan = byId(planProject(standard, org, input()).tasks);
    expect(plan.requirements?.holder).toEqual({ text: '区域项目经理（立项时指派，默认 周经理（北方））', users: [] });
    expect(plan.pickup?.holder).toEqual({ text: '实施人员（指派后）', users: [] });
    expect(plan.final_payment?.holder.text).toBe('责任销售（登记人）');
    const chosen = byId(
      planProject(standard, org, input({ answers: { 'setup.pm': 'wu.pm', 'assign.implementers': ['zheng.impl'] } }))
        .tasks,
    );
    expect(chosen.requirements?.holder).toEqual({ text: '区域项目经理：吴经理（南方）', users: ['wu.pm'] });
    expect(chosen.pickup?.holder).toEqual({ text: '实施人员：郑工', users: ['zheng.impl'] });
  });

  it('saas without integration skips to the take-over; the PM is assigned by the integration request', () => {
    const plan = planProject(standard, org, input({ kind: 'saas', answers: { 'intake.integration': false } }));
    expect(plan.tasks.map((t) => [t.id, t.status])).toEqual([
      ['integration_setup', 'skipped'],
      ['assign', 'skipped'],
      ['integration', 'skipped'],
      ['delivered', 'skipped'],
      ['takeover', 'runs'],
    ]);
    expect(plan.tasks[1]?.holder.text).toBe(
      '区域项目经理（「实施集成申请：指派区域项目经理」时指派，默认 周经理（北方））',
    );
  });

  it('an answer of a skipped task is never given: the legacy operated hand-over is skipped with it', () => {
    const legacy = loadProcessFile(LEGACY_PROCESS_FILE);
    const plan = byId(
      planProject(legacy, org, input({ kind: 'saas', answers: { 'intake.integration': false } })).tasks,
    );
    expect(plan.handover_request?.status).toBe('skipped');
    expect(plan.handover_cs?.status).toBe('skipped');
    expect(plan.handover?.status).toBe('runs');
  });
});

describe('planProject: subflows', () => {
  it('who may raise each and who holds its steps', () => {
    const subs = byId(planProject(standard, org, input()).subflows);
    expect(subs.defect?.steps.map((s) => s.holder.users)).toEqual([['sun.qa'], ['qian.rd'], ['feng.prod']]);
    expect(subs.support?.raise.map((h) => h.users)).toEqual([['lv.ops'], ['tang.opsmgr']]);
    expect(subs.support?.steps[1]?.holder.text).toContain('默认 周经理（北方）');
    expect(
      byId(planProject(standard, org, input({ answers: { 'support.assign.pm': 'wu.pm' } })).subflows).support?.steps[1]
        ?.holder,
    ).toEqual({ text: '区域项目经理：吴经理（南方）', users: ['wu.pm'] });
  });
});

describe('conditions and answers', () => {
  const facts: Record<string, string | boolean> = { cloud: true, kind: 'project' };
  const fact = (n: string) => facts[n];
  const answers: Record<string, string[] | boolean> = { 'r.c': ['a'] };
  const answer = (r: string) => answers[r];
  it.each<[Condition, string]>([
    [{ fact: 'cloud', is: true }, 'yes'],
    [{ fact: 'signed', is: true }, 'unknown'],
    [{ answer: 'r.c', has: 'a' }, 'yes'],
    [{ answer: 'r.c', has: 'b' }, 'no'],
    [
      {
        all: [
          { fact: 'cloud', is: true },
          { fact: 'signed', is: true },
        ],
      },
      'unknown',
    ],
    [
      {
        all: [
          { fact: 'cloud', is: false },
          { fact: 'signed', is: true },
        ],
      },
      'no',
    ],
    [
      {
        any: [
          { fact: 'cloud', is: true },
          { fact: 'signed', is: true },
        ],
      },
      'yes',
    ],
    [
      {
        any: [
          { fact: 'cloud', is: false },
          { fact: 'kind', is: 'saas' },
        ],
      },
      'no',
    ],
    [{ not: { fact: 'kind', is: 'saas' } }, 'yes'],
    [{ not: { fact: 'paid', is: true } }, 'unknown'],
  ])('%j → %s', (c, truth) => {
    expect(evaluate(c, fact, answer)).toBe(truth);
  });

  it('describes conditions in words', () => {
    expect(describeCondition({ all: [{ fact: 'signed', is: true }, { not: { answer: 'r.c', has: 'x' } }] })).toBe(
      'signed 为 是 且 非（r.c 含 x）',
    );
  });

  it('orders by needs, file order among ready tasks', () => {
    const t = (id: string, needs: string[]): TaskDef => ({
      id,
      name: id,
      holder: { team: 'pm' },
      decide: 'submit',
      needs,
    });
    expect(topological([t('c', ['b']), t('a', []), t('b', ['a']), t('d', [])]).map((x) => x.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('parses typed answers by field kind', () => {
    const custom = answerField(standard, 'project', 'requirements.customization');
    expect(custom?.kind).toBe('multiselect');
    expect(custom && answerValue(custom, 'in_contract, out_of_contract')).toEqual(['in_contract', 'out_of_contract']);
    expect(custom && answerValue(custom, 'other')).toBeNull();
    const outsourcing = answerField(standard, 'project', 'approval.commercial_reviewer.outsourcing');
    expect(outsourcing && answerValue(outsourcing, '是')).toBe(true);
    expect(outsourcing && answerValue(outsourcing, 'maybe')).toBeNull();
    expect(answerField(standard, 'project', 'requirements.colour')).toBeNull();
  });
});
