import { formatTime, stepLabel } from '../../cards/labels';
import type { DomainError } from '../domain/errors';
import type { WorkflowEvent } from '../domain/events';
import { displayName, type OrgView, type UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { currentStep, type Project } from '../domain/project';
import { approversOf } from '../domain/routing';
import { type Transitioned, transition } from '../domain/transition';
import type { Platform } from '../platforms/types';
import type { AppDeps } from './deps';
import type { AnsweredCopy } from './effects';
import { enqueueEffects } from './effects';
import { refusalText, waitingText } from './messages';
import type { AuditEntry } from './ports';
import type { View } from './views';

/**
 * The shared commit path of every use case: a workflow event on a loaded project → transition → compare-and-set →
 * audit line → effects into the outbox, all inside the caller's transaction.
 */

/** What the user who acted is told. `regNo` names the project the answer is about (for inline card updates). */
export interface Outcome {
  ok: boolean;
  text: string;
  /** A card to send back to the user (status, /mine, the registration form). */
  view?: View;
  regNo?: string;
  /** A refused form value: the field it is about (the form is re-rendered with the error next to it). */
  field?: string;
}

/** Thrown inside the transaction when a compare-and-set loses; the whole transaction rolls back. */
export class StaleVersionError extends Error {
  override name = 'StaleVersionError';
}

export interface Actor {
  user: UserId;
  platform: Platform;
  /**
   * The card the actor clicked, when the click's answer shows it re-rendered (inline, or queued by the pipeline
   * when the ack cannot carry it): the refresh of the project's copies leaves it out instead of updating it twice.
   */
  answering?: AnsweredCopy;
}

/** Runs a workflow event on a loaded project: transition, CAS update, audit, effects → outbox. */
export function applyEvent(deps: AppDeps, p: Project, ev: WorkflowEvent, actor: Actor, what: string): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const res = transition(p, ev, def, org);
  if (!res.ok) {
    const lost = res.error.code === 'NOT_CURRENT_APPROVER' ? lostRace(p, ev, def, org, deps.timeZone) : null;
    if (lost) return { ok: false, text: lost, regNo: p.regNo };
    if (res.error.code === 'NOT_CURRENT_APPROVER' || res.error.code === 'NOT_TASK_HOLDER') {
      deps.audit.append({
        ...denied(p, actor, ev.at),
        task: ev.type === 'task' ? ev.taskId : null,
        actorName: displayName(org, actor.user),
        reason: `attempted ${what}`,
      });
      deps.logger.warn('action refused: not the holder', {
        regNo: p.regNo,
        user: actor.user,
        platform: actor.platform,
        intent: what,
      });
    }
    return { ok: false, text: refusalText(res.error, org, p, def), regNo: p.regNo, ...fieldOf(res.error) };
  }
  if (!deps.projects.update(res.value.next, p)) throw new StaleVersionError(p.regNo);
  commit(deps, res.value, actor, p.regNo, ev.at, res.value.effects);
  return { ok: true, text: doneText(ev, res.value.next, def, org), regNo: p.regNo };
}

/**
 * A typed approve/reject that lost the race to another decision on the same step (e.g. two quick /approve): the actor
 * held the step decided last, so they are told who handled it and when — not refused as if they never held it.
 */
function lostRace(p: Project, ev: WorkflowEvent, def: ProcessDefinition, org: OrgView, tz: string): string | null {
  if (ev.type !== 'approve' && ev.type !== 'reject') return null;
  const last = [...p.history]
    .reverse()
    .find((d) => d.task === null && (d.action === 'approve' || d.action === 'reject'));
  const step = last ? p.chain[last.stepIndex] : undefined;
  if (!last || !step || last.round !== p.round || (last.stepIndex === p.stepIndex && p.state === 'in_approval'))
    return null;
  if (!approversOf(p, step, org, def).includes(ev.by)) return null;
  const what = last.action === 'approve' ? '同意' : '驳回';
  return `该步骤已由 ${displayName(org, last.by)} 于 ${formatTime(last.at, tz)} ${what}，无需重复处理。`;
}

/** The form field a refusal is about, if it is about one. */
export function fieldOf(e: DomainError): { field?: string } {
  if (e.code === 'INVALID_FIELD' && typeof e.meta?.field === 'string') return { field: e.meta.field };
  // "req|solution": the error goes next to the first of the document links.
  if (e.code === 'MISSING_DOCUMENT') return { field: String(e.meta?.need ?? 'req').split('|')[0] ?? 'req' };
  return {};
}

export function commit(
  deps: AppDeps,
  t: Transitioned,
  actor: Actor,
  regNo: string,
  at: Date,
  effects: Transitioned['effects'],
): void {
  const org = deps.org.view();
  deps.audit.append({ ...t.record, regNo, actorName: displayName(org, actor.user), platform: actor.platform });
  enqueueEffects(deps, t.next, effects, at, actor.answering);
  deps.logger.info('transition', { regNo, action: t.record.action, user: actor.user, platform: actor.platform });
}

function denied(p: Project, actor: Actor, at: Date): Omit<AuditEntry, 'actorName' | 'task' | 'reason'> {
  return {
    regNo: p.regNo,
    round: p.round,
    stepIndex: p.stepIndex,
    role: currentStep(p)?.role ?? 'sales',
    action: 'denied' as const,
    by: actor.user,
    at,
    platform: actor.platform,
  };
}

export function doneText(ev: WorkflowEvent, p: Project, def: ProcessDefinition, org: OrgView): string {
  const last = p.history.at(-1);
  switch (ev.type) {
    case 'approve':
      return p.state === 'accepted'
        ? `已受理 ${p.regNo}，审批流程完成，进入实施阶段。${waitingText(p, def, org)}。`
        : `已同意「${last ? stepLabel(p, def, org, last.stepIndex) : ''}」，${waitingText(p, def, org)}。`;
    case 'reject':
      return `已驳回 ${p.regNo}，已通知责任销售。`;
    case 'resubmit':
      return `已重新提交 ${p.regNo}（第 ${p.round} 轮），${waitingText(p, def, org)}。`;
    case 'withdraw':
      return `已撤回 ${p.regNo}。`;
    case 'task': {
      const verb = ev.action === 'approve' ? '已通过' : ev.action === 'reject' ? '已驳回' : '已提交';
      if (p.state === 'closed' && p.delivery.closedAt?.getTime() === ev.at.getTime()) {
        return `${verb}，${p.regNo} 已完成移交，新闻已发布。`;
      }
      return `${verb}，${waitingText(p, def, org)}。`;
    }
    case 'doc':
      return `已提交 ${p.regNo} 的验收资料 ${ev.doc}。`;
    case 'due':
      return `已更新 ${p.regNo} 验收资料 ${ev.doc} 的截止日期和负责人。`;
    case 'transfer':
      return `已${ev.authority === 'manager' ? '改派' : '转交'}给 ${[ev.to]
        .flat()
        .map((u) => displayName(org, u))
        .join('、')}，${waitingText(p, def, org)}。`;
    case 'addSigner':
      return `已加签 ${displayName(org, ev.signer)}，${waitingText(p, def, org)}。`;
    case 'removeSigner':
      return `已撤销对 ${displayName(org, ev.signer)} 的加签，${waitingText(p, def, org)}。`;
    case 'sendBack':
      return `已${last?.reason?.split('：')[0] ?? '退回'}，${waitingText(p, def, org)}。`;
    case 'revoke':
      return `已撤销你的同意，${waitingText(p, def, org)}。`;
    case 'raise': {
      const s = p.delivery.subflows.at(-1);
      const name = def.subflows.find((x) => x.id === ev.kind)?.name ?? ev.kind;
      return `已发起${name} #${s?.no ?? ''}，${waitingText(p, def, org)}。`;
    }
  }
}

export function notFound(regNo: string): Outcome {
  return { ok: false, text: `找不到登记号为 ${regNo} 的项目，请检查登记号（发送 /mine 查看与你相关的项目）。` };
}
