import { SYSTEM_ACTOR } from '../src/domain/around/timeouts';
import { displayName, type OrgView, regionName, type UserId } from '../src/domain/org';
import type { ProcessDefinition } from '../src/domain/process/definition';
import { matchesHolder } from '../src/domain/process/holders';
import { openTasks } from '../src/domain/process/state';
import { currentStep, type Decision, type Project, STEP_ACTIONS } from '../src/domain/project';
import { routeFor, stepSpec } from '../src/domain/routing';
import { canWithdraw, isCurrentApprover, stepForm } from '../src/domain/transition';
import { askLine, lastRejection } from './ask';
import { deliveryBlocks, taskControls } from './delivery';
import {
  formatTime,
  formInputs,
  kindLabel,
  roleName,
  STATE_LABELS,
  stepLabel,
  taskDefOf,
  taskName,
  yesNo,
} from './labels';
import type { CardBlock, CardButton, CardColor, CardForm, CardModel, HistoryNote, Rich } from './model';
import { operationControls, signsStep } from './operations';
import { joinRich, linkify, link as richLink } from './rich';

export interface ProjectCardInput {
  project: Project;
  def: ProcessDefinition;
  org: OrgView;
  /** IANA zone for times shown in fields (the e-signature). */
  timeZone: string;
  /** Who will see this copy: decides which buttons it carries. null = a shared copy (no buttons). */
  viewer: UserId | null;
  /** The banner the copy was sent with (only a 催办 is still shown, and only while the viewer has the work). */
  banner?: string | null;
  /** `/status`: every fact and the history open. Otherwise the facts this step needs and the history folded. */
  full?: boolean;
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

/**
 * The one card of a project, designed per state: the header names the project and the step; one line says what
 * the viewer is asked to do (or that nothing is, and who holds it now); the few facts the step needs; the actions.
 * The history is folded away (`full` for /status shows everything). Pure.
 */
export function projectCard(input: ProjectCardInput): CardModel {
  const { project: p, def, org, viewer } = input;
  const step = currentStep(p);
  const { actions, forms } = controls(p, def, org, viewer);
  // Around the viewer's own step: copy a colleague, comment (the step's holders); the submitter urges an approval.
  const hasWork = forms.length > 0 || actions.some((a) => a.style !== 'default');
  if (viewer !== null && input.around)
    aroundControls(p.regNo, { ...input.around, urge: input.around.urge && !!step }, hasWork, actions, forms);
  const blocks: CardBlock[] = [askLine(p, def, org, viewer, input.banner ?? null)];
  const info = infoBanner(p, def, org, input.banner ?? null);
  if (info) blocks.push({ type: 'note', text: info });
  blocks.push({ type: 'fields', fields: facts(input) });
  if (p.state === 'rejected' && viewer === p.submitter) {
    // The button resubmits as is; amendments are typed.
    blocks.push({ type: 'note', text: `需要修改时发送 /resubmit ${p.regNo} 字段=新值，如 customer=某集团。` });
  }
  const spec = step ? stepSpec(p, p.stepIndex, def) : undefined;
  if (input.full && spec?.kind === 'approval' && spec.step.checklist?.length)
    blocks.push(checklistBlock(p, spec.step.checklist));
  blocks.push(...deliveryBlocks(p, def, org, input.full === true));
  blocks.push(historyBlock(p, def, org, input.full === true, input.activity ?? []));
  return {
    header: {
      title: `${p.facts.name}`,
      // During approval the route goes with the step (特批流程 · 商务审核): one line less on a phone.
      subtitle: `${p.regNo} · ${step ? `${routeFor(p.facts, def).name} · ${stepLabel(p, def, org)}` : STATE_LABELS[p.state]}`,
      color: COLORS[p.state],
    },
    blocks,
    actions,
    forms,
  };
}

/** The facts of the registration: the ones every step needs, plus the rest on /status. */
function facts({ project: p, def, org, timeZone, full }: ProjectCardInput): { label: string; value: Rich }[] {
  const docs = [
    link('用户需求采集表', p.facts.reqLink),
    link('售前解决方案', p.facts.solutionLink),
    link('项目实施登记表', p.facts.formLink),
  ].filter((x): x is Rich => x !== null);
  const approving = p.state === 'in_approval' || p.state === 'rejected' || p.state === 'withdrawn';
  const signature = signatureOf(p, def, org, timeZone);
  const commercial = p.delivery.approvalAnswers.commercial_reviewer;
  const rejection = p.state === 'rejected' ? lastRejection(p) : undefined;
  const changes = p.state === 'in_approval' && p.round > 1 ? lastChanges(p) : null;
  const out: { label: string; value: Rich }[] = [];
  if (full) out.push({ label: '项目实施登记号', value: p.regNo });
  out.push({ label: '客户', value: p.facts.customer });
  out.push({ label: '类型 · 区域', value: `${kindLabel(p)} · ${regionName(org, p.facts.region)}` });
  if (approving || full) {
    out.push({ label: '合同编号', value: p.facts.contractNo });
    out.push({
      label: '合同/首付款',
      value: `${yesNo(p.facts.signed, '已签合同', '未签合同')} / ${yesNo(p.facts.paid, '首付款已到', '首付款未到')}`,
    });
    if (p.facts.kind === 'project')
      out.push({
        label: '运营服务/云部署',
        value: `${yesNo(p.facts.operated, '含需运营部分', '无运营部分')} / ${yesNo(p.facts.cloud, '公司云服务器部署', '客户环境部署')}`,
      });
    if (docs.length) out.push({ label: '资料', value: joinRich(docs, ' · ') });
  }
  if (full) out.push({ label: '审批流程', value: routeFor(p.facts, def).name });
  out.push({ label: '责任销售', value: displayName(org, p.submitter) });
  if (rejection?.reason) out.push({ label: '驳回原因', value: rejection.reason });
  if (changes) out.push({ label: '本轮修改', value: changes });
  if (commercial && typeof commercial.outsourcing === 'boolean')
    out.push({ label: '外采', value: commercial.outsourcing ? '需外采产品（外采完成后才能发放产品）' : '无需外采' });
  if (signature) out.push({ label: '商务经理电子签名', value: signature });
  return out;
}

/**
 * A banner that tells this copy's story (抄送给你, 超时升级 …), kept under the ask line while it is true: one that
 * names a step or task in 「」 only while that is still open. Banners the ask line derives (请处理, 催办, a rejection,
 * 已提交登记) are never shown: they would go stale.
 */
function infoBanner(p: Project, def: ProcessDefinition, org: OrgView, banner: string | null): string | null {
  if (!banner || /^(请处理：|催办|已提交登记)/.test(banner) || banner.includes('驳回，原因：')) return null;
  const named = /「([^」]+)」/.exec(banner)?.[1];
  if (!named) return banner;
  const step = currentStep(p);
  const open = [...(step ? [stepLabel(p, def, org)] : []), ...openTasks(p.delivery).map((t) => taskName(p, def, t))];
  return open.includes(named) ? banner : null;
}

/** What the resubmission of this round changed ("客户：A → B；…"), as recorded; null when nothing was amended. */
function lastChanges(p: Project): string | null {
  const d = [...p.history].reverse().find((h) => h.action === 'resubmit' && h.round === p.round);
  return d?.reason ?? null;
}

function historyBlock(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  full: boolean,
  activity: Decision[],
): CardBlock {
  const around = activity.map((d) => {
    const note = d.reason ? noteOf(d, undefined) : undefined;
    return {
      at: d.at,
      who: d.by === SYSTEM_ACTOR ? '系统' : displayName(org, d.by),
      what: ACTION_LABELS[d.action],
      ...(note ? { note } : {}),
    };
  });
  const block: Extract<CardBlock, { type: 'history' }> = {
    type: 'history',
    title: `流程记录（${p.history.length} 条）`,
    entries: p.history.map((d, i) => {
      const task = d.task !== null ? p.delivery.tasks.find((t) => t.no === d.task) : undefined;
      const where = task
        ? (taskDefOf(p, def, task)?.name ?? task.defId)
        : STEP_ACTIONS.has(d.action)
          ? stepLabel(p, def, org, d.stepIndex)
          : '';
      const prev = p.history[i - 1];
      const waited = prev ? waitedText(d.at.getTime() - prev.at.getTime()) : '';
      const verb = ACTION_LABELS[d.action];
      // "同意 · 特批领导审批（北方）", never a label wrapped in brackets twice; a task's own verb is not repeated.
      const what = where && !where.startsWith(verb) ? `${verb} · ${where}` : where || verb;
      const round = d.round > 1 && d.action !== 'resubmit' && !task ? ` · 第${d.round}轮` : '';
      const note = d.reason ? noteOf(d, task ? taskDefOf(p, def, task) : undefined) : undefined;
      return {
        at: d.at,
        who: d.onBehalfOf ? `${displayName(org, d.by)} 代 ${displayName(org, d.onBehalfOf)}` : displayName(org, d.by),
        what: `${what}${round}${waited ? ` · 等待${waited}` : ''}`,
        ...(note ? { note } : {}),
      };
    }),
    ...(full ? {} : { folded: true, hint: `发送 /status ${p.regNo} 查看全部记录` }),
  };
  if (around.length) block.entries = [...block.entries, ...around].sort((a, b) => a.at.getTime() - b.at.getTime());
  block.title = `流程记录（${block.entries.length} 条）`;
  return block;
}

/** A history note labelled by what it is. */
function noteOf(d: Decision, task: { form?: { fields: unknown[] } } | undefined): HistoryNote | undefined {
  const text = d.reason ?? '';
  switch (d.action) {
    case 'reject':
      return { label: '原因', text, rejection: true };
    case 'approve':
      return { label: task?.form?.fields.length ? '填写' : '意见', text: linkify(text) };
    case 'doc': {
      const at = text.indexOf('：');
      const url = at < 0 ? '' : text.slice(at + 1);
      return {
        label: '资料链接',
        text: at < 0 ? text : joinRich([text.slice(0, at), richLink('查看', url, url)], ' '),
      };
    }
    case 'due':
      return { label: '截止日期', text };
    case 'resubmit':
      return { label: '修改', text };
    case 'raise':
      return { label: '内容', text: linkify(text) };
    case 'comment':
      return { label: '内容', text: linkify(text) };
    case 'sendback':
      return { label: '原因', text, rejection: true };
    case 'sign':
      return { label: '意见', text: linkify(text) };
    case 'cc':
    case 'urge':
    case 'escalate':
    case 'transfer':
    case 'reassign':
    case 'addsign':
    case 'unsign':
    case 'revoke':
    case 'reresolve':
      return { label: '说明', text };
    default:
      return { label: '填写', text: linkify(text) };
  }
}

/** The viewer's buttons and forms: the step they hold, their tasks, subflows they may raise, sales' own actions. */
function controls(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  viewer: UserId | null,
): { actions: CardButton[]; forms: CardForm[] } {
  const actions: CardButton[] = [];
  const forms: CardForm[] = [];
  if (viewer === null) return { actions, forms };
  const step = currentStep(p);
  const spec = step ? stepSpec(p, p.stepIndex, def) : undefined;
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
      submit: {
        label: '驳回',
        style: 'danger',
        value: { v: 1, type: 'reject', ...ref },
        confirm: { title: '确认驳回？', text: `「${stepLabel(p, def, org)}」将被驳回，责任销售需修改后重新提交。` },
      },
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
      const text = p.state === 'rejected' ? '撤回后项目结束，不能再重新提交。' : '撤回后审批结束，如需继续须重新登记。';
      actions.push({
        label: '撤回',
        style: 'default',
        value: { v: 1, type: 'withdraw', regNo: p.regNo },
        confirm: { title: '确认撤回？', text },
      });
    }
  }
  return { actions, forms };
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
    ? `${displayName(org, d.by)} · ${roleName(def, 'commercial_reviewer')} · ${formatTime(d.at, timeZone)}`
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
