import type { Effect } from './effects';
import { type DomainError, domainError } from './errors';
import type { RegisterEvent, WorkflowEvent } from './events';
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

export function transition(p: Project, ev: WorkflowEvent, org: OrgView): TransitionResult {
  const step = currentStep(p);
  const base = (action: Decision['action'], reason: string | null): Decision => ({
    round: p.round,
    stepIndex: p.stepIndex,
    role: step?.role ?? 'sales',
    action,
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
        return applied({ ...p, followUps, state: 'accepted' }, record, [
          refresh,
          { type: 'notify.submitter', regNo: p.regNo, event: 'accepted' },
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
    default:
      return assertNever(ev);
  }
}
