import { stepLabel, taskName } from '../../../cards/labels';
import type { WaitingItem } from '../../domain/around/waiting';
import { displayName, type OrgView } from '../../domain/org';
import type { ProcessDefinition } from '../../domain/process/definition';
import { type ActivityAction, currentStep, type Project } from '../../domain/project';
import type { Actor } from '../commit';
import type { AppDeps } from '../deps';
import { type AnsweredCopy, enqueueEffects } from '../effects';

/**
 * Appends one activity line (comment, cc, urge, escalate — or a refused attempt, `denied`) to the project's audit
 * log, in the caller's transaction.
 */
export function appendActivity(
  deps: AppDeps,
  p: Project,
  action: ActivityAction | 'denied',
  actor: Actor & { name?: string },
  at: Date,
  reason: string | null,
  task: number | null = null,
): void {
  const org = deps.org.view();
  deps.audit.append({
    regNo: p.regNo,
    round: p.round,
    stepIndex: p.stepIndex,
    role: currentStep(p)?.role ?? p.chain.at(-1)?.role ?? '',
    action,
    task,
    by: actor.user,
    at,
    reason,
    actorName: actor.name ?? displayName(org, actor.user),
    platform: actor.platform,
  });
  deps.logger.info('activity', { regNo: p.regNo, action, user: actor.user, platform: actor.platform });
}

/** Every live copy of the project's cards is re-rendered (the history shows the new line), but the one answered. */
export function refreshCards(deps: AppDeps, p: Project, at: Date, answering?: AnsweredCopy): void {
  enqueueEffects(deps, p, [{ type: 'card.refresh', regNo: p.regNo }], at, answering);
}

/** A waiting step in words, as on the card: "销售主管审批", "确认需求", "产品缺陷 #1：… · 测试组确认缺陷". */
export function itemLabel(p: Project, def: ProcessDefinition, org: OrgView, w: WaitingItem): string {
  return w.task ? taskName(p, def, w.task) : stepLabel(p, def, org, w.stepIndex ?? p.stepIndex);
}

export const namesOf = (org: OrgView, users: readonly string[]): string =>
  users.map((u) => displayName(org, u)).join('、');
