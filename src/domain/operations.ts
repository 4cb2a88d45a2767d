import type { Effect } from './effects';
import { type DomainError, domainError } from './errors';
import type { OperationEvent } from './events';
import { actingAs, holdsRole, membersOf, type OrgView, type UserId } from './org';
import type { ProcessDefinition, TaskDef } from './process/definition';
import { cloneDelivery, latest, mainScope, type Scope, sendBack, subflowScope, type Work } from './process/flow';
import {
  cloneHold,
  emptyHold,
  type Hold,
  holdersNow,
  ownersOf,
  phaseOf,
  putHold,
  reopenHold,
  settle,
  signerNow,
} from './process/hold';
import { baseHoldersOfTask, roleRegion } from './process/holders';
import type { Delivery, TaskInstance } from './process/state';
import type { Decision, Project, Step } from './project';
import { err, ok, type Result } from './result';
import { baseApproversOf, stepSpec } from './routing';
import type { TransitionResult } from './transition';

/**
 * The approval operations (issue 13): transfer 转交 / reassign, add and remove signers 加签, send back 退回 to an
 * earlier step, revoke 撤销 one's approval — on the current approval step or on any open task (sub-flows included).
 * Pure: a project and an event in, the next project, its audit line and effects out.
 */

/** One place a decision is taken: the current approval step, or one task instance. */
interface Slot {
  /** The definition's holders (no hold, no delegation). */
  base: UserId[];
  hold: Hold | undefined;
  task: TaskInstance | null;
  role: string;
  /** The submitter, who may not decide it (no self-approval), or null. */
  barred: UserId | null;
}

const ACTED = new Set<Decision['action']>(['approve', 'reject', 'sign', 'transfer', 'addsign', 'sendback', 'submit']);

function cloneChain(chain: Step[]): Step[] {
  return chain.map((s) => {
    const c: Step = { role: s.role, region: s.region };
    if (s.hold) c.hold = cloneHold(s.hold);
    return c;
  });
}

interface Draft {
  chain: Step[];
  d: Delivery;
  w: Work;
  /** The approval step the chain continues from (send back). */
  stepIndex?: number;
}

function slotOf(p: Project, draft: Draft, task: number | null, def: ProcessDefinition, org: OrgView) {
  if (task === null) {
    if (p.state !== 'in_approval') return err(domainError('TASK_REQUIRED', { state: p.state }));
    const step = draft.chain[p.stepIndex] as Step;
    const base = baseApproversOf(p, step, org, def);
    const slot: Slot = { base, hold: step.hold, task: null, role: step.role, barred: barredOfChain(p, def) };
    return ok({ slot, put: (h: Hold | undefined) => putHold(step, settle(slot.base, h)) });
  }
  const t = draft.d.tasks.find((x) => x.no === task);
  if (t?.state !== 'open') return err(domainError('TASK_NOT_OPEN', { task }));
  const base = baseHoldersOfTask(t, org);
  const slot: Slot = { base, hold: t.hold, task: t, role: t.role ?? def.registrar, barred: t.barred ?? null };
  return ok({ slot, put: (h: Hold | undefined) => putHold(t, settle(slot.base, h)) });
}

const barredOfChain = (p: Project, def: ProcessDefinition): UserId | null => (def.noSelfApproval ? p.submitter : null);

/** Holders of a slot now, before delegation (the submitter never approves their own step). */
function nowOf(slot: Slot): UserId[] {
  return holdersNow(slot.base, slot.hold).filter((u) => u !== slot.barred);
}

function isManager(p: Project, user: UserId, org: OrgView): boolean {
  return p.delivery.team.pm === user || holdsRole(org, user, 'project_director');
}

/** Who may run an operation on the slot, and as whom (the delegate acts for the holder). */
function authorise(
  p: Project,
  slot: Slot,
  ev: OperationEvent,
  org: OrgView,
): Result<{ as: UserId; onBehalfOf: UserId | null }, DomainError> {
  const authority = ev.type === 'transfer' ? (ev.authority ?? 'holder') : 'holder';
  if (authority === 'system') return ok({ as: ev.by, onBehalfOf: null });
  if (authority === 'manager') {
    return isManager(p, ev.by, org) ? ok({ as: ev.by, onBehalfOf: null }) : err(domainError('NOT_MANAGER'));
  }
  if (ev.type === 'removeSigner') {
    // The one who added a signer removes them, whether or not they hold the step right now.
    const adders = (slot.hold?.signers ?? []).filter((s) => s.user === ev.signer && !s.done).map((s) => s.addedBy);
    const acting = actingAs(org, adders, ev.by);
    if (acting) return ok(acting);
    if (adders.length) return err(domainError('NOT_YOUR_SIGNER', { user: name(org, adders[0] as UserId) }));
    return err(domainError('NO_SUCH_SIGNER', { user: name(org, ev.signer) }));
  }
  const acting = actingAs(org, nowOf(slot), ev.by);
  if (!acting) return err(domainError(slot.task ? 'NOT_TASK_HOLDER' : 'NOT_CURRENT_APPROVER'));
  return ok(acting);
}

/** Runs one approval operation. */
export function operate(p: Project, ev: OperationEvent, def: ProcessDefinition, org: OrgView): TransitionResult {
  if (p.state !== 'in_approval' && p.state !== 'accepted' && p.state !== 'closed') {
    return err(domainError('REQUEST_CLOSED', { state: p.state }));
  }
  if (ev.type === 'revoke') return revoke(p, ev, def, org);
  const d = cloneDelivery(p.delivery);
  const draft: Draft = { chain: cloneChain(p.chain), d, w: { p, d, def, org, at: ev.at, effects: [], opened: [] } };
  const found = slotOf(p, draft, ev.task, def, org);
  if (!found.ok) return found;
  const { slot, put } = found.value;
  const who = authorise(p, slot, ev, org);
  if (!who.ok) return who;
  const before = nowOf(slot);
  const hold = slot.hold ? cloneHold(slot.hold) : emptyHold();
  let action: Decision['action'];
  let reason: string;
  const effects: Effect[] = [];
  switch (ev.type) {
    case 'transfer': {
      // One person (转交), or several (a timeout's transfer to a role's members): the first bad one refuses. Among
      // several, the submitter barred from the slot is left out (the others decide).
      const many = Array.isArray(ev.to);
      const targets = [...new Set(Array.isArray(ev.to) ? ev.to : [ev.to])].filter((u) => !many || u !== slot.barred);
      for (const t of targets) {
        const bad = checkPerson(slot, t, before, org);
        if (bad) return err(bad);
      }
      if (!targets[0]) return err(domainError('UNKNOWN_PERSON', { person: '' }));
      const signer = signerNow(slot.base, slot.hold, who.value.as);
      if (signer && (ev.authority ?? 'holder') === 'holder') {
        const s = hold.signers.find((x) => x.user === signer.user && x.position === signer.position && !x.done);
        if (s) s.user = targets[0];
      } else hold.to = targets;
      put(hold);
      action = (ev.authority ?? 'holder') === 'manager' ? 'reassign' : 'transfer';
      const note = ev.note?.trim() || null;
      reason = `→ ${targets.map((u) => name(org, u)).join('、')}${note ? `：${note}` : ''}`;
      const after = holdersNow(slot.base, currentHold(draft, p, slot));
      const gone = before.filter((u) => !after.includes(u));
      effects.push({ type: 'card.moved', regNo: p.regNo, users: gone, to: targets, task: slot.task?.no ?? null, note });
      break;
    }
    case 'addSigner': {
      if (phaseOf(hold) !== 'main' || !ownersOf(slot.base, slot.hold).includes(who.value.as)) {
        return err(domainError('ALREADY_SIGNED'));
      }
      const bad = checkPerson(slot, ev.signer, before, org);
      if (bad) return err(bad);
      hold.signers.push({ user: ev.signer, position: ev.position, addedBy: who.value.as, done: false });
      put(hold);
      action = 'addsign';
      reason = `${name(org, ev.signer)}（${POSITION_LABELS[ev.position]}）`;
      break;
    }
    case 'removeSigner': {
      const i = hold.signers.findIndex((s) => s.user === ev.signer && !s.done);
      const s = hold.signers[i];
      if (!s) return err(domainError('NO_SUCH_SIGNER', { user: name(org, ev.signer) }));
      if (s.addedBy !== who.value.as) return err(domainError('NOT_YOUR_SIGNER', { user: name(org, s.addedBy) }));
      hold.signers.splice(i, 1);
      put(hold);
      action = 'unsign';
      reason = `${name(org, ev.signer)}（${POSITION_LABELS[s.position]}）`;
      break;
    }
    case 'sendBack': {
      const why = ev.reason.trim();
      if (!why) return err(domainError('REASON_REQUIRED'));
      const target = slot.task ? sendTaskBack(draft, slot.task, ev, why, def) : sendStepBack(p, draft, ev.to, def, org);
      if (!target.ok) return target;
      action = 'sendback';
      reason = `退回至「${target.value}」：${why}`;
      break;
    }
  }
  const next: Project = {
    ...p,
    chain: draft.chain,
    delivery: draft.d,
    ...(ev.type === 'sendBack' && slot.task === null ? { stepIndex: draft.stepIndex ?? p.stepIndex } : {}),
  };
  const record: Decision = {
    round: p.round,
    stepIndex: p.stepIndex,
    role: slot.role,
    action,
    task: slot.task?.no ?? null,
    by: ev.by,
    at: ev.at,
    reason,
    ...(who.value.onBehalfOf ? { onBehalfOf: who.value.onBehalfOf } : {}),
  };
  effects.unshift({ type: 'card.refresh', regNo: p.regNo });
  if (slot.task === null) {
    const after = stepNow(next, def, org);
    const only = ev.type === 'sendBack' ? after : after.filter((u) => !before.includes(u));
    if (only.length) effects.push({ type: 'notify.assignees', regNo: p.regNo, only });
  } else if (ev.type !== 'sendBack') {
    const t = draft.d.tasks.find((x) => x.no === slot.task?.no) as TaskInstance;
    const only = holdersNow(baseHoldersOfTask(t, org), t.hold).filter((u) => !before.includes(u));
    if (only.length) effects.push({ type: 'notify.task', regNo: p.regNo, taskId: t.no, only });
  }
  effects.push(...draft.w.effects);
  return ok({ next: { ...next, version: p.version + 1, history: [...p.history, record] }, record, effects });
}

/** Timeouts' auto-transfer and org changes: hand a step or task to `to` without a holder's click. */
export function transferStep(
  p: Project,
  ev: { by: UserId; at: Date; task: number | null; to: UserId | UserId[]; note?: string },
  def: ProcessDefinition,
  org: OrgView,
): TransitionResult {
  return operate(p, { type: 'transfer', ...ev, authority: 'system' }, def, org);
}

export const POSITION_LABELS = { before: '前加签', after: '后加签', with: '会签' } as const;

const name = (org: OrgView, u: UserId): string => org.users[u]?.name ?? u;

function currentHold(draft: Draft, p: Project, slot: Slot): Hold | undefined {
  return slot.task ? slot.task.hold : draft.chain[p.stepIndex]?.hold;
}

function stepNow(p: Project, def: ProcessDefinition, org: OrgView): UserId[] {
  const step = p.chain[p.stepIndex];
  if (!step || p.state !== 'in_approval') return [];
  const held = holdersNow(baseApproversOf(p, step, org, def), step.hold);
  return def.noSelfApproval ? held.filter((u) => u !== p.submitter) : held;
}

function checkPerson(slot: Slot, user: UserId, now: UserId[], org: OrgView): DomainError | null {
  if (!org.users[user]) return domainError('UNKNOWN_PERSON', { person: user });
  if (now.includes(user) || slot.hold?.signers.some((s) => s.user === user && !s.done)) {
    return domainError('ALREADY_HOLDER', { person: name(org, user) });
  }
  if (user === slot.barred) return domainError('SELF_APPROVAL', { role: slot.role, region: '' });
  return null;
}

/** The name of approval step `i` (without the region). */
function stepName(p: Project, i: number, def: ProcessDefinition): string {
  const spec = stepSpec(p, i, def);
  if (!spec) return String(i + 1);
  return spec.kind === 'approval' ? spec.step.name : spec.task.name;
}

/** Send back on the approval chain: `to` is a 1-based step number, a step name or a role id, before the current one. */
function sendStepBack(
  p: Project,
  draft: Draft,
  to: string,
  def: ProcessDefinition,
  org: OrgView,
): Result<string, DomainError> {
  const ref = to.trim();
  const earlier = p.chain.slice(0, p.stepIndex).map((s, i) => ({ s, i }));
  const hit = /^\d+$/.test(ref)
    ? earlier.find((x) => x.i === Number(ref) - 1)
    : earlier.find((x) => x.s.role === ref || stepName(p, x.i, def) === ref);
  if (!hit) {
    const list = earlier.map((x) => `${x.i + 1}「${stepName(p, x.i, def)}」`).join('、');
    return err(domainError('BAD_SEND_BACK', { to: ref, known: list || '（无）' }));
  }
  for (let i = hit.i; i <= p.stepIndex; i++) {
    const step = draft.chain[i] as Step;
    putHold(step, settle(baseApproversOf(p, step, org, def), reopenHold(step.hold)));
  }
  draft.stepIndex = hit.i;
  return ok(stepName(p, hit.i, def));
}

function scopeOf(p: Project, d: Delivery, def: ProcessDefinition, t: TaskInstance): Scope {
  const sub = t.subflow === null ? null : (d.subflows.find((s) => s.no === t.subflow) ?? null);
  return sub ? subflowScope(def, sub) : mainScope(p, def);
}

/** Every task `id` needs, directly or through others. */
function upstream(scope: Scope, id: string): Set<string> {
  const out = new Set<string>();
  const walk = (x: string) => {
    for (const n of scope.tasks.find((t) => t.id === x)?.needs ?? []) {
      if (out.has(n)) continue;
      out.add(n);
      walk(n);
    }
  };
  walk(id);
  return out;
}

/**
 * Send back on a task: `to` is an earlier task of the same flow whose completion led here (one it needs, directly or
 * not), by instance number, id or name. The current task is superseded and the flow is sent back to it, as a
 * rejected review does: every task after it decides again.
 */
function sendTaskBack(
  draft: Draft,
  t: TaskInstance,
  ev: Extract<OperationEvent, { type: 'sendBack' }>,
  why: string,
  def: ProcessDefinition,
): Result<string, DomainError> {
  const { p, d } = draft.w;
  const scope = scopeOf(p, d, def, t);
  const up = upstream(scope, t.defId);
  const ref = ev.to.trim();
  const candidates = scope.tasks.filter((x) => up.has(x.id) && latest(d, x.id, scope)?.state === 'done');
  const byNo = /^\d+$/.test(ref) ? d.tasks.find((x) => x.no === Number(ref)) : undefined;
  const target: TaskDef | undefined = byNo
    ? candidates.find((x) => x.id === byNo.defId && byNo.subflow === t.subflow)
    : candidates.find((x) => x.id === ref || x.name === ref);
  if (!target) {
    const known = candidates.map((x) => `${latest(d, x.id, scope)?.no}「${x.name}」`).join('、');
    return err(domainError('BAD_SEND_BACK', { to: ref, known: known || '（无）' }));
  }
  t.state = 'superseded';
  t.closedAt = ev.at;
  t.closedBy = ev.by;
  t.note = why;
  sendBack(draft.w, scope, target, t);
  return ok(target.name);
}

/**
 * Revoke 撤销 one's own approval while the next holder has not acted: the approval step (or the acceptance) becomes
 * the current step again; a done task reopens for its holder and the tasks it opened are superseded.
 */
function revoke(
  p: Project,
  ev: Extract<OperationEvent, { type: 'revoke' }>,
  def: ProcessDefinition,
  org: OrgView,
): TransitionResult {
  const d = cloneDelivery(p.delivery);
  const w: Work = { p, d, def, org, at: ev.at, effects: [], opened: [] };
  const chain = cloneChain(p.chain);
  const base = (task: number | null, stepIndex: number, role: string, reason: string): Decision => ({
    round: p.round,
    stepIndex,
    role,
    action: 'revoke',
    task,
    by: ev.by,
    at: ev.at,
    reason,
  });
  const startTask = ev.task === null ? undefined : d.tasks.find((x) => x.no === ev.task);
  if (startTask && startTask.subflow === null && startTask.defId === def.flows[p.facts.kind].start) {
    // The acceptance is the approval chain's last step: revoking it is the chain's revoke.
    return revoke(p, { ...ev, task: null }, def, org);
  }
  const done = (next: Project, record: Decision, effects: Effect[]): TransitionResult =>
    ok({
      next: { ...next, version: p.version + 1, history: [...p.history, record] },
      record,
      effects: [{ type: 'card.refresh', regNo: p.regNo }, ...effects, ...w.effects],
    });

  if (ev.task === null) {
    // The chain: my approval of the step before the current one, or of the last step (the acceptance).
    const last = p.history.findLast((x) => x.task === null && x.action === 'approve' && x.round === p.round);
    const acceptance = p.state === 'accepted' ? p.history.findLast((x) => x.action === 'approve') : undefined;
    const mine = acceptance ?? last;
    if (!mine || mine.by !== ev.by || (p.state !== 'in_approval' && !acceptance)) {
      return err(domainError('NOTHING_TO_REVOKE'));
    }
    const index = acceptance ? p.chain.length - 1 : p.stepIndex - 1;
    if (!acceptance && mine.stepIndex !== index) return err(domainError('NOTHING_TO_REVOKE'));
    const since = p.history.slice(p.history.lastIndexOf(mine) + 1);
    if (since.some((x) => ACTED.has(x.action) && x.by !== ev.by)) return err(domainError('ALREADY_ACTED'));
    if (acceptance) {
      // Back from delivery to the acceptance step: nothing of the delivery may have moved.
      const startNo = acceptance.task;
      const others = d.tasks.filter((t) => t.no !== startNo);
      if (others.some((t) => t.state !== 'open' && t.state !== 'skipped') || d.documents.length || d.subflows.length) {
        return err(domainError('ALREADY_ACTED'));
      }
      for (const t of d.tasks) {
        t.state = 'superseded';
        t.closedAt ??= ev.at;
      }
    }
    const step = chain[index] as Step;
    putHold(step, settle(baseApproversOf(p, step, org, def), reopenHold(step.hold)));
    const next: Project = { ...p, chain, delivery: d, stepIndex: index, state: 'in_approval' };
    return done(next, base(null, index, step.role, stepName(p, index, def)), [
      { type: 'notify.assignees', regNo: p.regNo },
    ]);
  }

  const t = d.tasks.find((x) => x.no === ev.task);
  if (t?.state !== 'done' || t.closedBy !== ev.by || !t.closedAt) return err(domainError('NOTHING_TO_REVOKE'));
  const scope = scopeOf(p, d, def, t);
  const tdef = scope.tasks.find((x) => x.id === t.defId);
  if (!tdef || (tdef.closes && scope.subflow === null)) return err(domainError('NOTHING_TO_REVOKE'));
  const closedAt = t.closedAt.getTime();
  const later = d.tasks.filter((x) => x.subflow === t.subflow && x.no > t.no && x.openedAt.getTime() >= closedAt);
  if (later.some((x) => x.state !== 'open' && x.state !== 'skipped') || later.some((x) => x.hold?.main)) {
    return err(domainError('ALREADY_ACTED'));
  }
  sendBack(w, scope, tdef, t);
  const reopened = w.opened.find((x) => x.defId === t.defId);
  if (reopened && !baseHoldersOfTask(reopened, org).includes(ev.by)) {
    putHold(reopened, settle(baseHoldersOfTask(reopened, org), { ...emptyHold(), to: [ev.by] }));
  }
  const sub = t.subflow === null ? undefined : d.subflows.find((s) => s.no === t.subflow);
  if (sub?.state === 'done') Object.assign(sub, { state: 'open', closedAt: null });
  const next: Project = { ...p, chain, delivery: d };
  return done(next, base(t.no, p.stepIndex, t.role ?? def.registrar, tdef.name), []);
}

/** Whether `user` may revoke their approval now (the card then offers 撤销同意), on the chain or on a task. */
export function revocable(p: Project, user: UserId, def: ProcessDefinition, org: OrgView): number | null | false {
  const at = p.history.at(-1)?.at ?? p.createdAt;
  if (operate(p, { type: 'revoke', by: user, at, task: null }, def, org).ok) return null;
  const mine = p.delivery.tasks.filter((t) => t.state === 'done' && t.closedBy === user).at(-1);
  if (mine && operate(p, { type: 'revoke', by: user, at, task: mine.no }, def, org).ok) return mine.no;
  return false;
}

/** The role a task falls back to when its named holders left: the role of the person field that named them. */
function fallbackRole(def: ProcessDefinition, p: Project, t: TaskInstance): string | null {
  const scope = scopeOf(p, p.delivery, def, t);
  const holder = scope.tasks.find((x) => x.id === t.defId)?.holder;
  if (!holder || 'role' in holder) return null;
  const flows = [...def.flows.project.tasks, ...def.flows.saas.tasks, ...def.subflows.flatMap((s) => s.steps)];
  const roleOfField = (task: string | undefined, field: string | undefined) =>
    flows.find((x) => x.id === task)?.form?.fields.find((f) => f.id === field)?.role ?? null;
  if ('answer' in holder) {
    const [task, field] = holder.answer.split('.');
    return roleOfField(task, field);
  }
  if (holder.team === 'submitter') return def.registrar;
  if (holder.team === 'raiser') return null;
  const key = holder.team;
  const setter = flows.find((x) => x.sets?.[key]);
  return roleOfField(setter?.id, setter?.sets?.[key]);
}

/**
 * People who left the organisation (not in the org file any more) still hold open work: their tasks are bound to the
 * role's current members (or the remaining named holders), their transfers and pending signatures are dropped, the
 * team and document owners are replaced. One `reresolve` audit line; the new holders are told. An error = nothing to do.
 */
export function reresolve(p: Project, def: ProcessDefinition, org: OrgView, at: Date): TransitionResult {
  const left = (u: UserId) => org.users[u] === undefined;
  const d = cloneDelivery(p.delivery);
  const chain = cloneChain(p.chain);
  const changes: string[] = [];
  const effects: Effect[] = [{ type: 'card.refresh', regNo: p.regNo }];
  const dropLeavers = (base: UserId[], h: Hold | undefined): Hold | undefined => {
    if (!h) return undefined;
    const to = h.to?.filter((u) => !left(u)) ?? null;
    const signers = h.signers.filter((s) => s.done || !left(s.user));
    return settle(base, { ...h, to: to?.length ? to : null, signers });
  };
  const pmRole = def.flows[p.facts.kind].tasks.flatMap((x) => x.form?.fields ?? []).find((f) => f.id === 'pm')?.role;
  if (d.team.pm && left(d.team.pm)) {
    const next = pmRole ? (membersOf(org, pmRole, roleRegion(def, pmRole, p))[0] ?? null) : null;
    changes.push(`项目经理 ${d.team.pm} → ${next ? name(org, next) : '（空缺）'}`);
    d.team.pm = next;
  }
  if (d.team.implementers.some(left)) {
    const stay = d.team.implementers.filter((u) => !left(u));
    d.team.implementers = stay.length ? stay : membersOf(org, 'implementer', roleRegion(def, 'implementer', p));
    changes.push(`实施人员 → ${d.team.implementers.map((u) => name(org, u)).join('、') || '（空缺）'}`);
  }
  for (const doc of d.documents) {
    const owner = d.team.implementers[0] ?? d.team.pm;
    if (doc.link === null && left(doc.owner) && owner) {
      changes.push(`资料 ${doc.no} 负责人 ${doc.owner} → ${name(org, owner)}`);
      doc.owner = owner;
    }
  }
  for (const t of d.tasks) {
    if (t.state !== 'open') continue;
    const before = holdersNow(baseHoldersOfTask(p.delivery.tasks.find((x) => x.no === t.no) ?? t, org), t.hold);
    const gone = [...(t.users ?? []), ...(t.hold?.to ?? []), ...(t.hold?.signers.map((s) => s.user) ?? [])].filter(
      left,
    );
    if (!gone.length) continue;
    if (t.users?.some(left)) {
      const stay = t.users.filter((u) => !left(u));
      const role = stay.length ? null : fallbackRole(def, p, t);
      if (stay.length) t.users = stay;
      else if (role) Object.assign(t, { users: null, role, region: roleRegion(def, role, p) });
    }
    putHold(t, dropLeavers(baseHoldersOfTask(t, org), t.hold));
    const after = holdersNow(baseHoldersOfTask(t, org), t.hold);
    changes.push(
      `任务 ${t.no}：${[...new Set(gone)].join('、')} → ${after.map((u) => name(org, u)).join('、') || '（空缺）'}`,
    );
    const only = after.filter((u) => !before.includes(u));
    if (only.length) effects.push({ type: 'notify.task', regNo: p.regNo, taskId: t.no, only });
  }
  const step = p.state === 'in_approval' ? chain[p.stepIndex] : undefined;
  if (
    step?.hold &&
    [...(step.hold.to ?? []), ...step.hold.signers.filter((s) => !s.done).map((s) => s.user)].some(left)
  ) {
    const base = baseApproversOf(p, step, org, def);
    const before = holdersNow(base, step.hold);
    putHold(step, dropLeavers(base, step.hold));
    const after = holdersNow(base, step.hold);
    changes.push(`当前审批：→ ${after.map((u) => name(org, u)).join('、')}`);
    const only = after.filter((u) => !before.includes(u));
    if (only.length) effects.push({ type: 'notify.assignees', regNo: p.regNo, only });
  }
  if (!changes.length) return err(domainError('TASK_NOT_OPEN'));
  const record: Decision = {
    round: p.round,
    stepIndex: p.stepIndex,
    role: def.registrar,
    action: 'reresolve',
    task: null,
    by: 'system',
    at,
    reason: `离职人员的待办已改派：${changes.join('；')}`,
  };
  const next: Project = { ...p, chain, delivery: d, version: p.version + 1, history: [...p.history, record] };
  return ok({ next, record, effects });
}

/**
 * The org changed: every hold's snapshot of who holds it now (what /mine and the nudges read) is recomputed from
 * the current role members. Returns the project with the new snapshots, or null when none changed. Decides nothing.
 */
export function resettle(p: Project, def: ProcessDefinition, org: OrgView): Project | null {
  let changed = false;
  const again = (base: UserId[], h: Hold | undefined): Hold | undefined => {
    if (!h) return undefined;
    const before = JSON.stringify(h.now);
    const next = settle(base, cloneHold(h));
    if (JSON.stringify(next?.now) !== before) changed = true;
    return next;
  };
  const chain = cloneChain(p.chain);
  const step = p.state === 'in_approval' ? chain[p.stepIndex] : undefined;
  if (step?.hold) putHold(step, again(baseApproversOf(p, step, org, def), step.hold));
  const d = cloneDelivery(p.delivery);
  for (const t of d.tasks) if (t.state === 'open' && t.hold) putHold(t, again(baseHoldersOfTask(t, org), t.hold));
  return changed ? { ...p, chain, delivery: d, version: p.version + 1 } : null;
}
