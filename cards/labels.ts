import { displayName, membersOf, type OrgView, ROLE_LABELS, regionName } from '../src/domain/org';
import { KIND_LABELS, type Project, type ProjectState, type Step } from '../src/domain/project';
import { formatTime } from '../src/shared/time';

export const STATE_LABELS: Record<ProjectState, string> = {
  in_approval: '审批中',
  rejected: '已驳回',
  withdrawn: '已撤回',
  accepted: '实施中',
  closed: '已完成移交',
};

/** "销售主管审批", "特批领导审批（北方）", "商务审核", "项目总监受理" … */
export function stepLabel(step: Step, org: OrgView): string {
  // The region matters to the reader where the process names people per region (特批领导: 北方杨总 / 南方戴总).
  const regional = step.role === 'special_approver' || step.role === 'regional_pm';
  const region = regional && step.region !== null ? `（${regionName(org, step.region)}）` : '';
  switch (step.role) {
    case 'commercial_reviewer':
      return '商务审核';
    case 'project_director':
    case 'customer_success':
      return `${ROLE_LABELS[step.role]}受理`;
    default:
      return `${ROLE_LABELS[step.role]}审批${region}`;
  }
}

export function holdersOf(step: Step, org: OrgView): string {
  return membersOf(org, step.role, step.region)
    .map((u) => displayName(org, u))
    .join('、');
}

export const kindLabel = (p: Project): string => KIND_LABELS[p.facts.kind];
export const yesNo = (b: boolean, yes: string, no: string): string => (b ? yes : no);

export { formatTime };
