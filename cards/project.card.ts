import { displayName, type OrgView, ROLE_LABELS, type UserId } from '../src/domain/org';
import { currentStep, type Decision, type Project } from '../src/domain/project';
import { canWithdraw, isCurrentApprover } from '../src/domain/transition';
import { holdersOf, kindLabel, STATE_LABELS, stepLabel, yesNo } from './labels';
import type { CardBlock, CardButton, CardColor, CardForm, CardModel } from './model';

export interface ProjectCardInput {
  project: Project;
  org: OrgView;
  /** Who will see this copy: decides which buttons it carries. null = a shared copy (no buttons). */
  viewer: UserId | null;
  /** A line on top, e.g. the reason of a rejection notice. */
  banner?: string | null;
}

const COLORS: Record<Project['state'], CardColor> = {
  in_approval: 'blue',
  rejected: 'red',
  withdrawn: 'grey',
  accepted: 'green',
};

const ACTION_LABELS: Record<Decision['action'], string> = {
  register: '提交登记',
  approve: '同意',
  reject: '驳回',
  resubmit: '修改后重新提交',
  withdraw: '撤回',
  denied: '越权操作（已拒绝）',
};

function link(label: string, url: string | null): string | null {
  return url ? `[${label}](${url})` : null;
}

/** The one card of a project: facts, step and holder, history, and the viewer's buttons. Pure. */
export function projectCard({ project: p, org, viewer, banner }: ProjectCardInput): CardModel {
  const step = currentStep(p);
  const blocks: CardBlock[] = [];
  if (banner) blocks.push({ type: 'note', text: banner });
  const docs = [
    link('用户需求采集表', p.facts.reqLink),
    link('售前解决方案', p.facts.solutionLink),
    link('项目实施登记表', p.facts.formLink),
  ].filter((x): x is string => x !== null);
  const special = p.chain[0]?.role === 'sales_lead';
  blocks.push({
    type: 'fields',
    fields: [
      { label: '项目实施登记号', value: p.regNo },
      { label: '项目名称', value: p.facts.name },
      { label: '客户', value: p.facts.customer },
      { label: '项目类型', value: kindLabel(p) },
      { label: '区域', value: org.regionNames[p.facts.region] ?? p.facts.region },
      { label: '合同编号', value: p.facts.contractNo },
      {
        label: '合同/首付款',
        value: `${yesNo(p.facts.signed, '已签合同', '未签合同')} / ${yesNo(p.facts.paid, '首付款已到', '首付款未到')}`,
      },
      { label: '审批流程', value: special ? '特批流程' : '常规流程（商务审核）' },
      { label: '责任销售', value: displayName(org, p.submitter) },
      ...(docs.length ? [{ label: '资料', value: docs.join(' · ') }] : []),
      ...(p.followUps.outsourcing !== null
        ? [{ label: '外采跟进', value: p.followUps.outsourcing ? '需外采产品（已记录跟进）' : '无需外采' }]
        : []),
      {
        label: '当前状态',
        value: step ? `${stepLabel(step, org)} — 待 ${holdersOf(step, org)} 处理` : STATE_LABELS[p.state],
      },
    ],
  });
  if (step?.role === 'commercial_reviewer') blocks.push(commercialChecklist(p));
  blocks.push({
    type: 'history',
    title: '审批记录',
    entries: p.history.map((d) => {
      const where = d.action === 'approve' || d.action === 'reject' ? ROLE_LABELS[d.role] : '';
      return {
        at: d.at,
        who: displayName(org, d.by),
        what: `${ACTION_LABELS[d.action]}${where ? `（${where}）` : ''}${d.round > 1 && d.action !== 'resubmit' ? ` · 第${d.round}轮` : ''}`,
        ...(d.reason ? { reason: d.reason } : {}),
      };
    }),
  });

  const actions: CardButton[] = [];
  const forms: CardForm[] = [];
  if (viewer !== null) {
    if (step && isCurrentApprover(p, viewer, org)) {
      const ref = { regNo: p.regNo, round: p.round, step: p.stepIndex };
      const approveLabel = step.role === 'project_director' || step.role === 'customer_success' ? '受理' : '同意';
      if (step.role === 'commercial_reviewer') {
        forms.push({
          name: 'approve_form',
          fields: [
            {
              name: 'outsourcing',
              label: '是否需外采产品',
              kind: 'select',
              required: true,
              options: [
                { value: 'no', label: '否，无需外采' },
                { value: 'yes', label: '是，需外采（记录跟进）' },
              ],
            },
            { name: 'comment', label: '审核意见（可选）', kind: 'text', required: false },
          ],
          submit: { label: '审核通过', style: 'primary', value: { v: 1, type: 'approve', ...ref } },
        });
      } else {
        actions.push({ label: approveLabel, style: 'primary', value: { v: 1, type: 'approve', ...ref } });
      }
      forms.push({
        name: 'reject_form',
        fields: [
          { name: 'reason', label: '驳回原因', kind: 'text', required: true, placeholder: '请填写驳回原因（必填）' },
        ],
        submit: { label: '驳回', style: 'danger', value: { v: 1, type: 'reject', ...ref } },
      });
    }
    if (viewer === p.submitter) {
      if (p.state === 'rejected') {
        actions.push({ label: '重新提交', style: 'primary', value: { v: 1, type: 'resubmit', regNo: p.regNo } });
      }
      if (canWithdraw(p)) {
        actions.push({ label: '撤回', style: 'default', value: { v: 1, type: 'withdraw', regNo: p.regNo } });
      }
    }
  }

  return {
    header: {
      title: `${p.facts.name}`,
      subtitle: `${p.regNo} · ${step ? stepLabel(step, org) : STATE_LABELS[p.state]}`,
      color: COLORS[p.state],
    },
    blocks,
    actions,
    forms,
  };
}

/** PROCESS.md §2: the four checks of the commercial review. */
function commercialChecklist(p: Project): CardBlock {
  return {
    type: 'checklist',
    title: '商务审核清单',
    items: [
      {
        text: `合同状态与首付款：${yesNo(p.facts.signed, '已签', '未签')}，首付款${yesNo(p.facts.paid, '已到', '未到')}`,
        checked: p.facts.signed && p.facts.paid,
      },
      { text: '《用户需求采集表》与合同“产品清单”或服务内容比对核实', checked: null },
      { text: '《项目实施登记表》中的实施范围与产品定价审核', checked: null },
      { text: '需求中是否包含需外采的产品（如有，按合同执行外采并记录跟进）', checked: null },
    ],
  };
}
