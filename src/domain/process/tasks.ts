import { type DomainError, domainError } from '../errors';
import { actingAs, type UserId } from '../org';
import { err, ok, type Result } from '../result';
import type { ProcessDefinition, TaskDef } from './definition';
import { advance, close, mainScope, type Scope, sendBack, subflowScope, type Work } from './flow';
import { type RawFields, validateForm } from './forms';
import { ownerMustWait, settle, signedOff, signerNow } from './hold';
import { barredFrom, baseHoldersOfTask, canActOn, taskHoldersNow } from './holders';
import { missingDocuments, type TaskInstance } from './state';

export type TaskAction = 'approve' | 'reject' | 'submit';

export function taskDef(
  def: ProcessDefinition,
  t: Pick<TaskInstance, 'defId' | 'subflow'>,
  kind: 'project' | 'saas',
  subflowKind?: string,
): TaskDef | undefined {
  const tasks =
    t.subflow === null ? def.flows[kind].tasks : (def.subflows.find((s) => s.id === subflowKind)?.steps ?? []);
  return tasks.find((x) => x.id === t.defId);
}

const DAY_MS = 86_400_000;

/** The acceptance documents start: owners (first implementer, or the PM) and due dates from the definition. */
function startDocuments(w: Work): void {
  if (w.d.documents.length) return;
  const first = w.d.team.implementers[0] ?? w.d.team.pm ?? w.p.submitter;
  w.d.documents = w.def.documents.map((doc) => ({
    no: doc.no,
    owner: doc.owner === 'pm' ? (w.d.team.pm ?? first) : first,
    due: new Date(w.at.getTime() + doc.dueDays * DAY_MS),
    link: null,
    submittedAt: null,
    submittedBy: null,
  }));
}

/** What a done task changes besides itself: the team, documents it fills, closing and news. */
function applyDone(w: Work, def: TaskDef, t: TaskInstance, scope: Scope): boolean {
  if (def.sets?.pm) {
    const v = t.answers[def.sets.pm];
    if (typeof v === 'string') w.d.team.pm = v;
  }
  if (def.sets?.implementers) {
    const v = t.answers[def.sets.implementers];
    if (Array.isArray(v)) w.d.team.implementers = [...v];
    else if (typeof v === 'string') w.d.team.implementers = [v];
  }
  if (def.startsDocuments) startDocuments(w);
  const filled = new Set<number>();
  for (const f of def.fills ?? []) {
    const v = t.answers[f.field];
    const doc = w.d.documents.find((x) => x.no === f.doc);
    if (!doc || filled.has(f.doc) || typeof v !== 'string' || v === '') continue;
    Object.assign(doc, { link: v, submittedAt: w.at, submittedBy: t.closedBy });
    filled.add(f.doc);
  }
  if (scope.subflow === null && def.closes) {
    for (const x of w.d.tasks) {
      if (x.state !== 'open' || x.subflow !== null) continue;
      const xd = scope.tasks.find((d) => d.id === x.defId);
      if (!xd?.keepOpen) close(x, 'cancelled', null, w.at, null);
    }
    w.d.closedAt = w.at;
    if (def.news) w.effects.push({ type: 'news.handover', regNo: w.p.regNo });
    return true;
  }
  return false;
}

/** When every step of a subflow is done or skipped, the subflow is done. */
function finishSubflow(w: Work, scope: Scope): void {
  const s = scope.subflow;
  if (!s) return;
  const states = scope.tasks.map(
    (d) => [...w.d.tasks].reverse().find((t) => t.defId === d.id && t.subflow === s.no)?.state,
  );
  if (states.every((x) => x === 'done' || x === 'skipped')) {
    const live = w.d.subflows.find((x) => x.no === s.no);
    if (live) Object.assign(live, { state: 'done', closedAt: w.at });
    w.effects.push({
      type: 'notify.users',
      regNo: w.p.regNo,
      users: [s.raisedBy],
      notice: 'subflow_done',
      subflow: s.no,
    });
  }
}

/**
 * A holder acts on a task instance: submit its form, approve or reject a review. Mutates the working copy.
 * Returns whether the project closed.
 */
export function actOnTask(
  w: Work,
  taskNo: number,
  action: TaskAction,
  by: UserId,
  raw: RawFields,
  reason: string | undefined,
): Result<TaskActed, DomainError> {
  const t = w.d.tasks.find((x) => x.no === taskNo);
  if (t?.state !== 'open') return err(domainError('TASK_NOT_OPEN', { task: taskNo }));
  if (!canActOn(t, by, w.org)) {
    // `self: 1`: the user would hold it but submitted the project (no self-approval).
    return err(domainError('NOT_TASK_HOLDER', barredFrom(t, by, w.org) ? { task: taskNo, self: 1 } : { task: taskNo }));
  }
  const sub = t.subflow === null ? null : (w.d.subflows.find((s) => s.no === t.subflow) ?? null);
  const scope = sub ? subflowScope(w.def, sub) : mainScope(w.p, w.def);
  const def = scope.tasks.find((d) => d.id === t.defId);
  if (!def) return err(domainError('TASK_NOT_OPEN', { task: taskNo }));
  const acting = actingAs(w.org, taskHoldersNow(t, w.org), by);
  const onBehalfOf = acting?.onBehalfOf ?? null;
  const as = acting?.as ?? by;
  const base = baseHoldersOfTask(t, w.org);
  const before = taskHoldersNow(t, w.org);
  /** The task waits for its signers: whoever holds it now (and did not before) gets the card. */
  const waiting = (): Result<TaskActed, DomainError> => {
    const hold = settle(base, t.hold);
    if (hold) t.hold = hold;
    const only = taskHoldersNow(t, w.org).filter((u) => !before.includes(u));
    if (only.length) w.effects.push({ type: 'notify.task', regNo: w.p.regNo, taskId: t.no, only });
    return ok({ closed: false, task: t, signed: true, onBehalfOf });
  };
  const signer = signerNow(base, t.hold, as);
  if (signer && t.hold) {
    // An added signer (加签): approves (no form) or refuses; refusing a form task sends it back to its holder.
    const hold = t.hold;
    if (action === 'reject' && def.decide === 'submit') {
      if (!reason?.trim()) return err(domainError('REASON_REQUIRED'));
      hold.main = null;
      for (const s of hold.signers) if (s.position !== 'before') s.done = false;
      return waiting();
    }
    if (action !== 'reject') {
      const s = hold.signers.find((x) => x.user === signer.user && x.position === signer.position && !x.done);
      if (s) s.done = true;
      if (!signedOff(hold) || !hold.main) return waiting();
      t.answers = hold.main.answers;
      close(t, 'done', hold.main.by, w.at, hold.main.note);
      const closed = applyDone(w, def, t, scope);
      if (!closed) advance(w, scope);
      finishSubflow(w, scope);
      return ok({ closed, task: t, signed: false, onBehalfOf });
    }
  }
  if ((def.decide === 'review') === (action === 'submit')) {
    return err(domainError('INVALID_FIELD', { field: 'action', label: '操作', why: def.decide }));
  }
  if (action === 'reject') {
    const why = reason?.trim();
    if (!why) return err(domainError('REASON_REQUIRED'));
    close(t, 'rejected', by, w.at, why);
    if (def.rejectTo && def.rejectTo !== 'submitter') {
      const target = scope.tasks.find((d) => d.id === def.rejectTo) as TaskDef;
      sendBack(w, scope, target, t);
    } else if (sub) {
      for (const x of w.d.tasks)
        if (x.subflow === sub.no && x.state === 'open') close(x, 'cancelled', null, w.at, null);
      const live = w.d.subflows.find((x) => x.no === sub.no);
      if (live) Object.assign(live, { state: 'rejected', closedAt: w.at });
    }
    const back = w.opened.flatMap((x) => x.users ?? []);
    const notify = back.length ? back : sub ? [sub.raisedBy] : w.d.team.implementers;
    w.effects.push({
      type: 'notify.users',
      regNo: w.p.regNo,
      users: notify,
      notice: 'task_rejected',
      reason: why,
      task: t.no,
    });
    return ok({ closed: false, task: t, signed: false, onBehalfOf });
  }
  const answers = validateForm(def.form, raw, w.org, { ...w.p, delivery: w.d });
  if (!answers.ok) return answers;
  if (def.requiresDocuments) {
    const missing = missingDocuments(w.d);
    if (missing.length || w.d.documents.length === 0) {
      return err(domainError('DOCS_INCOMPLETE', { missing: missing.map((m) => m.no).join(',') || 'all' }));
    }
  }
  if (t.hold && ownerMustWait(t.hold)) {
    t.hold.main = { by: as, answers: answers.value, note: reason?.trim() || null };
    return waiting();
  }
  t.answers = answers.value;
  close(t, 'done', by, w.at, reason?.trim() || null);
  const closed = applyDone(w, def, t, scope);
  if (!closed) advance(w, scope);
  finishSubflow(w, scope);
  return ok({ closed, task: t, signed: false, onBehalfOf });
}

/** What acting on a task did: `signed` = a signer's approval or the holder's decision kept for the signers. */
export interface TaskActed {
  closed: boolean;
  task: TaskInstance;
  signed: boolean;
  onBehalfOf: UserId | null;
}
