import { stepLabel, taskName } from '../../../cards/labels';
import { taskSpec } from '../../domain/around/waiting';
import type { WorkflowEvent } from '../../domain/events';
import { canActOn } from '../../domain/process/holders';
import { stepSpec } from '../../domain/routing';
import { isCurrentApprover, stepForm } from '../../domain/transition';
import { type Actor, applyEvent, type Outcome } from '../commit';
import type { AppDeps } from '../deps';
import { membershipsOf } from '../mine';

/**
 * `/approve-all` (批量同意) and the 全部同意 button of /mine: every approval step and review task the user holds that
 * asks for no form is approved one by one through the normal path (transition, compare-and-set, audit line,
 * effects), all inside this one inbound event's transaction — so a redelivered click changes nothing, and a second
 * click finds nothing left. Steps and tasks with a form are listed as left for the card.
 */
export function approveAll(deps: AppDeps, actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  const user = actor.user;
  const memberships = membershipsOf(org, user, deps.processes.current().def);
  const refs = new Map<string, { regNo: string; task: number | null }>();
  for (const r of deps.work.heldSteps(memberships)) refs.set(`${r.regNo}#`, { regNo: r.regNo, task: null });
  for (const r of deps.work.heldTasks(user, memberships))
    if (r.no !== null) refs.set(`${r.regNo}#${r.no}`, { regNo: r.regNo, task: r.no });
  const done: string[] = [];
  const left: string[] = [];
  for (const ref of refs.values()) {
    const p = deps.projects.get(ref.regNo);
    if (!p) continue;
    const def = deps.processes.get(p.delivery.processVersion);
    let label: string;
    let ev: WorkflowEvent;
    if (ref.task === null) {
      if (!isCurrentApprover(p, user, org, def)) continue;
      label = stepLabel(p, def, org);
      if (stepForm(stepSpec(p, p.stepIndex, def))) {
        left.push(`• ${p.regNo} ${label}：需要填写表单，请在卡片上处理`);
        continue;
      }
      ev = { type: 'approve', by: user, at };
    } else {
      const t = p.delivery.tasks.find((x) => x.no === ref.task);
      if (!t || !canActOn(t, user, org)) continue;
      const spec = taskSpec(p, def, t);
      label = taskName(p, def, t);
      if (spec?.decide !== 'review' || spec.form) {
        left.push(
          `• ${p.regNo} ${label}：${spec?.decide === 'review' ? '需要填写表单' : '需要提交表单'}，请在卡片上处理`,
        );
        continue;
      }
      ev = { type: 'task', by: user, at, taskId: t.no, action: 'approve', fields: {} };
    }
    const res = applyEvent(deps, p, ev, actor, 'approve');
    (res.ok ? done : left).push(`• ${p.regNo} ${label}：${res.ok ? '已同意' : res.text}`);
  }
  if (!done.length && !left.length) return { ok: false, text: '你目前没有待审批的步骤。' };
  // The summary answers (a toast for a click); the lines item by item follow as a message.
  const summary = `批量同意：已同意 ${done.length} 项${left.length ? `，未处理 ${left.length} 项` : ''}。`;
  const lines = [...done, ...(left.length ? ['未处理：', ...left] : [])];
  return { ok: done.length > 0, text: summary, view: { type: 'text', text: lines.join('\n') } };
}
