import { DEFAULT_PROCESS_FILE, LEGACY_PROCESS_FILE, loadProcessFile } from '../../src/config/process-file';
import type { WorkflowEvent } from '../../src/domain/events';
import type { OrgView } from '../../src/domain/org';
import type { ProcessDefinition } from '../../src/domain/process/definition';
import type { RawFields } from '../../src/domain/process/forms';
import type { TaskInstance } from '../../src/domain/process/state';
import type { Project, ProjectFacts } from '../../src/domain/project';
import { register, transition } from '../../src/domain/transition';

export const STANDARD: ProcessDefinition = loadProcessFile(DEFAULT_PROCESS_FILE);
export const LEGACY: ProcessDefinition = loadProcessFile(LEGACY_PROCESS_FILE);

/** One person per role of the standard process (two PMs and two special approvers by region). */
export const org: OrgView = {
  users: Object.fromEntries(
    [
      's',
      'lead',
      'yang',
      'dai',
      'biz',
      'dir',
      'pmn',
      'pms',
      'impl',
      'impl2',
      'rd',
      'qa',
      'prod',
      'cs',
      'cshead',
      'sup',
      'ops',
      'opsmgr',
      'plat',
      'x',
    ].map((u) => [u, { name: `名${u}` }]),
  ),
  members: {
    sales: { '*': ['s'] },
    sales_lead: { '*': ['lead'] },
    special_approver: { north: ['yang'], south: ['dai'] },
    commercial_reviewer: { '*': ['biz'] },
    project_director: { '*': ['dir'] },
    regional_pm: { north: ['pmn'], south: ['pms'] },
    implementer: { '*': ['impl', 'impl2'] },
    rd_manager: { '*': ['rd'] },
    test_group: { '*': ['qa'] },
    product_manager: { '*': ['prod'] },
    customer_success: { '*': ['cs'] },
    customer_success_head: { '*': ['cshead'] },
    after_sales_support: { '*': ['sup'] },
    after_sales: { '*': ['ops'] },
    after_sales_manager: { '*': ['opsmgr'] },
    platform_ops: { '*': ['plat'] },
  },
  regions: ['north', 'south'],
  regionNames: { north: '北方', south: '南方' },
};

export const facts = (over: Partial<ProjectFacts> = {}): ProjectFacts => ({
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
  operated: false,
  cloud: false,
  ...over,
});

export const at = new Date('2026-01-01T00:00:00Z');

export function registered(over: Partial<ProjectFacts> = {}, def = STANDARD, o = org): Project {
  const r = register(
    { type: 'register', by: 's', at, regNo: 'HO-2026-0001', facts: facts(over), processVersion: 2 },
    def,
    o,
  );
  if (!r.ok) throw new Error(r.error.code);
  return r.value.next;
}

export function apply(p: Project, ...events: WorkflowEvent[]): Project {
  return events.reduce((acc, ev) => {
    const r = transition(acc, ev, STANDARD, org);
    if (!r.ok) throw new Error(`${ev.type} by ${ev.by}: ${JSON.stringify(r.error)}`);
    return r.value.next;
  }, p);
}

export const approve = (by: string, fields?: RawFields): WorkflowEvent => ({
  type: 'approve',
  by,
  at,
  ...(fields ? { fields } : {}),
});
export const reject = (by: string, reason = '资料不全'): WorkflowEvent => ({ type: 'reject', by, at, reason });

/** The commercial review's form: every checklist item ticked, 外采 as given. */
export const commercial = (outsourcing = false): RawFields => ({
  check_1: 'yes',
  check_2: 'yes',
  check_3: 'yes',
  check_4: 'yes',
  outsourcing: outsourcing ? 'yes' : 'no',
});
export const setup: RawFields = { feasibility: '可行', risk: '风险可控' };

/** Through the whole special chain to an accepted project. */
export function accepted(over: Partial<ProjectFacts> = {}, outsourcing = false): Project {
  const p = registered(over);
  const exec =
    p.facts.kind === 'project' ? approve('dir', setup) : approve('sup', { need: '已确认', integration: 'no' });
  return apply(
    p,
    approve('lead'),
    approve(p.facts.region === 'north' ? 'yang' : 'dai'),
    approve('biz', commercial(outsourcing)),
    exec,
  );
}

export const open = (p: Project, defId: string): TaskInstance | undefined =>
  p.delivery.tasks.find((t) => t.defId === defId && t.state === 'open');
export const openIds = (p: Project): string[] => p.delivery.tasks.filter((t) => t.state === 'open').map((t) => t.defId);

/** Acts on the open task `defId` (of the main flow, or of subflow `sub`). */
export function act(
  p: Project,
  defId: string,
  by: string,
  action: 'approve' | 'reject' | 'submit',
  fields: RawFields = {},
  reason?: string,
  sub: number | null = null,
): Project {
  const t = p.delivery.tasks.find((x) => x.defId === defId && x.state === 'open' && x.subflow === sub);
  if (!t) throw new Error(`no open task ${defId}; open: ${openIds(p).join(',')}`);
  return apply(p, { type: 'task', by, at, taskId: t.no, action, fields, ...(reason ? { reason } : {}) });
}

export function tryAct(
  p: Project,
  defId: string,
  by: string,
  action: 'approve' | 'reject' | 'submit',
  fields: RawFields = {},
) {
  const t = p.delivery.tasks.find((x) => x.defId === defId && x.state === 'open');
  if (!t) throw new Error(`no open task ${defId}`);
  return transition(p, { type: 'task', by, at, taskId: t.no, action, fields }, STANDARD, org);
}
