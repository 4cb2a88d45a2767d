import { TASK_LABELS } from '../src/domain/lifecycle';
import { displayName, type OrgView, ROLE_LABELS, type UserId } from '../src/domain/org';
import { currentStep, type Decision, type Project } from '../src/domain/project';
import { canWithdraw, isCurrentApprover } from '../src/domain/transition';
import { holdersOf, kindLabel, STATE_LABELS, stepLabel, yesNo } from './labels';
import { lifecycleBlocks, pmField, taskControls } from './lifecycle';
import type { CardBlock, CardButton, CardColor, CardForm, CardModel, Rich } from './model';
import { joinRich, link as richLink } from './rich';

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
  closed: 'purple',
};

const ACTION_LABELS: Record<Decision['action'], string> = {
  register: '提交登记',
  approve: '同意',
  reject: '驳回',
  resubmit: '修改后重新提交',
  withdraw: '撤回',
  denied: '越权操作（已拒绝）',
  submit: '提交',
  doc: '提交验收资料',
  due: '调整资料截止日期',
  handover: '申请移交',
};

function link(label: string, url: string | null): Rich | null {
  return url ? richLink(label, url) : null;
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
  ].filter((x): x is Rich => x !== null);
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
      ...(docs.length ? [{ label: '资料', value: joinRich(docs, ' · ') }] : []),
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
  blocks.push(...lifecycleBlocks(p, org));
  blocks.push({
    type: 'history',
    title: '流程记录',
    entries: p.history.map((d, i) => {
      const task = d.task !== null ? p.lifecycle.tasks.find((t) => t.id === d.task) : undefined;
      const where = task
        ? TASK_LABELS[task.kind]
        : d.action === 'approve' || d.action === 'reject'
          ? ROLE_LABELS[d.role]
          : '';
      const prev = p.history[i - 1];
      const waited = prev ? waitedText(d.at.getTime() - prev.at.getTime()) : '';
      return {
        at: d.at,
        who: displayName(org, d.by),
        what: `${ACTION_LABELS[d.action]}${where ? `（${where}）` : ''}${d.round > 1 && d.action !== 'resubmit' && !task ? ` · 第${d.round}轮` : ''}${waited ? ` · 等待${waited}` : ''}`,
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
      } else if (step.role === 'project_director' && p.facts.kind === 'project') {
        forms.push({
          name: 'setup_form',
          fields: [
            pmField(p, org),
            { name: 'feasibility', label: '可行性评估（产品匹配方案）', kind: 'text', required: false },
            { name: 'risk', label: '合同要求与实施落地风险', kind: 'text', required: false },
          ],
          submit: { label: '立项并指派', style: 'primary', value: { v: 1, type: 'approve', ...ref } },
        });
      } else if (step.role === 'customer_success') {
        forms.push({
          name: 'intake_form',
          fields: [
            {
              name: 'integration',
              label: '是否需要系统集成',
              kind: 'select',
              required: true,
              options: [
                { value: 'no', label: '不需要集成' },
                { value: 'yes', label: '需要集成（发起实施集成申请）' },
              ],
              initial: 'no',
            },
          ],
          submit: { label: approveLabel, style: 'primary', value: { v: 1, type: 'approve', ...ref } },
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
    const lc = taskControls(p, org, viewer);
    actions.push(...lc.actions);
    forms.push(...lc.forms);
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

/** "3 小时", "2 天 4 小时"; empty under a minute. */
export function waitedText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '';
  if (minutes < 60) return ` ${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return ` ${hours} 小时`;
  const days = Math.floor(hours / 24);
  return ` ${days} 天${hours % 24 ? ` ${hours % 24} 小时` : ''}`;
}
