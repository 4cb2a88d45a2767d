import { holdersOf, STATE_LABELS, stepLabel } from '../../cards/labels';
import type { DomainError } from '../domain/errors';
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
    default:
      return '操作未能完成。';
  }
}

export const waitingText = (p: Project, org: OrgView): string => {
  const step = currentStep(p);
  return step ? `等待「${stepLabel(step, org)}」— ${holdersOf(step, org)}` : STATE_LABELS[p.state];
};
