import { confirmedAction } from '../../cards/confirm.card';
import { formatTime, STATE_LABELS } from '../../cards/labels';
import { HELP_TEXT } from '../commands/help';
import type { Intent, RegisterFields } from '../commands/intents';
import type { WorkflowEvent } from '../domain/events';
import { displayName, type OrgView, type UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { decisionFor, isOpen, type Project, type ProjectFacts } from '../domain/project';
import { assertNever } from '../domain/result';
import { mayRegister, register } from '../domain/transition';
import { handleAroundIntent } from './around/intents';
import { type Actor, applyEvent, commit, fieldOf, notFound, type Outcome } from './commit';
import { handleDelegate } from './delegation';
import { decideTaskByCommand, handleDeliveryIntent } from './delivery-intents';
import type { AppDeps } from './deps';
import { tellAdmins } from './effects';
import { orgGapText, refusalText, waitingText } from './messages';
import { handleOperation } from './operation-intents';
import { statsOutcome } from './stats';

export type { Actor, Outcome } from './commit';
export { StaleVersionError } from './commit';

/** Runs one intent. Must be called inside `deps.tx`: it reads, decides and writes synchronously. */
export function handleIntent(deps: AppDeps, intent: Intent, actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  switch (intent.type) {
    case 'help':
      return { ok: true, text: '', view: { type: 'text', text: helpText(deps.processes.current().def) } };
    case 'registerForm': {
      // Offered only to who may register: nobody fills ten fields to learn they may not.
      const def = deps.processes.current().def;
      const refused = mayRegister(actor.user, def, org);
      if (refused) return { ok: false, text: refusalText(refused, org, null, def) };
      return { ok: true, text: '请填写项目实施登记表。', view: { type: 'registerForm' } };
    }
    case 'mine':
      return { ok: true, text: '', view: { type: 'mine' } };
    case 'confirm': {
      const action = confirmedAction(intent.action);
      if (!action) return { ok: false, text: '无法识别的卡片操作，请发送 /help 查看可用命令。' };
      const { title, text, label } = intent;
      return { ok: true, text: '', view: { type: 'confirm', title, text, label, action } };
    }
    case 'stats':
      return statsOutcome(deps, actor);
    case 'status': {
      const p = deps.projects.get(intent.regNo);
      if (!p) return notFound(intent.regNo);
      return { ok: true, text: '', view: { type: 'project', regNo: p.regNo, full: true }, regNo: p.regNo };
    }
    case 'register': {
      const year = Number(formatTime(at, deps.timeZone).slice(0, 4));
      const facts = toFacts(intent.fields, org);
      const { version, def } = deps.processes.current();
      const ev = { type: 'register' as const, by: actor.user, at, regNo: '', facts, processVersion: version };
      const res = register(ev, def, org);
      if (!res.ok) {
        // A step nobody may decide (an empty role, or only the registrant holds it): only the admins can fix that.
        const gap = res.error.code === 'SELF_APPROVAL' || res.error.code === 'NO_ASSIGNEE';
        const who = displayName(org, actor.user);
        const told =
          gap && tellAdmins(deps, `${who} 登记项目「${facts.name}」未成功：${orgGapText(res.error, org, def)}`, at);
        const error = told ? { ...res.error, meta: { ...res.error.meta, adminsTold: 1 } } : res.error;
        return { ok: false, text: refusalText(error, org, null, def), ...fieldOf(res.error) };
      }
      const regNo = deps.projects.nextRegNo(year);
      const next = { ...res.value.next, regNo };
      deps.projects.insert(next);
      const effects = res.value.effects.map((e) => ({ ...e, regNo }));
      commit(deps, { ...res.value, next }, actor, regNo, at, effects);
      return { ok: true, text: `已登记，项目实施登记号 ${regNo}。${waitingText(next, def, org)}。`, regNo };
    }
    case 'approve':
    case 'reject':
    case 'resubmit':
    case 'withdraw': {
      const p = deps.projects.get(intent.regNo);
      if (!p) return notFound(intent.regNo);
      const def = deps.processes.get(p.delivery.processVersion);
      if ((intent.type === 'approve' || intent.type === 'reject') && intent.round !== undefined) {
        const stale = staleClick(p, def, intent.round, intent.step ?? -1, org, deps.timeZone);
        if (stale) return { ...stale, regNo: p.regNo };
      }
      if ((intent.type === 'approve' || intent.type === 'reject') && (p.state === 'accepted' || p.state === 'closed')) {
        // Typed /approve or /reject during delivery: the review task this user holds.
        return decideTaskByCommand(deps, p, intent, actor, at);
      }
      return applyEvent(deps, p, toEvent(intent, actor.user, at, org), actor, intent.type);
    }
    case 'task':
    case 'submit':
    case 'raise':
    case 'raiseForm':
    case 'docs':
    case 'doc':
    case 'due':
    case 'handover':
    case 'remind':
      return handleDeliveryIntent(deps, intent, actor, at);
    case 'op':
      return handleOperation(deps, intent, actor, at);
    case 'opsForm':
      return { ok: true, text: '', view: { type: 'ops', regNo: intent.regNo }, regNo: intent.regNo };
    case 'delegate':
      return handleDelegate(deps, intent.args, actor, at);
    case 'comment':
    case 'cc':
    case 'urge':
    case 'approveAll':
    case 'who':
      return handleAroundIntent(deps, intent, actor, at);
    default:
      return assertNever(intent);
  }
}

/** A click on a button of a step that is no longer current: say who handled it and when. */
function staleClick(
  p: Project,
  _def: ProcessDefinition,
  round: number,
  step: number,
  org: OrgView,
  tz: string,
): Outcome | null {
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
    operated: f.operated ?? false,
    cloud: f.cloud ?? false,
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
  if (f.operated !== undefined) out.operated = f.operated;
  if (f.cloud !== undefined) out.cloud = f.cloud;
  return out;
}

/** /help: the built-in commands and the subflow commands of the current process. */
function helpText(def: ProcessDefinition): string {
  const subs = def.subflows.map(
    (s) =>
      `• /${s.command} <登记号> <描述> [字段=值 …]（别名 ${s.aliases.map((a) => `/${a}`).join(' ')}）— 发起${s.name}`,
  );
  return subs.length ? `${HELP_TEXT}\n${subs.join('\n')}` : HELP_TEXT;
}
