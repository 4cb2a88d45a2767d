import type {
  Condition,
  FieldDef,
  FormDef,
  HolderDef,
  ProcessDefinition,
  TaskDef,
  TimeoutDef,
} from '../domain/process/definition';

/**
 * Semantic checks of a parsed process definition: every reference names something that exists. Each problem has the
 * YAML key path (snake_case, list indexes after `- *alias` splicing) and what is wrong, in English for the admin.
 */
export interface Problem {
  path: string;
  message: string;
}

export const PROJECT_FACTS = [
  'name',
  'customer',
  'kind',
  'region',
  'contractNo',
  'signed',
  'paid',
  'operated',
  'cloud',
] as const;
const BOOLEAN_FACTS = new Set<string>(['signed', 'paid', 'operated', 'cloud']);
const KINDS = ['project', 'saas'] as const;

/** Commands and aliases of src/commands/parse-slash.ts: a subflow command may not take one. */
export const BUILT_IN_COMMANDS = [
  'register',
  'status',
  'mine',
  'approve',
  'reject',
  'resubmit',
  'withdraw',
  'docs',
  'doc',
  'due',
  'handover',
  'remind',
  'help',
  'comment',
  'cc',
  'urge',
  'approve-all',
  'approveall',
  'who',
];
const BUILT_IN_ALIASES = ['立项', '登记', '状态', '查询', '待办', '我的', '重新提交', '撤回', '同意', '通过', '驳回'];
const AROUND_ALIASES = ['评论', '抄送', '催促', '批量同意', '全部同意', '谁审批', '谁处理'];
const BUILT_IN = new Set([
  ...BUILT_IN_COMMANDS,
  ...BUILT_IN_ALIASES,
  ...AROUND_ALIASES,
  '拒绝',
  '帮助',
  '资料',
  '提交资料',
  '截止',
  '移交',
  '催办',
]);

interface Scope {
  base: string;
  tasks: TaskDef[];
  /** The flow's start task; null in a subflow. */
  start: string | null;
}

export function checkDefinition(def: ProcessDefinition): Problem[] {
  const out: Problem[] = [];
  const add = (path: string, message: string): void => {
    out.push({ path, message });
  };
  const roleIds = Object.keys(def.roles);
  const role = (path: string, r: string) => {
    if (!def.roles[r]) add(path, `unknown role "${r}" (roles are: ${roleIds.join(', ')})`);
  };
  role('registrar', def.registrar);

  // Approval routes; the forms of approval steps by role, for `approval.<role>.<field>` answers.
  const approvalForms = new Map<string, FieldDef[]>();
  const routeIds = new Set<string>();
  def.approval.routes.forEach((r, i) => {
    const p = `approval.routes.${i}`;
    if (routeIds.has(r.id)) add(`${p}.id`, `duplicate route id "${r.id}"`);
    routeIds.add(r.id);
    if (r.when) checkCondition(`${p}.when`, r.when, () => 'answers are not known during the approval routing');
    else if (i < def.approval.routes.length - 1) add(`${p}.when`, 'only the last route may omit `when`');
    r.steps.forEach((s, j) => {
      role(`${p}.steps.${j}.role`, s.role);
      s.cc?.forEach((h, k) => {
        if ('role' in h) role(`${p}.steps.${j}.cc.${k}.role`, h.role);
        else if (!('team' in h) || h.team !== 'submitter')
          add(`${p}.steps.${j}.cc.${k}`, 'an approval step copies roles or the submitter (the team is not chosen yet)');
      });
      checkTimeout(`${p}.steps.${j}.timeout`, s.timeout);
      if (s.form) {
        checkForm(`${p}.steps.${j}.form`, s.form);
        approvalForms.set(s.role, [...(approvalForms.get(s.role) ?? []), ...s.form.fields]);
      }
    });
  });
  const last = def.approval.routes.at(-1);
  if (last?.when)
    add(`approval.routes.${def.approval.routes.length - 1}.when`, 'the last route is the fallback: remove its `when`');

  const docNos = new Set<number>();
  def.documents.forEach((d, i) => {
    if (docNos.has(d.no)) add(`documents.${i}.no`, `duplicate document number ${d.no}`);
    docNos.add(d.no);
    const inFlows = Object.values(def.flows).some((f) => f.tasks.some((t) => t.id === d.filledBy));
    if (d.filledBy !== undefined && !inFlows) add(`documents.${i}.filled_by`, `no flow has a task "${d.filledBy}"`);
  });

  for (const kind of KINDS) {
    const flow = def.flows[kind];
    const base = `flows.${kind}`;
    const start = flow.tasks.find((t) => t.id === flow.start);
    const si = flow.tasks.findIndex((t) => t.id === flow.start);
    if (!start) add(`${base}.start`, `no task "${flow.start}" in this flow`);
    else {
      if (start.needs.length) add(`${base}.tasks.${si}.needs`, 'the start task cannot need other tasks');
      if (!('role' in start.holder)) add(`${base}.tasks.${si}.holder`, 'the start task is held by a role');
      if (start.decide !== 'review') add(`${base}.tasks.${si}.decide`, 'the start task is an approval: use review');
      if (start.if) add(`${base}.tasks.${si}.if`, 'the start task cannot be conditional');
    }
    if (!flow.tasks.some((t) => t.closes)) add(`${base}.tasks`, 'no task closes the project (closes: true)');
    checkTasks({ base: `${base}.tasks`, tasks: flow.tasks, start: flow.start });
  }

  const commands = new Map<string, string>();
  const claim = (path: string, name: string) => {
    if (BUILT_IN.has(name)) add(path, `"${name}" is a built-in command`);
    else if (commands.has(name)) add(path, `"${name}" is already used at ${commands.get(name)}`);
    else commands.set(name, path);
  };
  const subflowIds = new Set<string>();
  def.subflows.forEach((s, i) => {
    const p = `subflows.${i}`;
    if (subflowIds.has(s.id)) add(`${p}.id`, `duplicate subflow id "${s.id}"`);
    subflowIds.add(s.id);
    claim(`${p}.command`, s.command);
    s.aliases.forEach((a, j) => {
      claim(`${p}.aliases.${j}`, a);
    });
    s.raise.forEach((h, j) => {
      if ('role' in h) role(`${p}.raise.${j}.role`, h.role);
      else if ('answer' in h || h.team === 'raiser')
        add(`${p}.raise.${j}`, 'raise names roles or pm / implementers / submitter');
    });
    checkForm(`${p}.form`, s.form);
    checkTasks({ base: `${p}.steps`, tasks: s.steps, start: null });
  });
  return out;

  function checkForm(path: string, form: FormDef): void {
    const ids = new Set<string>();
    form.fields.forEach((f, i) => {
      const p = `${path}.fields.${i}`;
      if (ids.has(f.id)) add(`${p}.id`, `duplicate field id "${f.id}"`);
      ids.add(f.id);
      const choice = f.kind === 'select' || f.kind === 'multiselect';
      if (choice && !f.options?.length) add(`${p}.options`, `a ${f.kind} field needs options`);
      if (!choice && f.options) add(`${p}.options`, 'options are only for select and multiselect fields');
      const values = new Set<string>();
      f.options?.forEach((o, j) => {
        if (values.has(o.value)) add(`${p}.options.${j}.value`, `duplicate option "${o.value}"`);
        values.add(o.value);
      });
      if (f.kind !== 'person' && (f.role || f.multiple !== undefined || f.defaultRegionMember !== undefined))
        add(p, 'role, multiple and default_region_member are only for person fields');
      if (f.role !== undefined) role(`${p}.role`, f.role);
      if (f.defaultRegionMember && f.role === undefined) add(`${p}.default_region_member`, 'needs the field role');
    });
    form.oneOf?.forEach((group, i) => {
      group.forEach((id, j) => {
        const f = form.fields.find((x) => x.id === id);
        if (!f) add(`${path}.one_of.${i}.${j}`, `no field "${id}" in this form`);
        else if (f.required) add(`${path}.one_of.${i}.${j}`, `field "${id}" is required, so one_of means nothing`);
      });
    });
  }

  function checkTasks(scope: Scope): void {
    const { base, tasks } = scope;
    const byId = new Map<string, TaskDef>();
    tasks.forEach((t, i) => {
      if (byId.has(t.id)) add(`${base}.${i}.id`, `duplicate id "${t.id}"`);
      byId.set(t.id, t);
    });
    const cyclic = findCycle(tasks, byId);
    if (cyclic) add(`${base}.${tasks.findIndex((t) => t.id === cyclic[0])}.needs`, `cycle: ${cyclic.join(' → ')}`);
    tasks.forEach((t, i) => {
      const p = `${base}.${i}`;
      t.needs.forEach((n, j) => {
        if (n === t.id) add(`${p}.needs.${j}`, 'a task cannot need itself');
        else if (!byId.has(n)) add(`${p}.needs.${j}`, `no task "${n}" here`);
      });
      const before = cyclic ? new Set<string>() : ancestors(t, byId);
      checkHolder(`${p}.holder`, t.holder, scope, byId);
      t.cc?.forEach((h, k) => {
        checkHolder(`${p}.cc.${k}`, h, scope, byId);
      });
      checkTimeout(`${p}.timeout`, t.timeout);
      if (t.form) checkForm(`${p}.form`, t.form);
      const field = (id: string) => t.form?.fields.find((f) => f.id === id);
      if (t.rejectTo !== undefined) {
        if (t.decide !== 'review') add(`${p}.reject_to`, 'only a review task can reject');
        else if (t.rejectTo === 'submitter') {
          if (t.id !== scope.start) add(`${p}.reject_to`, 'only the start task can reject to submitter');
        } else if (!byId.has(t.rejectTo)) add(`${p}.reject_to`, `no task "${t.rejectTo}" here`);
        else if (!cyclic && !before.has(t.rejectTo))
          add(`${p}.reject_to`, `"${t.rejectTo}" is not among the tasks "${t.id}" needs (directly or indirectly)`);
      }
      for (const key of ['pm', 'implementers'] as const) {
        const id = t.sets?.[key];
        if (id === undefined) continue;
        const f = field(id);
        if (f?.kind !== 'person') add(`${p}.sets.${key}`, `"${id}" is not a person field of this task's form`);
      }
      t.fills?.forEach((fill, j) => {
        if (!docNos.has(fill.doc)) add(`${p}.fills.${j}.doc`, `no document number ${fill.doc}`);
        if (!field(fill.field)) add(`${p}.fills.${j}.field`, `no field "${fill.field}" in this task's form`);
      });
      if (t.news && !t.closes) add(`${p}.news`, 'news is posted by the task that closes the project');
      if (t.selfApproval !== undefined) {
        const why = selfApprovalProblem(def, t, scope);
        if (why) add(`${p}.self_approval`, why);
      }
      if (scope.start === null) {
        for (const k of ['requiresDocuments', 'startsDocuments', 'closes', 'keepOpen'] as const)
          if (t[k]) add(p, `${snake(k)} is only for flow tasks, not subflow steps`);
      } else if (t.requiresDocuments && !tasks.some((x) => x.startsDocuments && (before.has(x.id) || cyclic)))
        add(`${p}.requires_documents`, 'no task before it starts the documents (starts_documents: true)');
      if (t.if) {
        checkCondition(`${p}.if`, t.if, (ref) => {
          if (ref.startsWith('approval.')) return approvalField(ref);
          const [taskId = '', fieldId = '', extra] = ref.split('.');
          const source = byId.get(taskId);
          if (!source || extra !== undefined) return 'refer to an answer as taskId.fieldId or approval.<role>.<field>';
          if (!cyclic && !before.has(taskId)) return `"${taskId}" is not among the tasks "${t.id}" needs`;
          return source.form?.fields.find((f) => f.id === fieldId) ?? `task "${taskId}" has no field "${fieldId}"`;
        });
      }
    });
  }

  function checkTimeout(path: string, t: TimeoutDef | undefined): void {
    if (t?.escalate !== undefined) role(`${path}.escalate`, t.escalate);
    if (t?.transfer !== undefined) role(`${path}.transfer`, t.transfer);
  }

  function checkHolder(path: string, h: HolderDef, scope: Scope, byId: Map<string, TaskDef>): void {
    if ('role' in h) role(`${path}.role`, h.role);
    else if ('team' in h) {
      if (h.team === 'raiser' && scope.start !== null) add(`${path}.team`, 'raiser is only for subflow steps');
    } else {
      const [taskId = '', fieldId = ''] = h.answer.split('.');
      const f = byId.get(taskId)?.form?.fields.find((x) => x.id === fieldId);
      if (f?.kind !== 'person') add(`${path}.answer`, `"${h.answer}" is not a person field (taskId.fieldId) here`);
    }
  }

  function approvalField(ref: string): FieldDef | string {
    const [, r = '', fieldId = '', extra] = ref.split('.');
    const fields = approvalForms.get(r);
    if (!fields || extra !== undefined) return `"${ref}": no approval step of role "${r}" has a form`;
    return fields.find((f) => f.id === fieldId) ?? `the approval form of "${r}" has no field "${fieldId}"`;
  }

  function checkCondition(path: string, c: Condition, resolve: (ref: string) => FieldDef | string): void {
    if ('all' in c || 'any' in c) {
      const [key, list] = 'all' in c ? ['all', c.all] : ['any', c.any];
      for (const [i, x] of list.entries()) checkCondition(`${path}.${key}.${i}`, x, resolve);
    } else if ('not' in c) checkCondition(`${path}.not`, c.not, resolve);
    else {
      const found = 'fact' in c ? factProblem(c) : answerProblem(c, resolve(c.answer));
      if (found) add(`${path}.${found[0]}`, found[1]);
    }
  }
}

type Leaf = Exclude<Condition, { all: unknown } | { any: unknown } | { not: unknown }>;

/** `self_approval: allowed` opts a review out of no_self_approval; anywhere else it means nothing. */
function selfApprovalProblem(def: ProcessDefinition, t: TaskDef, scope: Scope): string | null {
  if (t.decide !== 'review') return 'only a review task is a decision; a submit task is work the holder does anyway';
  if ('team' in t.holder && (t.holder.team === 'submitter' || t.holder.team === 'raiser'))
    return `held by the ${t.holder.team} by design, so no_self_approval never bars them here`;
  if (t.id === scope.start) return "the start task is the approval chain's last step: it follows no_self_approval";
  if (!def.noSelfApproval) return 'no_self_approval is false: every review allows self-approval already';
  return null;
}

function factProblem(c: Extract<Leaf, { fact: string }>): [string, string] | null {
  if (!(PROJECT_FACTS as readonly string[]).includes(c.fact))
    return ['fact', `unknown fact "${c.fact}" (facts are: ${PROJECT_FACTS.join(', ')})`];
  const bool = BOOLEAN_FACTS.has(c.fact);
  if (bool !== (typeof c.is === 'boolean')) return ['is', bool ? `${c.fact} is true or false` : `${c.fact} is a text`];
  if (c.fact === 'kind' && !(KINDS as readonly string[]).includes(String(c.is)))
    return ['is', 'kind is project or saas'];
  return null;
}

function answerProblem(c: Exclude<Leaf, { fact: string }>, f: FieldDef | string): [string, string] | null {
  if (typeof f === 'string') return ['answer', f];
  const many = f.kind === 'multiselect' || (f.kind === 'person' && f.multiple === true);
  if ('has' in c) {
    if (!many) return ['has', `has is for multiselect and multiple person fields; "${c.answer}" is ${f.kind}`];
    if (f.options && !f.options.some((o) => o.value === c.has))
      return ['has', `"${c.has}" is not an option of "${c.answer}"`];
    return null;
  }
  if (many) return ['is', `"${c.answer}" holds several values: use has`];
  const yesNo = f.kind === 'yesno' || f.kind === 'check';
  if (yesNo !== (typeof c.is === 'boolean'))
    return ['is', `"${c.answer}" is ${f.kind}: compare with ${yesNo ? 'true or false' : 'a text'}`];
  if (f.options && !f.options.some((o) => o.value === c.is))
    return ['is', `"${String(c.is)}" is not an option of "${c.answer}"`];
  return null;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

/** Every task `t` needs, directly or indirectly. */
function ancestors(t: TaskDef, byId: Map<string, TaskDef>): Set<string> {
  const seen = new Set<string>();
  const stack = [...t.needs];
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.needs ?? []));
  }
  return seen;
}

/** A cycle in `needs` as the ids along it (first = last), or null. */
function findCycle(tasks: TaskDef[], byId: Map<string, TaskDef>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const n of byId.get(id)?.needs ?? []) {
      if (n === id) continue;
      const found = visit(n);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const t of tasks) {
    const found = visit(t.id);
    if (found) return found;
  }
  return null;
}
