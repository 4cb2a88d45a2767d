import type { FormDraft } from '../../cards/draft';
import {
  holdersOf,
  names,
  noHolderText,
  noTaskHolderText,
  stepLabel,
  subflowTitle,
  taskName,
} from '../../cards/labels';
import { ccOfStep, ccOfTask } from '../domain/around/cc';
import type { Effect } from '../domain/effects';
import { adminsOf, displayName, type OrgView, type UserId, withDelegates } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { holdersOfTask, taskHoldersNow } from '../domain/process/holders';
import { currentStep, type Project } from '../domain/project';
import { assertNever } from '../domain/result';
import { approversOf, stepHoldersNow } from '../domain/routing';
import type { Platform } from '../platforms/types';
import type { AppDeps } from './deps';
import type { CardMessage } from './ports';
import type { View } from './views';

/** Queues a message to every enabled platform where the user has an identity (`platforms`: only those). */
export function sendToUser(
  deps: AppDeps,
  user: UserId,
  view: View,
  at: Date,
  opts: { urgent?: boolean; platforms?: readonly Platform[] } = {},
): void {
  for (const id of deps.org.identitiesOf(user)) {
    if (!deps.platforms.includes(id.platform)) continue;
    if (opts.platforms && !opts.platforms.includes(id.platform)) continue;
    const target = { kind: 'user' as const, id: id.platformUserId };
    const urgent = opts.urgent ? { urgent: true } : {};
    deps.outbox.enqueue(id.platform, { op: 'send', target, view, viewer: user, ...urgent }, at);
  }
}

/**
 * Tells the admins (the org file's `admin` role) something only they can fix, as a one-to-one text, inside the
 * caller's transaction. Returns whether anyone was told; with no admin in the org file it is logged instead.
 */
export function tellAdmins(deps: AppDeps, text: string, at: Date): boolean {
  const admins = adminsOf(deps.org.view());
  for (const admin of admins) sendToUser(deps, admin, { type: 'text', text: `【管理员通知】${text}` }, at);
  if (admins.length === 0) deps.logger.warn('nobody holds the admin role to be told', { text });
  return admins.length > 0;
}

/** The current step of `p` has nobody who may decide it (an emptied role, or one left to the submitter alone). */
export function tellAdminsNobodyDecides(
  deps: AppDeps,
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  at: Date,
): void {
  const step = currentStep(p);
  if (!step) return;
  const what = `项目「${p.facts.name}」（${p.regNo}）的「${stepLabel(p, def, org)}」`;
  tellAdmins(deps, `${what}${noHolderText(p, step, org, def)}。`, at);
}

const groupKey = (m: CardMessage) => `${m.platform}\u0000${m.viewerId ?? ''}\u0000${m.kind}`;

/**
 * The copies of a project's cards that are still live: the newest per platform, viewer and card kind. Older copies
 * were superseded when the newer one arrived (locked, pointing to the current one) and are never refreshed again.
 * `copies`: the project's copies when the caller has just read them.
 */
export function liveCopies(
  deps: AppDeps,
  regNo: string,
  copies: readonly CardMessage[] = deps.cardMessages.forProject(regNo),
): CardMessage[] {
  const newest = new Map<string, CardMessage>();
  for (const m of copies) newest.set(m.viewerId === null ? `${groupKey(m)}${m.messageId}` : groupKey(m), m);
  return [...newest.values()];
}

/** A new copy was recorded: the viewer's previous copy of the same card is locked into a pointer to the new one. */
export function supersedeOlderCopies(deps: AppDeps, latest: CardMessage, at: Date): void {
  if (latest.viewerId === null) return;
  const same = deps.cardMessages.forProject(latest.regNo).filter((m) => groupKey(m) === groupKey(latest));
  const previous = same.filter((m) => m.messageId !== latest.messageId).at(-1);
  if (!previous || same.at(-1)?.messageId !== latest.messageId) return;
  const view: View = { type: 'superseded', regNo: latest.regNo, kind: latest.kind };
  deps.outbox.enqueue(
    previous.platform,
    { op: 'update', messageId: previous.messageId, view, viewer: previous.viewerId },
    at,
  );
}

/**
 * The card a click came from, answered by the click itself (see Actor.answering). The refresh of the project's copies
 * sets `left` to that copy when it leaves it out; the pipeline sets `shown` when the answer re-renders it, and
 * updates the copy after all when it did not.
 */
export interface AnsweredCopy {
  platform: Platform;
  messageId: string;
  left?: CardMessage;
  shown?: boolean;
}

/**
 * What a live copy of a project's card shows: the project card (with its banner) or the documents checklist;
 * `draft`: with a refused form's typed values.
 */
export function copyView(regNo: string, m: Pick<CardMessage, 'kind' | 'banner'> | undefined, draft?: FormDraft): View {
  const d = draft ? { draft } : {};
  return m?.kind === 'docs'
    ? { type: 'docs', regNo, ...d }
    : { type: 'project', regNo, ...(m?.banner ? { banner: m.banner } : {}), ...d };
}

/** Queues the update of one copy of a project's card to what the project shows now. */
export function refreshCopy(deps: AppDeps, m: CardMessage, at: Date): void {
  const view = copyView(m.regNo, m);
  deps.outbox.enqueue(m.platform, { op: 'update', messageId: m.messageId, view, viewer: m.viewerId }, at);
}

/**
 * Turns a transition's effects into outbox rows. Runs inside the transition's transaction. `answering`: the clicked
 * copy, left out of the refresh (its answer shows it).
 */
export function enqueueEffects(deps: AppDeps, p: Project, effects: Effect[], at: Date, answering?: AnsweredCopy): void {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  // Copies updated by a card.moved effect get that one update only (WeCom update codes are single-use).
  const moved = new Set(effects.flatMap((e) => (e.type === 'card.moved' ? e.users : [])));
  for (const effect of effects) {
    switch (effect.type) {
      case 'card.refresh':
        for (const m of liveCopies(deps, p.regNo)) {
          if (!deps.platforms.includes(m.platform)) continue;
          if (m.kind === 'project' && m.viewerId && moved.has(m.viewerId)) continue;
          if (answering && m.platform === answering.platform && m.messageId === answering.messageId) {
            answering.left = m;
            continue;
          }
          refreshCopy(deps, m, at);
        }
        break;
      case 'notify.assignees': {
        const step = currentStep(p);
        if (!step) break;
        const banner = `请处理：${stepLabel(p, def, org)}`;
        const approvers = approversOf(p, step, org, def);
        const only = effect.only ? withDelegates(org, effect.only) : null;
        for (const user of approvers) {
          if (only && !only.includes(user)) continue;
          sendToUser(deps, user, { type: 'project', regNo: p.regNo, banner }, at);
        }
        copiesForAway(deps, org, stepHoldersNow(p, step, org, def), effect.only, p.regNo, stepLabel(p, def, org), at);
        // The org changed since registration (checked then): nobody may decide this step now.
        if (approvers.length === 0) tellAdminsNobodyDecides(deps, p, def, org, at);
        const cc = only ? [] : ccOfStep(p, def, org, p.stepIndex, approvers);
        for (const user of cc) sendToUser(deps, user, ccView(p, stepLabel(p, def, org), approvers, org), at);
        break;
      }
      case 'notify.submitter':
        sendToUser(deps, p.submitter, submitterNotice(p, def, org, effect), at);
        break;
      case 'notify.task': {
        const task = p.delivery.tasks.find((t) => t.no === effect.taskId);
        if (task?.state !== 'open') break;
        const holders = holdersOfTask(task, org);
        const only = effect.only ? withDelegates(org, effect.only) : null;
        // Nobody may act on it (its one holder submitted the project, or its role is empty): only admins can fix that.
        if (holders.length === 0 && !only) {
          tellAdmins(
            deps,
            `项目「${p.facts.name}」（${p.regNo}）的「${taskName(p, def, task)}」${noTaskHolderText(task, org, def)}。`,
            at,
          );
        }
        for (const user of holders) {
          if (only && !only.includes(user)) continue;
          sendToUser(deps, user, { type: 'project', regNo: p.regNo, banner: `请处理：${taskName(p, def, task)}` }, at);
        }
        copiesForAway(deps, org, taskHoldersNow(task, org), effect.only, p.regNo, taskName(p, def, task), at);
        const cc = only ? [] : ccOfTask(p, def, org, task, holders);
        for (const user of cc) sendToUser(deps, user, ccView(p, taskName(p, def, task), holders, org), at);
        break;
      }
      case 'notify.users':
        for (const user of new Set(effect.users)) sendToUser(deps, user, deliveryNotice(p, def, org, effect), at);
        break;
      case 'card.moved': {
        // The people it moved away from: their live copies say where it went (the buttons are gone).
        const where = effect.task === null ? stepLabel(p, def, org) : taskLabel(p, def, effect.task);
        const last = p.history.at(-1);
        const by = last ? displayName(org, last.by) : '';
        const banner = `「${where}」已由 ${by} 转交给 ${names(org, effect.to)}${effect.note ? `（${effect.note}）` : ''}，此卡片仅供查看。`;
        for (const m of liveCopies(deps, p.regNo)) {
          if (m.kind !== 'project' || !m.viewerId || !effect.users.includes(m.viewerId)) continue;
          if (!deps.platforms.includes(m.platform)) continue;
          const view: View = { type: 'project', regNo: p.regNo, banner };
          deps.outbox.enqueue(m.platform, { op: 'update', messageId: m.messageId, view, viewer: m.viewerId }, at);
        }
        break;
      }
      case 'news.handover':
        for (const chat of deps.org.chats(def.newsChat)) {
          if (!deps.platforms.includes(chat.platform)) continue;
          const target = { kind: 'chat' as const, id: chat.chatId };
          deps.outbox.enqueue(
            chat.platform,
            { op: 'send', target, view: { type: 'news', regNo: p.regNo }, viewer: null },
            at,
          );
        }
        break;
      default:
        assertNever(effect);
    }
  }
}

/** The card a person copied by the process definition receives when the step opens (read-only, updated in place). */
function ccView(p: Project, label: string, holders: UserId[], org: OrgView): View {
  const who = holders.map((u) => displayName(org, u)).join('、');
  return {
    type: 'project',
    regNo: p.regNo,
    banner: `抄送：「${label}」已开始，由 ${who} 处理（只读：进展会在这张卡片上更新）`,
  };
}

function submitterNotice(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  e: Extract<Effect, { type: 'notify.submitter' }>,
): View {
  const title = `【${p.regNo} ${p.facts.name}】`;
  const last = p.history.at(-1);
  const by = last ? displayName(org, last.by) : '';
  const step = currentStep(p);
  const holders = step ? holdersOf(p, step, org, def) : '';
  const next = step
    ? `「${stepLabel(p, def, org)}」${holders ? ` — ${holders}` : `，${noHolderText(p, step, org, def)}`}`
    : '';
  const prev = last ? stepLabel(p, def, org, last.stepIndex) : '';
  switch (e.event) {
    case 'registered':
      return { type: 'project', regNo: p.regNo, banner: `已提交登记，等待${next}。之后每一步都会通知你。` };
    case 'rejected':
      return {
        type: 'project',
        regNo: p.regNo,
        banner: `「${prev}」被 ${by} 驳回，原因：${e.reason ?? ''}\n可点击“重新提交”，或发送 /resubmit ${p.regNo} 字段=新值 修改后重新提交。`,
      };
    case 'advanced':
      return { type: 'text', text: `${title}${by} 已同意「${prev}」，下一步：${next}。` };
    case 'accepted':
      return { type: 'text', text: `${title}已由 ${by} 受理，审批流程完成，项目进入执行阶段。` };
    case 'withdrawn':
      return { type: 'text', text: `${title}已撤回。` };
    case 'resubmitted':
      return { type: 'text', text: `${title}已重新提交（第 ${p.round} 轮），等待${next}。` };
    default:
      return assertNever(e.event);
  }
}

function deliveryNotice(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  e: Extract<Effect, { type: 'notify.users' }>,
): View {
  const title = `【${p.regNo} ${p.facts.name}】`;
  switch (e.notice) {
    case 'task_rejected': {
      const task = p.delivery.tasks.find((t) => t.no === e.task);
      const what = task ? `「${taskName(p, def, task)}」` : '';
      const by = task?.closedBy ? displayName(org, task.closedBy) : '';
      return {
        type: 'project',
        regNo: p.regNo,
        banner: `${what}被 ${by} 驳回，原因：${e.reason ?? ''}。请修改后重新提交。`,
      };
    }
    case 'docs_complete':
      return {
        type: 'text',
        text: `${title}验收资料已齐全，可以申请移交（项目卡片上的按钮，或发送 /handover ${p.regNo}）。`,
      };
    case 'closed':
      return { type: 'text', text: `${title}已完成移交，项目关闭。` };
    case 'subflow_done':
      return { type: 'text', text: `${title}${e.subflow ? subflowTitle(p, def, e.subflow) : ''} 已处理完成。` };
    default:
      return assertNever(e.notice);
  }
}

function taskLabel(p: Project, def: ProcessDefinition, no: number): string {
  const t = p.delivery.tasks.find((x) => x.no === no);
  return t ? taskName(p, def, t) : String(no);
}

/** Holders away on a delegation keep a read-only copy of the card: it says who decides for them meanwhile. */
function copiesForAway(
  deps: AppDeps,
  org: OrgView,
  holders: UserId[],
  only: string[] | undefined,
  regNo: string,
  what: string,
  at: Date,
): void {
  for (const user of holders) {
    const delegate = org.delegates?.[user];
    if (!delegate || (only && !only.includes(user))) continue;
    const banner = `「${what}」在你代理期间由 ${displayName(org, delegate)} 代为处理，此卡片仅供查看。`;
    sendToUser(deps, user, { type: 'project', regNo, banner }, at);
  }
}
