import { formatTime } from '../../cards/labels';
import type { Intent } from '../commands/intents';
import { domainError } from '../domain/errors';
import { openTasks, REVIEW_TASKS, TASK_LABELS } from '../domain/lifecycle';
import { canActOnTask } from '../domain/lifecycle-transition';
import { displayName } from '../domain/org';
import type { Project } from '../domain/project';
import { assertNever } from '../domain/result';
import { endOfLocalDay } from '../shared/time';
import type { AppDeps } from './deps';
import { type Actor, applyEvent, type Outcome } from './handle-intent';
import { refusalText } from './messages';
import { remindNow } from './reminders';

type LifecycleIntent = Extract<Intent, { type: 'task' | 'docs' | 'doc' | 'due' | 'handover' | 'remind' }>;

/** Intents of the delivery lifecycle (PROCESS.md §3–5). Runs inside the caller's transaction. */
export function handleLifecycleIntent(deps: AppDeps, intent: LifecycleIntent, actor: Actor, at: Date): Outcome {
  const p = deps.projects.get(intent.regNo);
  if (!p)
    return {
      ok: false,
      text: `找不到登记号为 ${intent.regNo} 的项目，请检查登记号（发送 /mine 查看与你相关的项目）。`,
    };
  const by = actor.user;
  switch (intent.type) {
    case 'docs':
      return { ok: true, text: '', view: { type: 'docs', regNo: p.regNo }, regNo: p.regNo };
    case 'task': {
      const task = p.lifecycle.tasks.find((t) => t.id === intent.task);
      if (task && task.state !== 'open') return { ...staleTask(deps, p, task.id), regNo: p.regNo };
      return applyEvent(
        deps,
        p,
        {
          type: 'task',
          by,
          at,
          taskId: intent.task,
          action: intent.action,
          ...(intent.reason !== undefined ? { reason: intent.reason } : {}),
          fields: intent.fields ?? {},
        },
        actor,
        'task',
      );
    }
    case 'doc':
      return applyEvent(deps, p, { type: 'doc', by, at, doc: intent.doc as 1, link: intent.link }, actor, 'doc');
    case 'due': {
      const due = endOfLocalDay(intent.date, deps.timeZone);
      if (!due)
        return { ok: false, text: `日期 ${intent.date} 无效，请使用 YYYY-MM-DD 格式的真实日期。`, regNo: p.regNo };
      return applyEvent(
        deps,
        p,
        { type: 'due', by, at, doc: intent.doc as 1, due, ...(intent.owner ? { owner: intent.owner } : {}) },
        actor,
        'due',
      );
    }
    case 'handover':
      return applyEvent(deps, p, { type: 'handover', by, at, operated: intent.operated ?? false }, actor, 'handover');
    case 'remind':
      return remindNow(deps, p, actor, at);
    default:
      return assertNever(intent);
  }
}

/** A typed /approve or /reject while the project is in delivery: the one review task this user holds. */
export function decideTaskByCommand(
  deps: AppDeps,
  p: Project,
  intent: Extract<Intent, { type: 'approve' | 'reject' }>,
  actor: Actor,
  at: Date,
): Outcome {
  const org = deps.org.view();
  const mine = openTasks(p.lifecycle).filter((t) => canActOnTask(t, actor.user, org));
  const review = mine.find((t) => REVIEW_TASKS.includes(t.kind));
  if (!review) {
    const other = mine[0];
    const text = other
      ? `「${TASK_LABELS[other.kind]}」需要填写内容，请在项目卡片上提交（发送 /status ${p.regNo} 获取卡片）。`
      : refusalText(domainError('NOT_TASK_HOLDER'), org, p);
    return { ok: false, text, regNo: p.regNo };
  }
  return applyEvent(
    deps,
    p,
    {
      type: 'task',
      by: actor.user,
      at,
      taskId: review.id,
      action: intent.type,
      ...(intent.type === 'reject' ? { reason: intent.reason } : {}),
      fields: {},
    },
    actor,
    intent.type,
  );
}

/** A click on a task that is no longer open: who handled it and when. */
function staleTask(deps: AppDeps, p: Project, taskId: number): Outcome {
  const org = deps.org.view();
  const d = [...p.history].reverse().find((h) => h.task === taskId && h.action !== 'denied');
  if (!d) return { ok: false, text: `该任务已结束。发送 /status ${p.regNo} 查看最新进度。` };
  const verb = d.action === 'reject' ? '驳回' : d.action === 'approve' ? '通过' : '提交';
  return {
    ok: false,
    text: `该任务已由 ${displayName(org, d.by)} 于 ${formatTime(d.at, deps.timeZone)} ${verb}，无需重复处理。`,
  };
}
