import { displayName, membersOf, type OrgView, type Role, regionName, type UserId } from '../org';
import type { Condition, FieldDef, HolderDef, ProcessDefinition, TaskDef } from './definition';
import type { FieldValue } from './state';

/**
 * The dry run "who approves X?": every step a project of given facts would go through and who would hold it, from a
 * definition and the organisation alone (no project, no store). Facts and answers that are not known leave the
 * conditions that read them open ("maybe"). Used by `npm run process:check`; meant for a `/who` command too.
 */
export interface PlanInput {
  kind: 'project' | 'saas';
  region: string | null;
  /** Known project facts (signed, paid, operated, cloud, name …); a missing one is unknown. */
  facts: Record<string, string | boolean>;
  /** Known answers by `taskId.fieldId` (a subflow's steps: `subflowId.stepId.fieldId`) or `approval.<role>.<field>`. */
  answers: Record<string, FieldValue>;
}

export type Truth = 'yes' | 'no' | 'unknown';

export interface PlannedHolder {
  /** e.g. `特批领导（北方）：杨辉玉（杨总）`, `区域项目经理（立项时指派，默认 周经理（北方））`, `实施人员（指派后）`. */
  text: string;
  /** The people known to hold it now (empty for a team not yet chosen). */
  users: UserId[];
}

export interface PlannedStep {
  id: string;
  name: string;
  decide: 'submit' | 'review';
  holder: PlannedHolder;
  /** runs: no condition or it holds; skipped: it does not; maybe: it reads a fact or answer not known. */
  status: 'runs' | 'skipped' | 'maybe';
  /** The condition in words, e.g. `requirements.customization 含 in_contract`. */
  condition: string | null;
  needs: string[];
  rejectTo: string | null;
}

export interface PlannedSubflow {
  id: string;
  name: string;
  command: string;
  aliases: string[];
  when: ('accepted' | 'closed')[];
  raise: PlannedHolder[];
  steps: PlannedStep[];
}

export interface ProjectPlan {
  route: { id: string; name: string; certain: boolean };
  /** The route's steps, then the flow's start task (the executing department's acceptance). */
  approval: PlannedStep[];
  /** Every task of the flow after the start task, in an order that respects `needs` (file order among equals). */
  tasks: PlannedStep[];
  subflows: PlannedSubflow[];
}

export function planProject(def: ProcessDefinition, org: OrgView, input: PlanInput): ProjectPlan {
  const facts: Record<string, string | boolean> = { ...input.facts, kind: input.kind };
  if (input.region !== null) facts.region = input.region;
  const flow = def.flows[input.kind];
  const fact = (name: string) => facts[name];

  let chosen = def.approval.routes.at(-1);
  let certain = true;
  for (const r of def.approval.routes) {
    const t = r.when ? evaluate(r.when, fact, () => undefined) : 'yes';
    if (t === 'no') continue;
    chosen = r;
    certain = t === 'yes';
    break;
  }
  const roleHolder = (role: string) => describeRole(def, org, role, input.region);
  const approval: PlannedStep[] = (chosen?.steps ?? []).map((s) => ({
    id: `approval.${s.role}`,
    name: s.name,
    decide: 'review',
    holder: roleHolder(s.role),
    status: 'runs',
    condition: null,
    needs: [],
    rejectTo: null,
  }));

  const ctx: HolderContext = {
    def,
    org,
    region: input.region,
    flow: flow.tasks,
    start: flow.start,
    answers: input.answers,
  };
  const plan = (tasks: TaskDef[], prefix: string, scope: TaskDef[]): PlannedStep[] => {
    const status = new Map<string, PlannedStep['status']>();
    return topological(tasks).map((t) => {
      const answer = (ref: string): FieldValue | null | undefined => {
        if (ref.startsWith('approval.')) return input.answers[ref];
        const source = ref.split('.')[0] ?? '';
        if (status.get(source) === 'skipped') return null;
        return input.answers[`${prefix}${ref}`];
      };
      const truth = t.if ? evaluate(t.if, fact, answer) : 'yes';
      const s: PlannedStep['status'] = truth === 'yes' ? 'runs' : truth === 'no' ? 'skipped' : 'maybe';
      status.set(t.id, s);
      return {
        id: t.id,
        name: t.name,
        decide: t.decide,
        holder: describeHolder(t.holder, { ...ctx, scope, prefix }),
        status: s,
        condition: t.if ? describeCondition(t.if) : null,
        needs: t.needs,
        rejectTo: t.rejectTo ?? null,
      };
    });
  };
  const all = plan(flow.tasks, '', flow.tasks);
  const start = all.find((t) => t.id === flow.start);
  const subflows = def.subflows.map(
    (s): PlannedSubflow => ({
      id: s.id,
      name: s.name,
      command: s.command,
      aliases: s.aliases,
      when: s.when,
      raise: s.raise.map((h) => describeHolder(h, { ...ctx, scope: s.steps, prefix: `${s.id}.` })),
      steps: plan(s.steps, `${s.id}.`, s.steps),
    }),
  );
  return {
    route: { id: chosen?.id ?? '', name: chosen?.name ?? '', certain },
    approval: start ? [...approval, start] : approval,
    tasks: all.filter((t) => t.id !== flow.start),
    subflows,
  };
}

/** Tri-state evaluation: a fact or answer that is not known (undefined) makes the leaf unknown; null = never given. */
export function evaluate(
  c: Condition,
  fact: (name: string) => string | boolean | undefined,
  answer: (ref: string) => FieldValue | null | undefined,
): Truth {
  if ('all' in c || 'any' in c) {
    const parts = ('all' in c ? c.all : c.any).map((x) => evaluate(x, fact, answer));
    const decisive = 'all' in c ? 'no' : 'yes';
    if (parts.includes(decisive)) return decisive;
    return parts.includes('unknown') ? 'unknown' : decisive === 'no' ? 'yes' : 'no';
  }
  if ('not' in c) {
    const t = evaluate(c.not, fact, answer);
    return t === 'unknown' ? t : t === 'yes' ? 'no' : 'yes';
  }
  const v = 'fact' in c ? fact(c.fact) : answer(c.answer);
  if (v === undefined) return 'unknown';
  if (v === null) return 'no';
  if ('has' in c) return (Array.isArray(v) ? v.includes(c.has) : v === c.has) ? 'yes' : 'no';
  return v === c.is ? 'yes' : 'no';
}

const word = (v: string | boolean) => (v === true ? '是' : v === false ? '否' : v);

export function describeCondition(c: Condition): string {
  if ('all' in c) return c.all.map(describeCondition).join(' 且 ');
  if ('any' in c) return `（${c.any.map(describeCondition).join(' 或 ')}）`;
  if ('not' in c) return `非（${describeCondition(c.not)}）`;
  if ('has' in c) return `${c.answer} 含 ${c.has}`;
  return `${'fact' in c ? c.fact : c.answer} 为 ${word(c.is)}`;
}

/** Tasks in an order where each comes after everything it needs; among ready tasks, file order. */
export function topological(tasks: TaskDef[]): TaskDef[] {
  const placed = new Set<string>();
  const ids = new Set(tasks.map((t) => t.id));
  const out: TaskDef[] = [];
  let rest = tasks;
  while (rest.length) {
    const next = rest.find((t) => t.needs.every((n) => placed.has(n) || !ids.has(n))) ?? (rest[0] as TaskDef);
    out.push(next);
    placed.add(next.id);
    rest = rest.filter((t) => t !== next);
  }
  return out;
}

interface HolderContext {
  def: ProcessDefinition;
  org: OrgView;
  region: string | null;
  /** The main flow's tasks: the ones that set the PM and the implementers. */
  flow: TaskDef[];
  start: string;
  answers: Record<string, FieldValue>;
}

const names = (org: OrgView, users: UserId[]) => users.map((u) => displayName(org, u)).join('、');
const people = (v: FieldValue | undefined): UserId[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v : []);

function describeRole(def: ProcessDefinition, org: OrgView, role: string, region: string | null): PlannedHolder {
  const split = def.roles[role]?.byRegion === true;
  const users = membersOf(org, role as Role, split ? region : null);
  const label = `${def.roles[role]?.name ?? role}${split && region !== null ? `（${regionName(org, region)}）` : ''}`;
  return { text: `${label}：${users.length ? names(org, users) : '（无人）'}`, users };
}

/** A team or answer holder: who is chosen (when the answer is known), else who chooses and the default. */
function chosenBy(ctx: HolderContext, setter: TaskDef | undefined, fieldId: string, key: string, start: boolean) {
  const field: FieldDef | undefined = setter?.form?.fields.find((f) => f.id === fieldId);
  const label = field?.role ? (ctx.def.roles[field.role]?.name ?? field.role) : (field?.label ?? fieldId);
  const chosen = people(ctx.answers[key]);
  if (chosen.length) return { text: `${label}：${names(ctx.org, chosen)}`, users: chosen };
  if (!setter || !field) return { text: `${label}（未指派）`, users: [] };
  const defaults = field.defaultRegionMember && field.role ? membersOf(ctx.org, field.role as Role, ctx.region) : [];
  const when = start ? '立项时' : `「${setter.name}」时`;
  const text = defaults.length ? `${label}（${when}指派，默认 ${names(ctx.org, defaults)}）` : `${label}（指派后）`;
  return { text, users: [] };
}

function describeHolder(h: HolderDef, ctx: HolderContext & { scope: TaskDef[]; prefix: string }): PlannedHolder {
  if ('role' in h) return describeRole(ctx.def, ctx.org, h.role, ctx.region);
  if ('answer' in h) {
    const [taskId = '', fieldId = ''] = h.answer.split('.');
    const setter = ctx.scope.find((t) => t.id === taskId);
    return chosenBy(ctx, setter, fieldId, `${ctx.prefix}${h.answer}`, false);
  }
  if (h.team === 'submitter') {
    const name = ctx.def.roles[ctx.def.registrar]?.name ?? ctx.def.registrar;
    return { text: `${name}（登记人）`, users: [] };
  }
  if (h.team === 'raiser') return { text: '发起人', users: [] };
  const key = h.team;
  const setter = ctx.flow.find((t) => t.sets?.[key] !== undefined);
  const fieldId = setter?.sets?.[key] ?? key;
  return chosenBy(ctx, setter, fieldId, `${setter?.id ?? ''}.${fieldId}`, setter?.id === ctx.start);
}

/** The field an answer reference names: `taskId.fieldId` of the kind's flow, `approval.<role>.<field>`. */
export function answerField(def: ProcessDefinition, kind: 'project' | 'saas', ref: string): FieldDef | null {
  const parts = ref.split('.');
  if (parts[0] === 'approval') {
    const steps = def.approval.routes.flatMap((r) => r.steps).filter((s) => s.role === parts[1]);
    return steps.flatMap((s) => s.form?.fields ?? []).find((f) => f.id === parts[2]) ?? null;
  }
  const task = def.flows[kind].tasks.find((t) => t.id === parts[0]);
  return task?.form?.fields.find((f) => f.id === parts[1]) ?? null;
}

/** A typed answer as the form would store it: several values comma separated, yes/no as booleans. */
export function answerValue(field: FieldDef, text: string): FieldValue | null {
  const t = text.trim();
  if (field.kind === 'yesno' || field.kind === 'check') {
    if (['yes', 'true', '是', 'y'].includes(t.toLowerCase())) return true;
    if (['no', 'false', '否', 'n'].includes(t.toLowerCase())) return false;
    return null;
  }
  if (field.kind === 'multiselect' || (field.kind === 'person' && field.multiple)) {
    const list = t
      .split(/[,，、]/)
      .map((x) => x.trim())
      .filter(Boolean);
    if (field.options && list.some((v) => !field.options?.some((o) => o.value === v))) return null;
    return list;
  }
  if (field.options && !field.options.some((o) => o.value === t)) return null;
  return t;
}
