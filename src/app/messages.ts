import {
  holdersOf,
  noHolderText,
  noTaskHolderText,
  roleName,
  STATE_LABELS,
  stepLabel,
  taskHolders,
  taskHoldersOrWhy,
  taskName,
} from '../../cards/labels';
import type { DomainError } from '../domain/errors';
import { type OrgView, regionName } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { openTasks } from '../domain/process/state';
import { currentStep, type Project, type ProjectState } from '../domain/project';

/** User-facing text for a domain refusal: says what is wrong and what to do. */
export function refusalText(e: DomainError, org: OrgView, p: Project | null, def: ProcessDefinition): string {
  const m = e.meta ?? {};
  const state = (s: unknown) => STATE_LABELS[s as ProjectState] ?? '已结束';
  switch (e.code) {
    case 'NOT_CURRENT_APPROVER': {
      const step = p ? currentStep(p) : undefined;
      if (p && step && m.self)
        return `你是该项目的提交人，不能审批自己的项目：「${stepLabel(p, def, org)}」${holdersOf(p, step, org, def) ? `由 ${holdersOf(p, step, org, def)} 处理` : noHolderText(p, step, org, def)}。`;
      return p && step
        ? `你不是当前步骤的处理人：「${stepLabel(p, def, org)}」由 ${holdersOf(p, step, org, def)} 处理。`
        : '你不是当前步骤的处理人。';
    }
    case 'NOT_SUBMITTER':
      return '只有提交该项目的责任销售可以执行此操作。';
    case 'REQUEST_CLOSED':
      return `项目${state(m.state)}，不能再执行此操作。发送 /status ${p?.regNo ?? '<登记号>'} 查看详情。`;
    case 'NOT_REJECTED':
      return `只有被驳回的项目可以重新提交（当前状态：${state(m.state)}）。`;
    case 'ALREADY_DECIDED':
      return '本轮已有审批人同意，不能再撤回；如需变更请联系当前处理人驳回。';
    case 'REASON_REQUIRED':
      return '驳回必须填写原因，请在驳回原因中说明需要修改的内容。';
    case 'NO_ASSIGNEE': {
      const region = m.region ? `（${regionName(org, String(m.region))}）` : '';
      const who = m.role ? `「${roleName(def, String(m.role))}」${region}` : '这一步';
      const told = m.adminsTold ? '已通知管理员在组织文件中补充。' : '请联系管理员在组织文件中补充。';
      return `组织配置中没有${who}的成员，无法继续。${told}`;
    }
    case 'SELF_APPROVAL': {
      const region = m.region ? `（${regionName(org, String(m.region))}）` : '';
      const told = m.adminsTold ? '已通知管理员为该角色增加成员，补充后请重新登记。' : '请联系管理员为该角色增加成员。';
      return `「${roleName(def, String(m.role))}」${region}只有你一人，而提交人不能审批自己的项目。${told}`;
    }
    case 'MISSING_DOCUMENT':
      return m.need === 'req'
        ? '缺少资料：SaaS 类项目需提供《用户需求采集表》链接（req=…）。'
        : '缺少资料：项目类项目需提供《用户需求采集表》(req=…) 或《售前解决方案》(solution=…) 之一。';
    case 'NOT_ALLOWED_TO_REGISTER':
      return `只有${roleName(def, String(m.role ?? def.registrar))}可以登记项目。如需开通，请联系管理员。`;
    case 'UNKNOWN_REGION':
      return `未知区域「${m.region}」。可选区域：${org.regions.map((r) => `${r}（${regionName(org, r)}）`).join('、')}。`;
    case 'TASK_NOT_OPEN':
      return `该任务已结束或不存在。发送 /status ${p?.regNo ?? '<登记号>'} 查看最新进度。`;
    case 'NOT_TASK_HOLDER': {
      const t = m.self && p ? p.delivery.tasks.find((x) => x.no === m.task) : undefined;
      if (p && t) {
        const holders = taskHolders(t, org);
        return `你是该项目的提交人，不能审批自己的项目：「${taskName(p, def, t)}」${holders ? `由 ${holders} 处理` : noTaskHolderText(t, org, def)}。`;
      }
      return m.role === 'regional_pm'
        ? '只有该项目的区域项目经理可以执行此操作。'
        : m.role === 'team'
          ? '只有该项目的实施人员或区域项目经理可以执行此操作。'
          : '这一步不由你处理。发送 /mine 查看等待你处理的事项。';
    }
    case 'INVALID_FIELD':
      return fieldText(String(m.label ?? m.field), String(m.why), p, m);
    case 'NOT_IN_DELIVERY':
      return `项目尚未进入实施阶段（当前：${state(m.state)}）。`;
    case 'DOCS_INCOMPLETE': {
      const missing = String(m.missing);
      const list =
        missing === 'all'
          ? '验收资料尚未开始跟踪'
          : `还缺：${missing
              .split(',')
              .map((d) => `${d}.《${def.documents.find((x) => x.no === Number(d))?.name ?? d}》`)
              .join('、')}`;
      return `验收资料未齐全，${list}。发送 /docs ${p?.regNo ?? '<登记号>'} 查看。`;
    }
    case 'HANDOVER_PENDING':
      return '已有移交申请在审核中，请等待审核结果。';
    case 'FILLED_BY_TASK':
      return `《${m.doc}》由「${m.task}」的表单自动登记，不能单独提交。`;
    case 'UNKNOWN_SUBFLOW':
      return `当前流程没有「${m.kind}」。发送 /help 查看可用命令。`;
    case 'SUBFLOW_NOT_NOW':
      return `项目${state(m.state)}，现在不能发起${m.kind}。`;
    case 'NOT_ALLOWED_TO_RAISE':
      return `你不能为这个项目发起${m.kind}。`;
    case 'UNKNOWN_PERSON':
      return `组织名单中没有「${m.person}」，请写对方的 id 或姓名（如 zhao.biz 或 赵商务）。`;
    case 'ALREADY_HOLDER':
      return `${m.person} 已经是这一步的处理人，无需再转交或加签。`;
    case 'NOT_MANAGER':
      return '只有该项目的区域项目经理或项目总监可以改派任务。';
    case 'NO_SUCH_SIGNER':
      return `${m.user} 不是这一步待处理的加签人（已处理的加签不能撤销）。`;
    case 'NOT_YOUR_SIGNER':
      return `这位加签人由 ${m.user} 添加，只有添加的人可以撤销。`;
    case 'ALREADY_SIGNED':
      return '只有当前处理人在自己处理之前可以加签。';
    case 'BAD_SEND_BACK':
      return `不能退回到「${m.to}」。可退回的更早步骤：${m.known}。`;
    case 'NOTHING_TO_REVOKE':
      return '没有可以撤销的同意：只能撤销你自己刚刚做出的同意。';
    case 'ALREADY_ACTED':
      return '下一位处理人已经处理，不能再撤销同意。如需变更，请联系当前处理人退回。';
    case 'TASK_REQUIRED':
      return `请写明任务编号（发送 /status ${p?.regNo ?? '<登记号>'} 查看）。`;
    default:
      return '操作未能完成。';
  }
}

/** For the admins: which role of the org file leaves a step without anyone to decide it, and the key to fix. */
export function orgGapText(e: DomainError, org: OrgView, def: ProcessDefinition): string {
  const m = e.meta ?? {};
  const region = m.region ? String(m.region) : '';
  const role = `「${roleName(def, String(m.role))}」${region ? `（${regionName(org, region)}）` : ''}`;
  const key = `roles.${String(m.role)}${region ? `.${region}` : ''}`;
  return e.code === 'SELF_APPROVAL'
    ? `${role}只有登记人本人，而提交人不能审批自己的项目。请在组织文件中为该角色增加成员（${key}）。`
    : `组织文件中${role}没有成员，请补充（${key}）。`;
}

export const waitingText = (p: Project, def: ProcessDefinition, org: OrgView): string => {
  const step = currentStep(p);
  if (step)
    return `等待「${stepLabel(p, def, org)}」— ${holdersOf(p, step, org, def) || noHolderText(p, step, org, def)}`;
  const open = openTasks(p.delivery);
  if (open.length)
    return open.map((t) => `等待「${taskName(p, def, t)}」— ${taskHoldersOrWhy(t, org, def)}`).join('；');
  return STATE_LABELS[p.state];
};

function fieldText(name: string, why: string, p: Project | null, m: Record<string, string | number>): string {
  if (why === 'required') return `缺少「${name}」，请填写后再提交。`;
  if (why === 'link') return `「${name}」应为以 http:// 或 https:// 开头的链接。`;
  if (why === 'date') return `「${name}」应为 YYYY-MM-DD 格式的真实日期。`;
  if (why === 'too_long') return `「${name}」过长（最多 2000 个字符）。`;
  if (why === 'mismatch') return `项目实施登记号不符：本项目是 ${p?.regNo ?? ''}，请核对后再提交。`;
  if (why === 'yes_no') return `「${name}」请选择 是 或 否。`;
  if (why === 'unchecked') return `请核对并勾选「${name}」后再提交。`;
  if (why === 'choice') return `「${name}」不是可选的选项，请从卡片上的选项中选择。`;
  if (why === 'one_person') return `「${name}」只能选一个人。`;
  if (why === 'one_of') return `「${name}」至少填写一项。`;
  if (why === 'not_team') return `「${name}」必须是该项目的实施人员或区域项目经理。`;
  if (why === 'unknown_field') return `表单中没有「${name}」这一项（可填：${m.known || '无'}）。`;
  if (why.startsWith('unknown:')) return `「${why.slice(8)}」不是可选的人员（${name}），请检查 id 或姓名。`;
  if (why === 'review') return '这一步是审核，请使用“通过”或“驳回”。';
  if (why === 'submit') return '这一步需要填写表单后提交。';
  return `「${name}」无效。`;
}
