import type { Effect } from './effects';
import { type DomainError, domainError } from './errors';
import type { RegisterEvent, WorkflowEvent } from './events';
import { operate } from './operations';
import { actingAs, displayName, holdsRole, membersOf, type OrgView, type UserId } from './org';
import type { FormDef, ProcessDefinition } from './process/definition';
import { moveDue, submitDocument } from './process/documents';
import { advance, cloneDelivery, mainScope, type Work } from './process/flow';
import { type RawFields, validateForm } from './process/forms';
import { cloneHold, ownerMustWait, putHold, settle, signedOff, signerNow } from './process/hold';
import { type Answers, emptyDelivery, type TaskInstance } from './process/state';
import { startSubflow } from './process/subflows';
import { summarize } from './process/summary';
import { actOnTask } from './process/tasks';
import { currentStep, type Decision, factChanges, isLastStep, isOpen, type Project } from './project';
import { assertNever, err, ok, type Result } from './result';
import { approversOf, baseApproversOf, checkRegistration, type StepSpec, stepHoldersNow, stepSpec } from './routing';

export interface Transitioned {
  next: Project;
  /** The audit line this transition appends. */
  record: Decision;
  effects: Effect[];
}

export type TransitionResult = Result<Transitioned, DomainError>;

/** Whether `user` may register projects (the /register form is offered only to them). */
export function mayRegister(user: UserId, def: ProcessDefinition, org: OrgView): DomainError | null {
  return holdsRole(org, user, def.registrar) ? null : domainError('NOT_ALLOWED_TO_REGISTER', { role: def.registrar });
}

export function register(ev: RegisterEvent, def: ProcessDefinition, org: OrgView): TransitionResult {
  if (!holdsRole(org, ev.by, def.registrar))
    return err(domainError('NOT_ALLOWED_TO_REGISTER', { role: def.registrar }));
  const facts = ev.facts.kind === 'saas' ? { ...ev.facts, operated: true } : ev.facts;
  const chain = checkRegistration(facts, org, def, ev.by);
  if (!chain.ok) return chain;
  const record: Decision = {
    round: 1,
    stepIndex: 0,
    role: def.registrar,
    action: 'register',
    task: null,
    by: ev.by,
    at: ev.at,
    reason: null,
  };
  const next: Project = {
    regNo: ev.regNo,
    facts,
    submitter: ev.by,
    state: 'in_approval',
    round: 1,
    chain: chain.value,
    stepIndex: 0,
    version: 1,
    createdAt: ev.at,
    delivery: emptyDelivery(ev.processVersion),
    history: [record],
  };
  return ok({
    next,
    record,
    effects: [
      { type: 'notify.assignees', regNo: ev.regNo },
      { type: 'notify.submitter', regNo: ev.regNo, event: 'registered' },
    ],
  });
}

export function isCurrentApprover(p: Project, user: UserId, org: OrgView, def: ProcessDefinition): boolean {
  const step = currentStep(p);
  return step !== undefined && approversOf(p, step, org, def).includes(user);
}

/** NOT_CURRENT_APPROVER; `self: 1` when the user holds the step's role but submitted the project (no self-approval). */
function notApprover(p: Project, user: UserId, org: OrgView, def: ProcessDefinition): DomainError {
  const step = currentStep(p);
  const self =
    def.noSelfApproval &&
    step !== undefined &&
    user === p.submitter &&
    membersOf(org, step.role, step.region).includes(user);
  return domainError('NOT_CURRENT_APPROVER', self ? { self: 1 } : undefined);
}

/** Withdrawal is allowed before anyone has decided in this round, or after a rejection. */
export function canWithdraw(p: Project): boolean {
  if (p.state === 'rejected') return true;
  return p.state === 'in_approval' && !p.history.some((d) => d.round === p.round && d.action === 'approve');
}

/** The form a step asks for: the approval step's form with one tick per checklist item, or the start task's form. */
export function stepForm(spec: StepSpec | undefined): FormDef | undefined {
  if (!spec) return undefined;
  if (spec.kind === 'start') return spec.task.form;
  const checks = (spec.step.checklist ?? []).map((label, i) => ({
    id: `check_${i + 1}`,
    label,
    kind: 'check' as const,
    required: true,
  }));
  const fields = [...checks, ...(spec.step.form?.fields ?? [])];
  return fields.length ? { fields, ...(spec.step.form?.oneOf ? { oneOf: spec.step.form.oneOf } : {}) } : undefined;
}

/** `checklist=all` (typed) ticks every item of the step's checklist. */
function expandChecklist(form: FormDef | undefined, raw: RawFields): RawFields {
  const { checklist, ...rest } = raw;
  if (checklist === undefined) return raw;
  const all = typeof checklist === 'string' && ['all', '全部', 'yes', '是'].includes(checklist.trim().toLowerCase());
  const ticks = Object.fromEntries(
    (form?.fields ?? []).filter((f) => f.kind === 'check').map((f) => [f.id, all ? 'yes' : 'no']),
  );
  return { ...ticks, ...rest };
}

export function transition(p: Project, ev: WorkflowEvent, def: ProcessDefinition, org: OrgView): TransitionResult {
  const step = currentStep(p);
  /** The holder `by` acts for on the current step: themselves, or the person whose delegate they are. */
  const onBehalf = (): UserId | null =>
    step ? (actingAs(org, stepHoldersNow(p, step, org, def), ev.by)?.onBehalfOf ?? null) : null;
  const base = (action: Decision['action'], reason: string | null, task: number | null = null): Decision => {
    const d: Decision = {
      round: p.round,
      stepIndex: p.stepIndex,
      role: step?.role ?? def.registrar,
      action,
      task,
      by: ev.by,
      at: ev.at,
      reason,
    };
    const of = ev.type === 'approve' || ev.type === 'reject' ? onBehalf() : null;
    return of ? { ...d, onBehalfOf: of } : d;
  };
  const applied = (next: Omit<Project, 'version' | 'history'>, record: Decision, effects: Effect[]): TransitionResult =>
    ok({ next: { ...next, version: p.version + 1, history: [...p.history, record] }, record, effects });
  const refresh: Effect = { type: 'card.refresh', regNo: p.regNo };
  const work = (): Work => ({ p, d: cloneDelivery(p.delivery), def, org, at: ev.at, effects: [], opened: [] });

  switch (ev.type) {
    case 'approve': {
      if (!isOpen(p)) return err(domainError('REQUEST_CLOSED', { state: p.state }));
      if (!isCurrentApprover(p, ev.by, org, def) || !step) return err(notApprover(p, ev.by, org, def));
      const spec = stepSpec(p, p.stepIndex, def);
      const baseUsers = baseApproversOf(p, step, org, def);
      const as = actingAs(org, stepHoldersNow(p, step, org, def), ev.by)?.as ?? ev.by;
      const chain = p.chain.map((s, i) => (i === p.stepIndex && s.hold ? { ...s, hold: cloneHold(s.hold) } : s));
      const held = chain[p.stepIndex] as typeof step;
      const before = stepHoldersNow(p, step, org, def);
      const waitFor = (hold: NonNullable<typeof step.hold>): TransitionResult => {
        putHold(held, settle(baseUsers, hold));
        const only = stepHoldersNow(p, held, org, def).filter((u) => !before.includes(u));
        return applied({ ...p, chain }, base('sign', ev.comment?.trim() || null), [
          refresh,
          ...(only.length ? [{ type: 'notify.assignees' as const, regNo: p.regNo, only }] : []),
        ]);
      };
      const signer = signerNow(baseUsers, step.hold, as);
      let answers: Answers;
      let note: string | null;
      if (signer && held.hold) {
        // An added signer (加签) approves: no form; the step completes once every signer and the holder decided.
        const s = held.hold.signers.find((x) => x.user === signer.user && x.position === signer.position && !x.done);
        if (s) s.done = true;
        if (!signedOff(held.hold) || !held.hold.main) return waitFor(held.hold);
        answers = held.hold.main.answers;
        note = held.hold.main.note;
      } else {
        const form = stepForm(spec);
        const raw = expandChecklist(form, {
          ...(ev.fields ?? {}),
          ...(ev.comment && form?.fields.some((f) => f.id === 'comment') ? { comment: ev.comment } : {}),
        });
        const valid = validateForm(form, raw, org, p);
        if (!valid.ok) return valid;
        answers = valid.value;
        note = ev.comment?.trim() || (typeof answers.comment === 'string' ? answers.comment : null);
        if (held.hold && ownerMustWait(held.hold)) return waitFor({ ...held.hold, main: { by: as, answers, note } });
      }
      const w = work();
      if (!isLastStep(p) || spec?.kind !== 'start') {
        w.d.approvalAnswers[step.role] = answers;
        putHold(held, settle(baseUsers, held.hold));
        return applied({ ...p, chain, delivery: w.d, stepIndex: p.stepIndex + 1 }, base('approve', note), [
          refresh,
          { type: 'notify.assignees', regNo: p.regNo },
          { type: 'notify.submitter', regNo: p.regNo, event: 'advanced' },
        ]);
      }
      // The executing department's acceptance is the flow's start task, done: the delivery starts.
      const scope = mainScope(p, def);
      const start: TaskInstance = {
        no: w.d.tasks.reduce((m, x) => Math.max(m, x.no), 0) + 1,
        defId: spec.task.id,
        subflow: null,
        role: step.role,
        region: step.region,
        users: null,
        state: 'done',
        answers,
        openedAt: p.history.at(-1)?.at ?? ev.at,
        closedAt: ev.at,
        closedBy: ev.by,
        note,
      };
      w.d.tasks.push(start);
      if (spec.task.sets?.pm && typeof answers[spec.task.sets.pm] === 'string') {
        w.d.team.pm = answers[spec.task.sets.pm] as string;
      }
      advance(w, scope);
      const record = base('approve', summarize(spec.task.form, answers, org) || note, start.no);
      return applied({ ...p, chain, delivery: w.d, state: 'accepted' }, record, [
        refresh,
        { type: 'notify.submitter', regNo: p.regNo, event: 'accepted' },
        ...w.effects,
      ]);
    }
    case 'reject': {
      if (!isOpen(p)) return err(domainError('REQUEST_CLOSED', { state: p.state }));
      if (!isCurrentApprover(p, ev.by, org, def)) return err(notApprover(p, ev.by, org, def));
      const reason = ev.reason.trim();
      if (!reason) return err(domainError('REASON_REQUIRED'));
      return applied({ ...p, state: 'rejected' }, base('reject', reason), [
        refresh,
        { type: 'notify.submitter', regNo: p.regNo, event: 'rejected', reason },
      ]);
    }
    case 'resubmit': {
      if (ev.by !== p.submitter) return err(domainError('NOT_SUBMITTER'));
      if (p.state !== 'rejected') return err(domainError('NOT_REJECTED', { state: p.state }));
      const merged = { ...p.facts, ...ev.changes };
      const facts = merged.kind === 'saas' ? { ...merged, operated: true } : merged;
      const chain = checkRegistration(facts, org, def, p.submitter);
      if (!chain.ok) return chain;
      const round = p.round + 1;
      const changed = factChanges(p.facts, facts, org.regionNames) || null;
      const record: Decision = { ...base('resubmit', changed), round, stepIndex: 0, role: def.registrar };
      return applied({ ...p, facts, state: 'in_approval', round, chain: chain.value, stepIndex: 0 }, record, [
        refresh,
        { type: 'notify.assignees', regNo: p.regNo },
        { type: 'notify.submitter', regNo: p.regNo, event: 'resubmitted' },
      ]);
    }
    case 'withdraw': {
      if (ev.by !== p.submitter) return err(domainError('NOT_SUBMITTER'));
      if (!canWithdraw(p)) {
        return err(domainError(p.state === 'in_approval' ? 'ALREADY_DECIDED' : 'REQUEST_CLOSED', { state: p.state }));
      }
      return applied({ ...p, state: 'withdrawn' }, { ...base('withdraw', null), role: def.registrar }, [
        refresh,
        { type: 'notify.submitter', regNo: p.regNo, event: 'withdrawn' },
      ]);
    }
    case 'task': {
      if (p.state !== 'accepted' && p.state !== 'closed')
        return err(domainError('NOT_IN_DELIVERY', { state: p.state }));
      const w = work();
      const res = actOnTask(w, ev.taskId, ev.action, ev.by, ev.fields, ev.reason);
      if (!res.ok) return res;
      const t = res.value.task;
      const note = ev.action === 'reject' ? t.note : summarize(taskFormOf(def, p, t), t.answers, org) || t.note;
      const action = res.value.signed ? 'sign' : ev.action;
      const of = res.value.onBehalfOf;
      const record: Decision = {
        ...base(action, res.value.signed ? (ev.reason?.trim() ?? null) : note, t.no),
        role: t.role ?? def.registrar,
        ...(of ? { onBehalfOf: of } : {}),
      };
      const state = res.value.closed ? 'closed' : p.state;
      const effects: Effect[] = [refresh, ...w.effects];
      if (res.value.closed) {
        effects.push({
          type: 'notify.users',
          regNo: p.regNo,
          users: [p.submitter, ...w.d.team.implementers],
          notice: 'closed',
        });
      }
      return applied({ ...p, delivery: w.d, state }, record, effects);
    }
    case 'doc':
    case 'due': {
      const w = work();
      const res =
        ev.type === 'doc' ? submitDocument(w, ev.doc, ev.link, ev.by) : moveDue(w, ev.doc, ev.due, ev.owner, ev.by);
      if (!res.ok) return res;
      const name = def.documents.find((d) => d.no === ev.doc)?.name ?? String(ev.doc);
      const reason =
        ev.type === 'doc'
          ? `《${name}》：${ev.link.trim()}`
          : `《${name}》截止 ${ev.due.toISOString().slice(0, 10)}${ev.owner ? `，负责人 ${displayName(org, w.d.documents.find((d) => d.no === ev.doc)?.owner ?? ev.owner)}` : ''}`;
      return applied({ ...p, delivery: w.d }, { ...base(ev.type, reason), role: def.registrar }, w.effects);
    }
    case 'raise': {
      const w = work();
      const res = startSubflow(w, ev.kind, ev.by, ev.fields);
      if (!res.ok) return res;
      const sd = def.subflows.find((s) => s.id === ev.kind);
      const reason = `${sd?.name ?? ev.kind} #${res.value.no}：${summarize(sd?.form, res.value.answers, org)}`;
      return applied({ ...p, delivery: w.d }, { ...base('raise', reason), role: def.registrar }, [
        refresh,
        ...w.effects,
      ]);
    }
    case 'transfer':
    case 'addSigner':
    case 'removeSigner':
    case 'sendBack':
    case 'revoke':
      return operate(p, ev, def, org);
    default:
      return assertNever(ev);
  }
}

function taskFormOf(def: ProcessDefinition, p: Project, t: TaskInstance): FormDef | undefined {
  if (t.subflow === null) return def.flows[p.facts.kind].tasks.find((x) => x.id === t.defId)?.form;
  const kind = p.delivery.subflows.find((s) => s.no === t.subflow)?.kind;
  return def.subflows.find((s) => s.id === kind)?.steps.find((x) => x.id === t.defId)?.form;
}
