import { formatTime, taskDefOf, taskName } from '../../cards/labels';
import type { Intent } from '../commands/intents';
import { domainError } from '../domain/errors';
import { displayName } from '../domain/org';
import { barredFrom, canActOn } from '../domain/process/holders';
import { openTasks, type TaskInstance } from '../domain/process/state';
import type { Project } from '../domain/project';
import { assertNever } from '../domain/result';
import { endOfLocalDay } from '../shared/time';
import { type Actor, applyEvent, notFound, type Outcome } from './commit';
import type { AppDeps } from './deps';
import { refusalText } from './messages';
import { remindNow } from './reminders';

type DeliveryIntent = Extract<
  Intent,
  { type: 'task' | 'submit' | 'raise' | 'raiseForm' | 'docs' | 'doc' | 'due' | 'handover' | 'remind' }
>;

/** Intents of the delivery after approval: tasks, documents, subflows (PROCESS.md §3–7). In the caller's transaction. */
export function handleDeliveryIntent(deps: AppDeps, intent: DeliveryIntent, actor: Actor, at: Date): Outcome {
  const p = deps.projects.get(intent.regNo);
  if (!p) return notFound(intent.regNo);
  const by = actor.user;
  switch (intent.type) {
    case 'docs':
      return { ok: true, text: '', view: { type: 'docs', regNo: p.regNo }, regNo: p.regNo };
    case 'task': {
      const task = p.delivery.tasks.find((t) => t.no === intent.task);
      if (task && task.state !== 'open') return { ...staleTask(deps, p, task), regNo: p.regNo };
      const ev = {
        type: 'task' as const,
        by,
        at,
        taskId: intent.task,
        action: intent.action,
        ...(intent.reason !== undefined ? { reason: intent.reason } : {}),
        fields: intent.fields ?? {},
      };
      return applyEvent(deps, p, ev, actor, 'task');
    }
    case 'submit':
      return submitByCommand(deps, p, intent, actor, at);
    case 'handover': {
      // The hand-over request is the open task that needs every document, held by this user.
      const fields = intent.operated === undefined ? {} : { operated: intent.operated ? 'yes' : 'no' };
      return submitByCommand(deps, p, { type: 'submit', regNo: p.regNo, fields }, actor, at, (t) =>
        Boolean(taskDefOf(p, deps.processes.get(p.delivery.processVersion), t)?.requiresDocuments),
      );
    }
    case 'raise': {
      const fields = titleToFirstText(deps, p, intent.kind, intent.fields);
      return applyEvent(deps, p, { type: 'raise', by, at, kind: intent.kind, fields }, actor, 'raise');
    }
    case 'raiseForm':
      return { ok: true, text: '', view: { type: 'raiseForm', regNo: p.regNo, kind: intent.kind }, regNo: p.regNo };
    case 'doc':
      return applyEvent(deps, p, { type: 'doc', by, at, doc: intent.doc, link: intent.link }, actor, 'doc');
    case 'due': {
      const due = endOfLocalDay(intent.date, deps.timeZone);
      if (!due)
        return { ok: false, text: `日期 ${intent.date} 无效，请使用 YYYY-MM-DD 格式的真实日期。`, regNo: p.regNo };
      const ev = {
        type: 'due' as const,
        by,
        at,
        doc: intent.doc,
        due,
        ...(intent.owner ? { owner: intent.owner } : {}),
      };
      return applyEvent(deps, p, ev, actor, 'due');
    }
    case 'remind':
      return remindNow(deps, p, actor, at);
    default:
      return assertNever(intent);
  }
}

/** Typed free words arrive as `title`; a subflow form without one takes them as its first text field. */
function titleToFirstText(deps: AppDeps, p: Project, kind: string, fields: Record<string, string | string[]>) {
  const form = deps.processes.get(p.delivery.processVersion).subflows.find((s) => s.id === kind)?.form;
  const { title, ...rest } = fields;
  if (title === undefined || !form || form.fields.some((f) => f.id === 'title')) return fields;
  const first = form.fields.find((f) => f.kind === 'text' && rest[f.id] === undefined);
  return first ? { ...rest, [first.id]: title } : fields;
}

/** The open tasks this user holds, of one decide kind. */
function heldTasks(deps: AppDeps, p: Project, user: string, decide: 'submit' | 'review'): TaskInstance[] {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  return openTasks(p.delivery).filter((t) => canActOn(t, user, org) && taskDefOf(p, def, t)?.decide === decide);
}

/** `/submit <regNo> [task] key=value …`: the typed version of a task's form. */
function submitByCommand(
  deps: AppDeps,
  p: Project,
  intent: Extract<Intent, { type: 'submit' }>,
  actor: Actor,
  at: Date,
  only: (t: TaskInstance) => boolean = () => true,
): Outcome {
  const def = deps.processes.get(p.delivery.processVersion);
  const org = deps.org.view();
  const mine = heldTasks(deps, p, actor.user, 'submit').filter(only);
  const ref = intent.task;
  const task =
    ref === undefined
      ? mine.length === 1
        ? mine[0]
        : undefined
      : mine.find((t) => (typeof ref === 'number' ? t.no === ref : t.defId === ref));
  if (!task) {
    if (mine.length > 1 && ref === undefined) {
      const list = mine.map((t) => `${t.no}「${taskName(p, def, t)}」`).join('、');
      return {
        ok: false,
        text: `你有多项待提交的任务：${list}。请写明任务编号，如 /submit ${p.regNo} ${mine[0]?.no} 字段=值。`,
        regNo: p.regNo,
      };
    }
    return { ok: false, text: refusalText(domainError('NOT_TASK_HOLDER'), org, p, def), regNo: p.regNo };
  }
  const ev = {
    type: 'task' as const,
    by: actor.user,
    at,
    taskId: task.no,
    action: 'submit' as const,
    fields: intent.fields,
  };
  return applyEvent(deps, p, ev, actor, 'submit');
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
  const def = deps.processes.get(p.delivery.processVersion);
  const reviews = heldTasks(deps, p, actor.user, 'review');
  // The submitter would hold a review of their own project (no self-approval): refused by the task itself, audited.
  const own = openTasks(p.delivery).find(
    (t) => barredFrom(t, actor.user, org) && taskDefOf(p, def, t)?.decide === 'review',
  );
  const review = reviews[0] ?? own;
  if (!review) {
    const other = heldTasks(deps, p, actor.user, 'submit')[0];
    const text = other
      ? `「${taskName(p, def, other)}」需要填写表单：请在项目卡片上提交，或发送 /submit ${p.regNo} ${other.no} 字段=值。`
      : refusalText(domainError('NOT_TASK_HOLDER'), org, p, def);
    return { ok: false, text, regNo: p.regNo };
  }
  if (reviews.length > 1) {
    const list = reviews.map((t) => `「${taskName(p, def, t)}」`).join('、');
    return {
      ok: false,
      text: `你有多项待审核：${list}，请在项目卡片上分别处理（发送 /status ${p.regNo}）。`,
      regNo: p.regNo,
    };
  }
  const ev = {
    type: 'task' as const,
    by: actor.user,
    at,
    taskId: review.no,
    action: intent.type,
    ...(intent.type === 'reject' ? { reason: intent.reason } : {}),
    fields: intent.type === 'approve' ? (intent.fields ?? {}) : {},
  };
  return applyEvent(deps, p, ev, actor, intent.type);
}

/** A click on a task that is no longer open: who handled it and when. */
function staleTask(deps: AppDeps, p: Project, t: TaskInstance): Outcome {
  const org = deps.org.view();
  if (!t.closedBy || !t.closedAt) return { ok: false, text: `该任务已结束。发送 /status ${p.regNo} 查看最新进度。` };
  const verb = t.state === 'rejected' ? '驳回' : '处理';
  return {
    ok: false,
    text: `该任务已由 ${displayName(org, t.closedBy)} 于 ${formatTime(t.closedAt, deps.timeZone)} ${verb}，无需重复处理。`,
  };
}
