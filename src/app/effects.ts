import { holdersOf, stepLabel } from '../../cards/labels';
import type { Effect } from '../domain/effects';
import { TASK_LABELS } from '../domain/lifecycle';
import { displayName, membersOf, type OrgView, ROLE_LABELS, type UserId } from '../domain/org';
import { currentStep, type Project } from '../domain/project';
import { assertNever } from '../domain/result';
import type { AppDeps } from './deps';
import type { View } from './views';

/** Queues a message to every enabled platform where the user has an identity. */
export function sendToUser(deps: AppDeps, user: UserId, view: View, at: Date, opts: { urgent?: boolean } = {}): void {
  for (const id of deps.org.identitiesOf(user)) {
    if (!deps.platforms.includes(id.platform)) continue;
    const target = { kind: 'user' as const, id: id.platformUserId };
    const urgent = opts.urgent ? { urgent: true } : {};
    deps.outbox.enqueue(id.platform, { op: 'send', target, view, viewer: user, ...urgent }, at);
  }
}

/** Turns a transition's effects into outbox rows. Runs inside the transition's transaction. */
export function enqueueEffects(deps: AppDeps, p: Project, effects: Effect[], at: Date): void {
  const org = deps.org.view();
  for (const effect of effects) {
    switch (effect.type) {
      case 'card.refresh':
        for (const m of deps.cardMessages.forProject(p.regNo)) {
          if (!deps.platforms.includes(m.platform)) continue;
          const view: View =
            m.kind === 'docs'
              ? { type: 'docs', regNo: p.regNo }
              : { type: 'project', regNo: p.regNo, ...(m.banner ? { banner: m.banner } : {}) };
          deps.outbox.enqueue(m.platform, { op: 'update', messageId: m.messageId, view, viewer: m.viewerId }, at);
        }
        break;
      case 'notify.assignees': {
        const step = currentStep(p);
        if (!step) break;
        const banner = `请处理：${stepLabel(step, org)}`;
        for (const user of membersOf(org, step.role, step.region)) {
          sendToUser(deps, user, { type: 'project', regNo: p.regNo, banner }, at);
        }
        break;
      }
      case 'notify.submitter':
        sendToUser(deps, p.submitter, submitterNotice(p, org, effect), at);
        break;
      case 'notify.task': {
        const task = p.lifecycle.tasks.find((t) => t.id === effect.taskId);
        if (!task) break;
        const holders = task.users ?? membersOf(org, task.role, task.region);
        for (const user of holders) {
          sendToUser(deps, user, { type: 'project', regNo: p.regNo, banner: `请处理：${TASK_LABELS[task.kind]}` }, at);
        }
        break;
      }
      case 'notify.users':
        for (const user of new Set(effect.users)) sendToUser(deps, user, lifecycleNotice(p, org, effect), at);
        break;
      case 'news.handover':
        for (const chat of deps.org.chats('handover_news')) {
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

function submitterNotice(p: Project, org: OrgView, e: Extract<Effect, { type: 'notify.submitter' }>): View {
  const title = `【${p.regNo} ${p.facts.name}】`;
  const last = p.history.at(-1);
  const by = last ? displayName(org, last.by) : '';
  const step = currentStep(p);
  const prevStep = last ? p.chain[last.stepIndex] : undefined;
  const next = step ? `${stepLabel(step, org)}（${holdersOf(step, org)}）` : '';
  switch (e.event) {
    case 'registered':
      return { type: 'project', regNo: p.regNo, banner: `已提交登记，等待${next}。之后每一步都会通知你。` };
    case 'rejected':
      return {
        type: 'project',
        regNo: p.regNo,
        banner: `被 ${by}（${last ? ROLE_LABELS[last.role] : ''}）驳回，原因：${e.reason ?? ''}\n可点击“重新提交”，或发送 /resubmit ${p.regNo} 字段=新值 修改后重新提交。`,
      };
    case 'advanced':
      return {
        type: 'text',
        text: `${title}已通过「${prevStep ? stepLabel(prevStep, org) : ''}」（${by}），下一步：${next}。`,
      };
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

function lifecycleNotice(p: Project, org: OrgView, e: Extract<Effect, { type: 'notify.users' }>): View {
  const title = `【${p.regNo} ${p.facts.name}】`;
  const last = p.history.at(-1);
  switch (e.notice) {
    case 'pickup_issued':
      return { type: 'project', regNo: p.regNo, banner: '产品下载路径与授权文件已发放，见卡片中的“产品领取”。' };
    case 'task_rejected': {
      const task = p.lifecycle.tasks.find((t) => t.id === last?.task);
      const what = task ? `「${TASK_LABELS[task.kind]}」` : '';
      const by = last ? displayName(org, last.by) : '';
      return {
        type: 'project',
        regNo: p.regNo,
        banner: `${what}被 ${by} 驳回，原因：${e.reason ?? ''}。请修改后重新提交。`,
      };
    }
    case 'docs_complete':
      return { type: 'text', text: `${title}七项验收资料已齐全，可发送 /handover ${p.regNo} 申请移交售后运维部。` };
    case 'closed':
      return { type: 'text', text: `${title}已完成移交，售后运维部已接收，项目关闭。` };
    default:
      return assertNever(e.notice);
  }
}
