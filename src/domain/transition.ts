import type { Effect } from './effects';
import { type DomainError, domainError } from './errors';
import type { RegisterEvent, WorkflowEvent } from './events';
import { DOCUMENTS, emptyLifecycle, type LifecycleConfig } from './lifecycle';
import { lifecycleTransition, startLifecycle } from './lifecycle-transition';
import { holdsRole, membersOf, type OrgView, type UserId } from './org';
import { currentStep, type Decision, isLastStep, isOpen, type Project } from './project';
import { assertNever, err, ok, type Result } from './result';
import { checkRegistration } from './routing';

export interface Transitioned {
  next: Project;
  /** The audit line this transition appends. */
  record: Decision;
  effects: Effect[];
}

export type TransitionResult = Result<Transitioned, DomainError>;

export function register(ev: RegisterEvent, org: OrgView): TransitionResult {
  if (!holdsRole(org, ev.by, 'sales')) return err(domainError('NOT_ALLOWED_TO_REGISTER'));
  const chain = checkRegistration(ev.facts, org);
  if (!chain.ok) return chain;
  const record: Decision = {
    round: 1,
    stepIndex: 0,
    role: 'sales',
    action: 'register',
    task: null,
    by: ev.by,
    at: ev.at,
    reason: null,
  };
  const next: Project = {
    regNo: ev.regNo,
    facts: ev.facts,
    submitter: ev.by,
    state: 'in_approval',
    round: 1,
    chain: chain.value,
    stepIndex: 0,
    version: 1,
    createdAt: ev.at,
    followUps: { outsourcing: null },
    lifecycle: emptyLifecycle(),
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

export function isCurrentApprover(p: Project, user: UserId, org: OrgView): boolean {
  const step = currentStep(p);
  return step !== undefined && membersOf(org, step.role, step.region).includes(user);
}

/** Withdrawal is allowed before anyone has decided in this round, or after a rejection. */
export function canWithdraw(p: Project): boolean {
  if (p.state === 'rejected') return true;
  return p.state === 'in_approval' && !p.history.some((d) => d.round === p.round && d.action === 'approve');
}

export const DEFAULT_LIFECYCLE_CONFIG: LifecycleConfig = { docDueDays: 30 };

export function transition(
  p: Project,
  ev: WorkflowEvent,
  org: OrgView,
  cfg: LifecycleConfig = DEFAULT_LIFECYCLE_CONFIG,
): TransitionResult {
  const step = currentStep(p);
  const base = (action: Decision['action'], reason: string | null): Decision => ({
    round: p.round,
    stepIndex: p.stepIndex,
    role: step?.role ?? 'sales',
    action,
    task: null,
    by: ev.by,
    at: ev.at,
    reason,
  });
  const applied = (next: Omit<Project, 'version' | 'history'>, record: Decision, effects: Effect[]): TransitionResult =>
    ok({ next: { ...next, version: p.version + 1, history: [...p.history, record] }, record, effects });
  const refresh: Effect = { type: 'card.refresh', regNo: p.regNo };

  switch (ev.type) {
    case 'approve': {
      if (!isOpen(p)) return err(domainError('REQUEST_CLOSED', { state: p.state }));
      if (!isCurrentApprover(p, ev.by, org)) return err(domainError('NOT_CURRENT_APPROVER'));
      const record = base('approve', ev.comment?.trim() || null);
      const followUps =
        step?.role === 'commercial_reviewer' && ev.outsourcing !== undefined
          ? { ...p.followUps, outsourcing: ev.outsourcing }
          : p.followUps;
      if (isLastStep(p)) {
        // The executing department's acceptance starts the delivery lifecycle (setup / intake).
        const started = startLifecycle(p, ev.fields ?? {}, org, ev.at);
        if (!started.ok) return started;
        return applied({ ...p, followUps, state: 'accepted', lifecycle: started.value.lifecycle }, record, [
          refresh,
          { type: 'notify.submitter', regNo: p.regNo, event: 'accepted' },
          ...started.value.effects,
        ]);
      }
      return applied({ ...p, followUps, stepIndex: p.stepIndex + 1 }, record, [
        refresh,
        { type: 'notify.assignees', regNo: p.regNo },
        { type: 'notify.submitter', regNo: p.regNo, event: 'advanced' },
      ]);
    }
    case 'reject': {
      if (!isOpen(p)) return err(domainError('REQUEST_CLOSED', { state: p.state }));
      if (!isCurrentApprover(p, ev.by, org)) return err(domainError('NOT_CURRENT_APPROVER'));
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
      const facts = { ...p.facts, ...ev.changes };
      const chain = checkRegistration(facts, org);
      if (!chain.ok) return chain;
      const round = p.round + 1;
      const record: Decision = {
        round,
        stepIndex: 0,
        role: 'sales',
        action: 'resubmit',
        task: null,
        by: ev.by,
        at: ev.at,
        reason: null,
      };
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
      const record = { ...base('withdraw', null), role: 'sales' as const };
      return applied({ ...p, state: 'withdrawn' }, record, [
        refresh,
        { type: 'notify.submitter', regNo: p.regNo, event: 'withdrawn' },
      ]);
    }
    case 'task':
    case 'doc':
    case 'due':
    case 'handover': {
      const res = lifecycleTransition(p, ev, org, cfg);
      if (!res.ok) return res;
      const task = ev.type === 'task' ? p.lifecycle.tasks.find((t) => t.id === ev.taskId) : undefined;
      const record: Decision = {
        round: p.round,
        stepIndex: p.stepIndex,
        role: task?.role ?? (ev.type === 'due' ? 'regional_pm' : 'implementer'),
        action: ev.type === 'task' ? ev.action : ev.type,
        task: task?.id ?? null,
        by: ev.by,
        at: ev.at,
        reason: lifecycleReason(ev),
      };
      const next: Omit<Project, 'version' | 'history'> = {
        ...p,
        lifecycle: res.value.lifecycle,
        state: res.value.closed ? 'closed' : p.state,
      };
      return applied(next, record, res.value.effects);
    }
    default:
      return assertNever(ev);
  }
}

/** What the audit line says about a lifecycle action (the reason of a rejection, the link of a document…). */
function lifecycleReason(ev: Extract<WorkflowEvent, { type: 'task' | 'doc' | 'due' | 'handover' }>): string | null {
  switch (ev.type) {
    case 'task':
      return ev.action === 'reject' ? (ev.reason?.trim() ?? null) : null;
    case 'doc':
      return `${DOCUMENTS[ev.doc - 1]}：${ev.link.trim()}`;
    case 'due':
      return `${DOCUMENTS[ev.doc - 1]} 截止 ${ev.due.toISOString().slice(0, 10)}${ev.owner ? `，负责人 ${ev.owner}` : ''}`;
    case 'handover':
      return ev.operated ? '运营项目：先交接客户成功部' : null;
  }
}
