import { displayName, type OrgView, type UserId } from '../src/domain/org';
import type { ProcessDefinition } from '../src/domain/process/definition';
import { matchesHolder } from '../src/domain/process/holders';
import { currentStep, type Decision, type Project, STEP_ACTIONS } from '../src/domain/project';
import { routeFor, stepSpec } from '../src/domain/routing';
import { canWithdraw, isCurrentApprover, stepForm } from '../src/domain/transition';
import { deliveryBlocks, taskControls } from './delivery';
import {
  formatTime,
  formInputs,
  holdersOf,
  kindLabel,
  noHolderText,
  roleName,
  STATE_LABELS,
  stepLabel,
  taskDefOf,
  yesNo,
} from './labels';
import type { CardBlock, CardButton, CardColor, CardForm, CardModel, Rich } from './model';
import { operationControls, signsStep } from './operations';
import { joinRich, link as richLink } from './rich';

export interface ProjectCardInput {
  project: Project;
  def: ProcessDefinition;
  org: OrgView;
  /** IANA zone for times shown in fields (the e-signature). */
  timeZone: string;
  /** Who will see this copy: decides which buttons it carries. null = a shared copy (no buttons). */
  viewer: UserId | null;
  /** A line on top, e.g. the reason of a rejection notice. */
  banner?: string | null;
  /** Comments, CC, urges and escalations (audit lines), shown in the history by time. */
  activity?: Decision[];
  /** The operations around a step this viewer may use (comment, CC, urge). */
  around?: { comment: boolean; cc: boolean; urge: boolean };
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
  raise: '发起',
  transfer: '转交',
  reassign: '改派',
  addsign: '加签',
  unsign: '撤销加签',
  sign: '会签同意',
  sendback: '退回',
  revoke: '撤销同意',
  reresolve: '离职改派',
  comment: '评论',
  cc: '抄送',
  urge: '催办',
  escalate: '超时升级',
};

function link(label: string, url: string | null): Rich | null {
  return url ? richLink(label, url) : null;
}

/** The one card of a project: facts, step and holder, history, and the viewer's buttons. Pure. */
export function projectCard({
  project: p,
  def,
  org,
  timeZone,
  viewer,
  banner,
  activity = [],
  around,
}: ProjectCardInput): CardModel {
  const step = currentStep(p);
  const blocks: CardBlock[] = [];
  if (banner) blocks.push({ type: 'note', text: banner });
  const docs = [
    link('用户需求采集表', p.facts.reqLink),
    link('售前解决方案', p.facts.solutionLink),
    link('项目实施登记表', p.facts.formLink),
  ].filter((x): x is Rich => x !== null);
  const route = routeFor(p.facts, def);
  const signature = signatureOf(p, def, org, timeZone);
  const commercial = p.delivery.approvalAnswers.commercial_reviewer;
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
      ...(p.facts.kind === 'project'
        ? [
            {
              label: '运营服务/云部署',
              value: `${yesNo(p.facts.operated, '含需运营部分', '无运营部分')} / ${yesNo(p.facts.cloud, '公司云服务器部署', '客户环境部署')}`,
            },
          ]
        : []),
      { label: '审批流程', value: route.name },
      { label: '责任销售', value: displayName(org, p.submitter) },
      ...(docs.length ? [{ label: '资料', value: joinRich(docs, ' · ') }] : []),
      ...(commercial && typeof commercial.outsourcing === 'boolean'
        ? [{ label: '外采', value: commercial.outsourcing ? '需外采产品（外采完成后才能发放产品）' : '无需外采' }]
        : []),
      ...(signature ? [{ label: '商务经理电子签名', value: signature }] : []),
      {
        label: '当前状态',
        value: step
          ? `${stepLabel(p, def, org)} — ${holdersOf(p, step, org, def) ? `待 ${holdersOf(p, step, org, def)} 处理` : noHolderText(p, step, org, def)}`
          : STATE_LABELS[p.state],
      },
    ],
  });
  const spec = step ? stepSpec(p, p.stepIndex, def) : undefined;
  if (spec?.kind === 'approval' && spec.step.checklist?.length) blocks.push(checklistBlock(p, spec.step.checklist));
  blocks.push(...deliveryBlocks(p, def, org));
  blocks.push({
    type: 'history',
    title: '流程记录',
    entries: p.history.map((d, i) => {
      const task = d.task !== null ? p.delivery.tasks.find((t) => t.no === d.task) : undefined;
      const where = task
        ? (taskDefOf(p, def, task)?.name ?? task.defId)
        : STEP_ACTIONS.has(d.action)
          ? stepLabel(p, def, org, d.stepIndex)
          : '';
      const prev = p.history[i - 1];
      const waited = prev ? waitedText(d.at.getTime() - prev.at.getTime()) : '';
      return {
        at: d.at,
        who: d.onBehalfOf ? `${displayName(org, d.by)} 代 ${displayName(org, d.onBehalfOf)}` : displayName(org, d.by),
        what: `${ACTION_LABELS[d.action]}${where ? `（${where}）` : ''}${d.round > 1 && d.action !== 'resubmit' && !task ? ` · 第${d.round}轮` : ''}${waited ? ` · 等待${waited}` : ''}`,
        ...(d.reason ? { reason: d.reason } : {}),
      };
    }),
  });
  const history = blocks.at(-1);
  if (history?.type === 'history' && activity.length) {
    const lines = activity.map((d) => ({
      at: d.at,
      who: displayName(org, d.by),
      what: ACTION_LABELS[d.action],
      ...(d.reason ? { reason: d.reason } : {}),
    }));
    history.entries = [...history.entries, ...lines].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  const actions: CardButton[] = [];
  const forms: CardForm[] = [];
  if (viewer !== null) {
    if (step && spec && isCurrentApprover(p, viewer, org, def)) {
      const ref = { regNo: p.regNo, round: p.round, step: p.stepIndex };
      const label = spec.kind === 'approval' ? (spec.step.action ?? '同意') : (spec.task.action ?? '受理');
      // An added signer (加签) approves or rejects; the step's form is the holder's.
      const fields = signsStep(p, def, org, viewer) ? [] : formInputs(stepForm(spec), org, p);
      const submit: CardButton = { label, style: 'primary', value: { v: 1, type: 'approve', ...ref } };
      if (fields.length) forms.push({ name: 'approve_form', fields, submit });
      else actions.push(submit);
      forms.push({
        name: 'reject_form',
        fields: [
          { name: 'reason', label: '驳回原因', kind: 'text', required: true, placeholder: '请填写驳回原因（必填）' },
        ],
        submit: { label: '驳回', style: 'danger', value: { v: 1, type: 'reject', ...ref } },
      });
    }
    const lc = taskControls(p, def, org, viewer);
    actions.push(...lc.actions);
    forms.push(...lc.forms);
    const ops = operationControls(p, def, org, viewer);
    if (ops.actions.length || ops.forms.length) {
      actions.push({ label: '更多操作', style: 'default', value: { v: 1, type: 'opsForm', regNo: p.regNo } });
    }
    for (const sd of def.subflows) {
      if (p.state !== 'accepted' && p.state !== 'closed') break;
      if (!sd.when.includes(p.state) || !sd.raise.some((h) => matchesHolder(h, viewer, p, def, org))) continue;
      actions.push({
        label: `发起${sd.name}`,
        style: 'default',
        value: { v: 1, type: 'raiseForm', regNo: p.regNo, kind: sd.id },
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

  // A "请处理" or "催办" banner is only true while the viewer still has something to do on this card.
  const asked = banner?.startsWith('请处理：') || banner?.startsWith('催办：');
  const hasWork = forms.length > 0 || actions.some((a) => a.style !== 'default');
  if (asked && !hasWork && blocks[0]?.type === 'note') {
    const now = step ? `${stepLabel(p, def, org)}（${holdersOf(p, step, org, def)}）` : STATE_LABELS[p.state];
    blocks[0] = { type: 'note', text: `这一步已处理，目前无需你操作。当前：${now}` };
  }

  // Around the viewer's own step: copy a colleague, comment (the step's holders); the submitter urges an approval.
  if (viewer !== null && around)
    aroundControls(p.regNo, { ...around, urge: around.urge && !!step }, hasWork, actions, forms);

  return {
    header: {
      title: `${p.facts.name}`,
      subtitle: `${p.regNo} · ${step ? stepLabel(p, def, org) : STATE_LABELS[p.state]}`,
      color: COLORS[p.state],
    },
    blocks,
    actions,
    forms,
  };
}

/**
 * Urge (催办, the submitter, during approval); copy a colleague (抄送) and comment (评论) beside the holder's own
 * controls only, so a card with nothing left to do stays read-only (others comment with /comment).
 */
function aroundControls(
  regNo: string,
  around: NonNullable<ProjectCardInput['around']>,
  hasWork: boolean,
  actions: CardButton[],
  forms: CardForm[],
): void {
  if (around.urge) actions.push({ label: '催办', style: 'default', value: { v: 1, type: 'urge', regNo } });
  if (!hasWork) return;
  if (around.cc) {
    forms.push({
      name: 'cc_form',
      fields: [{ name: 'cc_person', label: '抄送给', kind: 'text', required: true, placeholder: '同事的姓名或账号' }],
      submit: { label: '抄送', style: 'default', value: { v: 1, type: 'cc', regNo } },
    });
  }
  if (around.comment) {
    forms.push({
      name: 'comment_form',
      fields: [
        {
          name: 'comment_text',
          label: '评论',
          kind: 'text',
          required: true,
          placeholder: '写下评论，当前处理人会收到通知',
        },
      ],
      submit: { label: '评论', style: 'default', value: { v: 1, type: 'comment', regNo } },
    });
  }
}

/** PROCESS.md §2: the commercial review's checks; the reviewer ticks each on the form below. */
function checklistBlock(p: Project, items: string[]): CardBlock {
  return {
    type: 'checklist',
    title: '审核清单（请逐项核对后勾选）',
    items: items.map((text, i) => ({
      text:
        i === 0
          ? `${text}：${yesNo(p.facts.signed, '已签', '未签')}合同，首付款${yesNo(p.facts.paid, '已到', '未到')}`
          : text,
      checked: null,
    })),
  };
}

/** Who signed the registration form electronically (the commercial reviewer's approval) and when. */
function signatureOf(p: Project, def: ProcessDefinition, org: OrgView, timeZone: string): string | null {
  const route = routeFor(p.facts, def);
  const index = route.steps.findIndex((s) => s.role === 'commercial_reviewer');
  if (index < 0) return null;
  const d = [...p.history]
    .reverse()
    .find((h) => h.task === null && h.action === 'approve' && h.stepIndex === index && h.round === p.round);
  return d
    ? `${displayName(org, d.by)}（${roleName(def, 'commercial_reviewer')}） ${formatTime(d.at, timeZone)}`
    : null;
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
