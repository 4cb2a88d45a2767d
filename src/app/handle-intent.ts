import { formatTime, STATE_LABELS, stepLabel } from '../../cards/labels';
import { HELP_TEXT } from '../commands/help';
import type { Intent, RegisterFields } from '../commands/intents';
import type { WorkflowEvent } from '../domain/events';
import { displayName, type OrgView, type UserId } from '../domain/org';
import { currentStep, decisionFor, isOpen, type Project, type ProjectFacts } from '../domain/project';
import { assertNever } from '../domain/result';
import { register, type Transitioned, transition } from '../domain/transition';
import type { Platform } from '../platforms/types';
import type { AppDeps } from './deps';
import { enqueueEffects } from './effects';
import { decideTaskByCommand, handleLifecycleIntent } from './lifecycle-intents';
import { refusalText, waitingText } from './messages';
import type { AuditEntry } from './ports';
import type { View } from './views';

/** What the user who acted is told. `regNo` names the project the answer is about (for inline card updates). */
export interface Outcome {
  ok: boolean;
  text: string;
  /** A card to send back to the user (status, /mine, the registration form). */
  view?: View;
  regNo?: string;
}

/** Thrown inside the transaction when a compare-and-set loses; the whole transaction rolls back. */
export class StaleVersionError extends Error {
  override name = 'StaleVersionError';
}

export interface Actor {
  user: UserId;
  platform: Platform;
}

/** Runs one intent. Must be called inside `deps.tx`: it reads, decides and writes synchronously. */
export function handleIntent(deps: AppDeps, intent: Intent, actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  switch (intent.type) {
    case 'help':
      return { ok: true, text: '', view: { type: 'text', text: HELP_TEXT } };
    case 'registerForm':
      return { ok: true, text: '请填写项目实施登记表。', view: { type: 'registerForm' } };
    case 'mine':
      return { ok: true, text: '', view: { type: 'mine' } };
    case 'status': {
      const p = deps.projects.get(intent.regNo);
      if (!p) return notFound(intent.regNo);
      return { ok: true, text: '', view: { type: 'project', regNo: p.regNo }, regNo: p.regNo };
    }
    case 'register': {
      const year = Number(formatTime(at, deps.timeZone).slice(0, 4));
      const facts = toFacts(intent.fields, org);
      const res = register({ type: 'register', by: actor.user, at, regNo: '', facts }, org);
      if (!res.ok) return { ok: false, text: refusalText(res.error, org, null) };
      const regNo = deps.projects.nextRegNo(year);
      const next = { ...res.value.next, regNo };
      deps.projects.insert(next);
      const effects = res.value.effects.map((e) => ({ ...e, regNo }));
      commit(deps, { ...res.value, next }, actor, regNo, at, effects);
      return { ok: true, text: `已登记，项目实施登记号 ${regNo}。${waitingText(next, org)}。`, regNo };
    }
    case 'approve':
    case 'reject':
    case 'resubmit':
    case 'withdraw': {
      const p = deps.projects.get(intent.regNo);
      if (!p) return notFound(intent.regNo);
      if ((intent.type === 'approve' || intent.type === 'reject') && intent.round !== undefined) {
        const stale = staleClick(p, intent.round, intent.step ?? -1, org, deps.timeZone);
        if (stale) return { ...stale, regNo: p.regNo };
      }
      if ((intent.type === 'approve' || intent.type === 'reject') && p.state === 'accepted') {
        // Typed /approve or /reject during delivery: the review task this user holds.
        return decideTaskByCommand(deps, p, intent, actor, at);
      }
      return applyEvent(deps, p, toEvent(intent, actor.user, at, org), actor, intent.type);
    }
    case 'task':
    case 'docs':
    case 'doc':
    case 'due':
    case 'handover':
    case 'remind':
      return handleLifecycleIntent(deps, intent, actor, at);
    default:
      return assertNever(intent);
  }
}

/** Runs a workflow event on a loaded project: transition, CAS update, audit, effects → outbox. */
export function applyEvent(deps: AppDeps, p: Project, ev: WorkflowEvent, actor: Actor, what: string): Outcome {
  const org = deps.org.view();
  const res = transition(p, ev, org, deps.lifecycle);
  if (!res.ok) {
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
    return { ok: false, text: refusalText(res.error, org, p), regNo: p.regNo };
  }
  if (!deps.projects.update(res.value.next, p.version)) throw new StaleVersionError(p.regNo);
  commit(deps, res.value, actor, p.regNo, ev.at, res.value.effects);
  return { ok: true, text: doneText(ev, res.value.next, org), regNo: p.regNo };
}

function commit(
  deps: AppDeps,
  t: Transitioned,
  actor: Actor,
  regNo: string,
  at: Date,
  effects: Transitioned['effects'],
): void {
  const org = deps.org.view();
  deps.audit.append({ ...t.record, regNo, actorName: displayName(org, actor.user), platform: actor.platform });
  enqueueEffects(deps, t.next, effects, at);
  deps.logger.info('transition', { regNo, action: t.record.action, user: actor.user, platform: actor.platform });
}

function denied(p: Project, actor: Actor, at: Date): Omit<AuditEntry, 'actorName' | 'task' | 'reason'> {
  return {
    regNo: p.regNo,
    round: p.round,
    stepIndex: p.stepIndex,
    role: currentStep(p)?.role ?? ('sales' as const),
    action: 'denied' as const,
    by: actor.user,
    at,
    platform: actor.platform,
  };
}

/** A click on a button of a step that is no longer current: say who handled it and when. */
function staleClick(p: Project, round: number, step: number, org: OrgView, tz: string): Outcome | null {
  if (isOpen(p) && p.round === round && p.stepIndex === step) return null;
  const d = decisionFor(p, round, step);
  if (d) {
    const what = d.action === 'approve' ? '同意' : '驳回';
    return {
      ok: false,
      text: `该步骤已由 ${displayName(org, d.by)} 于 ${formatTime(d.at, tz)} ${what}，无需重复处理。`,
    };
  }
  return {
    ok: false,
    text: `该卡片已过期，项目当前状态：${STATE_LABELS[p.state]}。发送 /status ${p.regNo} 查看最新进度。`,
  };
}

function toEvent(
  intent: Extract<Intent, { type: 'approve' | 'reject' | 'resubmit' | 'withdraw' }>,
  by: UserId,
  at: Date,
  org: OrgView,
): WorkflowEvent {
  switch (intent.type) {
    case 'approve':
      return {
        type: 'approve',
        by,
        at,
        ...(intent.comment ? { comment: intent.comment } : {}),
        ...(intent.outsourcing !== undefined ? { outsourcing: intent.outsourcing } : {}),
        ...(intent.fields ? { fields: intent.fields } : {}),
      };
    case 'reject':
      return { type: 'reject', by, at, reason: intent.reason };
    case 'withdraw':
      return { type: 'withdraw', by, at };
    case 'resubmit':
      return { type: 'resubmit', by, at, ...(intent.changes ? { changes: toFactChanges(intent.changes, org) } : {}) };
    default:
      return assertNever(intent);
  }
}

/** Region may be typed as its id or its display name (north / 北方). */
function resolveRegion(input: string, org: OrgView): string {
  const lower = input.toLowerCase();
  return org.regions.find((r) => r.toLowerCase() === lower || org.regionNames[r] === input) ?? input;
}

function toFacts(f: RegisterFields, org: OrgView): ProjectFacts {
  return {
    name: f.name,
    customer: f.customer,
    kind: f.kind,
    region: resolveRegion(f.region, org),
    contractNo: f.contract,
    signed: f.signed,
    paid: f.paid,
    reqLink: f.req ?? null,
    solutionLink: f.solution ?? null,
    formLink: f.form,
  };
}

function toFactChanges(
  f: { [K in keyof RegisterFields]?: RegisterFields[K] | undefined },
  org: OrgView,
): Partial<ProjectFacts> {
  const out: Partial<ProjectFacts> = {};
  if (f.name !== undefined) out.name = f.name;
  if (f.customer !== undefined) out.customer = f.customer;
  if (f.kind !== undefined) out.kind = f.kind;
  if (f.region !== undefined) out.region = resolveRegion(f.region, org);
  if (f.contract !== undefined) out.contractNo = f.contract;
  if (f.signed !== undefined) out.signed = f.signed;
  if (f.paid !== undefined) out.paid = f.paid;
  if (f.req !== undefined) out.reqLink = f.req;
  if (f.solution !== undefined) out.solutionLink = f.solution;
  if (f.form !== undefined) out.formLink = f.form;
  return out;
}

function doneText(ev: WorkflowEvent, p: Project, org: OrgView): string {
  const last = p.history.at(-1);
  const step = last ? p.chain[last.stepIndex] : undefined;
  switch (ev.type) {
    case 'approve':
      return p.state === 'accepted'
        ? `已受理 ${p.regNo}，审批流程完成，进入实施阶段。`
        : `已同意${step ? `（${stepLabel(step, org)}）` : ''}，${waitingText(p, org)}。`;
    case 'reject':
      return `已驳回 ${p.regNo}，已通知责任销售。`;
    case 'resubmit':
      return `已重新提交 ${p.regNo}（第 ${p.round} 轮），${waitingText(p, org)}。`;
    case 'withdraw':
      return `已撤回 ${p.regNo}。`;
    case 'task': {
      const verb = ev.action === 'approve' ? '已通过' : ev.action === 'reject' ? '已驳回' : '已提交';
      if (p.state === 'closed') return `${verb}，${p.regNo} 已完成移交，新闻已发布。`;
      return `${verb}，${waitingText(p, org)}。`;
    }
    case 'doc':
      return `已提交 ${p.regNo} 的验收资料 ${ev.doc}。`;
    case 'due':
      return `已更新 ${p.regNo} 验收资料 ${ev.doc} 的截止日期/负责人。`;
    case 'handover':
      return `已申请移交 ${p.regNo}，${waitingText(p, org)}。`;
  }
}

function notFound(regNo: string): Outcome {
  return { ok: false, text: `找不到登记号为 ${regNo} 的项目，请检查登记号（发送 /mine 查看与你相关的项目）。` };
}
