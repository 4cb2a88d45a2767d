import { displayName, type OrgView, type UserId } from '../src/domain/org';
import type { ProcessDefinition } from '../src/domain/process/definition';
import { canActOn } from '../src/domain/process/holders';
import { openTasks, type TaskInstance } from '../src/domain/process/state';
import { currentStep, type Project } from '../src/domain/project';
import { isCurrentApprover } from '../src/domain/transition';
import { holdersOf, noHolderText, noTaskHolderText, STATE_LABELS, stepLabel, taskHolders, taskName } from './labels';
import type { CardBlock } from './model';

/**
 * The one line on top of a project card: what this viewer is asked to do now, or — when nothing is asked — that
 * nothing is and who holds the project now. Derived from the current state only, so it can never go stale (a
 * stored banner is used only for a 催办 while the viewer still has the work).
 */
export function askLine(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  viewer: UserId | null,
  banner: string | null = null,
): Extract<CardBlock, { type: 'ask' }> {
  const todo = viewer === null ? null : asked(p, def, org, viewer);
  if (todo) return { type: 'ask', text: banner?.includes('催办') ? banner : todo, todo: true };
  return { type: 'ask', text: `无需你操作。${nowHeld(p, def, org)}`, todo: false };
}

/** What the viewer must do on this project now, or null. */
function asked(p: Project, def: ProcessDefinition, org: OrgView, viewer: UserId): string | null {
  if (p.state === 'in_approval' && isCurrentApprover(p, viewer, org, def)) {
    return `请处理：${stepLabel(p, def, org)}${p.round > 1 ? ` · 第 ${p.round} 轮` : ''}`;
  }
  if (p.state === 'rejected' && viewer === p.submitter) {
    const last = lastRejection(p);
    const by = last ? `被 ${displayName(org, last.by)} 驳回` : '被驳回';
    return `请修改后重新提交：「${last ? stepLabel(p, def, org, last.stepIndex) : ''}」${by}`;
  }
  const mine = openTasks(p.delivery).filter((t) => canActOn(t, viewer, org));
  if (mine.length) return `请处理：${mine.map((t) => taskName(p, def, t)).join('、')}`;
  return null;
}

/** Who holds the project now, in one sentence. */
export function nowHeld(p: Project, def: ProcessDefinition, org: OrgView): string {
  const step = currentStep(p);
  if (step) {
    const holders = holdersOf(p, step, org, def);
    const label = stepLabel(p, def, org);
    return holders ? `目前由 ${holders} 处理「${label}」。` : `「${label}」${noHolderText(p, step, org, def)}。`;
  }
  if (p.state === 'rejected') return `已驳回，等待 ${displayName(org, p.submitter)} 修改后重新提交。`;
  if (p.state === 'withdrawn') return '项目已撤回。';
  const open = openTasks(p.delivery);
  const held = open
    .map(
      (t) =>
        `「${taskName(p, def, t)}」${taskHolders(t, org) ? `由 ${taskHolders(t, org)} 处理` : noTaskHolderText(t, org, def)}`,
    )
    .join('；');
  if (p.state === 'closed') return `项目已完成移交${held ? `；${held}` : ''}。`;
  return held ? `目前${held}。` : `${STATE_LABELS[p.state]}。`;
}

export function lastRejection(p: Project) {
  return [...p.history].reverse().find((d) => d.action === 'reject' && d.task === null && d.round === p.round);
}

/**
 * The rejection that sent a reopened task back, if any: the review closed as rejected at the moment the task
 * instance was opened.
 */
export function sentBackBy(p: Project, t: TaskInstance): TaskInstance | undefined {
  return p.delivery.tasks.find(
    (x) => x.state === 'rejected' && x.closedAt !== null && x.closedAt.getTime() === t.openedAt.getTime(),
  );
}
