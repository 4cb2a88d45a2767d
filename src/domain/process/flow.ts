import type { Effect } from '../effects';
import type { OrgView, UserId } from '../org';
import type { Project } from '../project';
import { evaluate } from './conditions';
import { barsSubmitter, type ProcessDefinition, type SubflowDef, type TaskDef } from './definition';
import { cloneHold } from './hold';
import { resolveHolder } from './holders';
import type { Delivery, FieldValue, Subflow, TaskInstance } from './state';

/** Task instance states that count for the graph: open, done or skipped. Others wait to be reopened. */
const LIVE = new Set(['open', 'done', 'skipped']);
const SATISFIED = new Set(['done', 'skipped']);

/** One flow being interpreted: the project's main flow, or one subflow instance. */
export interface Scope {
  tasks: TaskDef[];
  subflow: Subflow | null;
}

export const mainScope = (p: Project, def: ProcessDefinition): Scope => ({
  tasks: def.flows[p.facts.kind].tasks,
  subflow: null,
});

export function subflowScope(def: ProcessDefinition, s: Subflow): Scope {
  const sd = def.subflows.find((x) => x.id === s.kind) as SubflowDef;
  return { tasks: sd?.steps ?? [], subflow: s };
}

export const inScope = (t: TaskInstance, scope: Scope): boolean => t.subflow === (scope.subflow?.no ?? null);

export function latest(d: Delivery, defId: string, scope: Scope): TaskInstance | undefined {
  for (let i = d.tasks.length - 1; i >= 0; i--) {
    const t = d.tasks[i] as TaskInstance;
    if (t.defId === defId && inScope(t, scope)) return t;
  }
  return undefined;
}

/** `taskId.fieldId` in this scope, `approval.<role>.<field>` from the approval chain. */
export function answerIn(d: Delivery, scope: Scope): (ref: string) => FieldValue | undefined {
  return (ref) => {
    const parts = ref.split('.');
    if (parts[0] === 'approval') return d.approvalAnswers[parts[1] ?? '']?.[parts[2] ?? ''];
    const t = latest(d, parts[0] ?? '', scope);
    return t && t.state === 'done' ? t.answers[parts[1] ?? ''] : undefined;
  };
}

/** The mutable working copy a transition builds (the project itself stays untouched). */
export interface Work {
  p: Project;
  d: Delivery;
  def: ProcessDefinition;
  org: OrgView;
  at: Date;
  effects: Effect[];
  /** Tasks opened by this transition (their holders are told). */
  opened: TaskInstance[];
}

export function cloneDelivery(d: Delivery): Delivery {
  return {
    ...d,
    team: { pm: d.team.pm, implementers: [...d.team.implementers] },
    approvalAnswers: Object.fromEntries(Object.entries(d.approvalAnswers).map(([k, v]) => [k, { ...v }])),
    tasks: d.tasks.map((t) => {
      const c = { ...t, answers: { ...t.answers }, users: t.users ? [...t.users] : null };
      if (t.hold) c.hold = cloneHold(t.hold);
      return c;
    }),
    documents: d.documents.map((x) => ({ ...x })),
    subflows: d.subflows.map((s) => ({ ...s, answers: { ...s.answers } })),
  };
}

export function addInstance(w: Work, def: TaskDef, scope: Scope, state: TaskInstance['state']): TaskInstance | null {
  const project = { ...w.p, delivery: w.d };
  const holding =
    state === 'skipped'
      ? { role: null, region: null, users: null }
      : resolveHolder(def.holder, project, w.def, answerIn(w.d, scope), scope.subflow);
  if (!holding) return null;
  const t: TaskInstance = {
    no: w.d.tasks.reduce((m, x) => Math.max(m, x.no), 0) + 1,
    defId: def.id,
    subflow: scope.subflow?.no ?? null,
    ...holding,
    state,
    answers: {},
    openedAt: w.at,
    closedAt: state === 'skipped' ? w.at : null,
    closedBy: null,
    note: null,
  };
  if (state === 'open' && barsSubmitter(w.def, def)) t.barred = w.p.submitter;
  w.d.tasks.push(t);
  if (state === 'open') {
    w.opened.push(t);
    w.effects.push({ type: 'notify.task', regNo: w.p.regNo, taskId: t.no });
  }
  return t;
}

/**
 * Opens every task whose needs are all done or skipped (skipping those whose `if` is false), until nothing changes.
 * Returns the ids of tasks that could not open because nobody holds them (e.g. no PM yet) — a definition error
 * that process:check reports; at run time the task waits.
 */
export function advance(w: Work, scope: Scope): string[] {
  const stuck: string[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const def of scope.tasks) {
      const last = latest(w.d, def.id, scope);
      if (last && (LIVE.has(last.state) || last.state === 'cancelled')) continue;
      const ready = def.needs.every((n) => {
        const x = latest(w.d, n, scope);
        return x !== undefined && SATISFIED.has(x.state);
      });
      if (!ready) continue;
      const project = { ...w.p, delivery: w.d };
      const skip = def.if !== undefined && !evaluate(def.if, { facts: project.facts, answer: answerIn(w.d, scope) });
      if (addInstance(w, def, scope, skip ? 'skipped' : 'open')) changed = true;
      else if (!stuck.includes(def.id)) stuck.push(def.id);
    }
  }
  return stuck;
}

/** Every task that needs `id`, directly or through others. */
function downstream(scope: Scope, id: string): Set<string> {
  const out = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of scope.tasks) {
      if (out.has(t.id)) continue;
      if (t.needs.some((n) => n === id || out.has(n))) {
        out.add(t.id);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * Sends the flow back to `target`: everything after it decides again. Open tasks after it are superseded,
 * done or skipped ones are marked superseded so the graph re-evaluates them; then `target` reopens — or, when its
 * `if` is false now (it was skipped), is skipped again and the tasks after it reopen.
 */
export function sendBack(w: Work, scope: Scope, target: TaskDef, except: TaskInstance): void {
  const after = downstream(scope, target.id);
  for (const t of w.d.tasks) {
    if (t === except || !inScope(t, scope) || !after.has(t.defId)) continue;
    const newest = latest(w.d, t.defId, scope);
    if (newest !== t || !LIVE.has(t.state)) continue;
    t.state = 'superseded';
    t.closedAt ??= w.at;
  }
  const current = latest(w.d, target.id, scope);
  if (current && current.state === 'open') return;
  if (current && LIVE.has(current.state)) {
    current.state = 'superseded';
  }
  const skip = target.if !== undefined && !evaluate(target.if, { facts: w.p.facts, answer: answerIn(w.d, scope) });
  if (!skip) {
    addInstance(w, target, scope, 'open');
    return;
  }
  addInstance(w, target, scope, 'skipped');
  advance(w, scope);
}

export function close(t: TaskInstance, state: TaskInstance['state'], by: UserId | null, at: Date, note: string | null) {
  t.state = state;
  t.closedAt = at;
  t.closedBy = by;
  t.note = note;
}
