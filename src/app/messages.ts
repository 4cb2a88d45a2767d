import { holdersOf, STATE_LABELS, stepLabel } from '../../cards/labels';
import { taskHolders } from '../../cards/lifecycle';
import type { DomainError } from '../domain/errors';
import { DOCUMENTS, openTasks, TASK_LABELS } from '../domain/lifecycle';
import { type OrgView, ROLE_LABELS, type Role } from '../domain/org';
import { currentStep, type Project, type ProjectState } from '../domain/project';

/** User-facing text for a domain refusal: says what is wrong and what to do. */
export function refusalText(e: DomainError, org: OrgView, p: Project | null): string {
  const m = e.meta ?? {};
  switch (e.code) {
    case 'NOT_CURRENT_APPROVER': {
      const step = p ? currentStep(p) : undefined;
      return step
        ? `你不是当前步骤的处理人：「${stepLabel(step, org)}」由 ${holdersOf(step, org)} 处理。`
        : '你不是当前步骤的处理人。';
    }
    case 'NOT_SUBMITTER':
      return '只有提交该项目的责任销售可以执行此操作。';
    case 'REQUEST_CLOSED':
      return `项目${STATE_LABELS[m.state as ProjectState] ?? '已结束'}，不能再执行此操作。发送 /status ${p?.regNo ?? '<登记号>'} 查看详情。`;
    case 'NOT_REJECTED':
      return `只有被驳回的项目可以重新提交（当前状态：${STATE_LABELS[m.state as ProjectState] ?? m.state}）。`;
    case 'ALREADY_DECIDED':
      return '本轮已有审批人同意，不能再撤回；如需变更请联系当前处理人驳回。';
    case 'REASON_REQUIRED':
      return '驳回必须填写原因，请在驳回原因中说明需要修改的内容。';
    case 'NO_ASSIGNEE': {
      const region = m.region ? `（区域 ${org.regionNames[String(m.region)] ?? m.region}）` : '';
      return `组织配置中没有「${ROLE_LABELS[m.role as Role] ?? m.role}」${region}的成员，无法提交。请联系管理员在 ORG_FILE 中补充。`;
    }
    case 'MISSING_DOCUMENT':
      return m.need === 'req'
        ? '缺少资料：SaaS 类项目需提供《用户需求采集表》链接（req=…）。'
        : '缺少资料：项目类项目需提供《用户需求采集表》(req=…) 或《售前解决方案》(solution=…) 之一。';
    case 'NOT_ALLOWED_TO_REGISTER':
      return '只有责任销售（sales 角色）可以登记项目。如需开通，请联系管理员。';
    case 'UNKNOWN_REGION':
      return `未知区域「${m.region}」。可选区域：${org.regions.map((r) => `${r}（${org.regionNames[r] ?? r}）`).join('、')}。`;
    case 'TASK_NOT_OPEN':
      return '该任务已结束或不存在。发送 /status 查看最新进度。';
    case 'NOT_TASK_HOLDER':
      return m.role === 'regional_pm'
        ? '只有该项目的区域项目经理可以执行此操作。'
        : m.role === 'implementer'
          ? '只有该项目的实施人员可以执行此操作。'
          : '这一步不由你处理。发送 /mine 查看等待你处理的事项。';
    case 'INVALID_FIELD':
      return fieldText(String(m.field), String(m.why), p);
    case 'NOT_IN_DELIVERY':
      return `项目尚未进入实施阶段（当前：${STATE_LABELS[m.state as ProjectState] ?? '审批中'}）。`;
    case 'DOCS_INCOMPLETE':
      return `验收资料未齐全，还缺：${String(m.missing)
        .split(',')
        .map((d) => `${d}.《${DOCUMENTS[Number(d) - 1]}》`)
        .join('、')}。发送 /docs ${p?.regNo ?? '<登记号>'} 查看。`;
    case 'HANDOVER_PENDING':
      return '已有移交申请在审核中，请等待审核结果。';
    default:
      return '操作未能完成。';
  }
}

export const waitingText = (p: Project, org: OrgView): string => {
  const step = currentStep(p);
  if (step) return `等待「${stepLabel(step, org)}」— ${holdersOf(step, org)}`;
  const open = openTasks(p.lifecycle);
  if (p.state === 'accepted' && open.length) {
    return open.map((t) => `等待「${TASK_LABELS[t.kind]}」— ${taskHolders(t, org)}`).join('；');
  }
  return STATE_LABELS[p.state];
};

const FIELD_NAMES: Record<string, string> = {
  pm: '区域项目经理',
  link: '链接',
  detail: '《需求清单及跟进表》或工作量评估链接',
  customization: '定制需求类型',
  implementers: '实施人员',
  regNo: '项目实施登记号',
  svn: 'SVN 路径',
  standard: '标准产品下载路径',
  custom: '定制产品下载路径',
  licence: '授权文件链接',
  integration: '是否需要系统集成',
  owner: '负责人',
  action: '操作',
};

function fieldText(field: string, why: string, p: Project | null): string {
  const name = FIELD_NAMES[field] ?? field;
  if (why === 'required') return `缺少「${name}」，请填写后再提交。`;
  if (why === 'link') return `「${name}」应为文档链接，如 https://…`;
  if (why === 'mismatch') return `项目实施登记号不符：本项目是 ${p?.regNo ?? ''}，请核对后再提交。`;
  if (why === 'not_pm') return `「${name}」必须是组织中的区域项目经理。`;
  if (why === 'not_implementer') return `「${name}」必须是组织中的实施人员。`;
  if (why === 'yes_no') return `「${name}」请选择 是/否（yes/no）。`;
  if (why === 'choice') return `「${name}」请选择：无定制 / 合同内定制 / 合同外定制。`;
  if (why.startsWith('unknown:')) return `「${why.slice(8)}」不是组织中的实施人员，请检查 id 或姓名。`;
  if (why === 'review' || why === 'submit') return '这一步的操作方式不对，请使用卡片上的按钮。';
  return `「${name}」无效。`;
}
