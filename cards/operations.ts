import type { ButtonOp } from '../src/domain/button-value';
import { POSITION_LABELS, revocable } from '../src/domain/operations';
import { actingAs, displayName, holdsRole, type OrgView, type UserId } from '../src/domain/org';
import type { ProcessDefinition } from '../src/domain/process/definition';
import { type Hold, ownersOf, phaseOf, signerNow } from '../src/domain/process/hold';
import { baseHoldersOfTask, canActOn, taskHoldersNow } from '../src/domain/process/holders';
import { openTasks, type TaskInstance } from '../src/domain/process/state';
import { currentStep, type Project } from '../src/domain/project';
import { baseApproversOf, stepHoldersNow } from '../src/domain/routing';
import { isCurrentApprover } from '../src/domain/transition';
import { stepLabel, taskName } from './labels';
import type { CardButton, CardForm, CardModel, FormField } from './model';

/**
 * The approval operations on the project card (issue 13): transfer, add signer, send back for whoever holds the
 * current step or a task, remove a signer for the one who added them, revoke for the last approver. Each form's
 * submit carries `{ type: 'op', op, regNo, task? }`; the inputs are read in src/commands/parse-card-action.ts.
 */

/** Whom the viewer acts as on a holder list: themselves or the person whose delegate they are. */
const asWho = (org: OrgView, holders: UserId[], viewer: UserId) => actingAs(org, holders, viewer)?.as ?? viewer;

/** Whether the viewer decides the current step (or task) as an added signer: they then approve without the form. */
export function signsStep(p: Project, def: ProcessDefinition, org: OrgView, viewer: UserId): boolean {
  const step = currentStep(p);
  if (!step?.hold) return false;
  const as = asWho(org, stepHoldersNow(p, step, org, def), viewer);
  return signerNow(baseApproversOf(p, step, org, def), step.hold, as) !== null;
}

export function signsTask(t: TaskInstance, org: OrgView, viewer: UserId): boolean {
  if (!t.hold) return false;
  const as = asWho(org, taskHoldersNow(t, org), viewer);
  return signerNow(baseHoldersOfTask(t, org), t.hold, as) !== null;
}

const person = (label: string): FormField => ({
  name: 'person',
  label,
  kind: 'text',
  required: true,
  placeholder: '姓名或 id，如 赵商务',
});

const POSITION_OPTIONS = (Object.keys(POSITION_LABELS) as (keyof typeof POSITION_LABELS)[]).map((value) => ({
  value,
  label: `${POSITION_LABELS[value]}${value === 'before' ? '（先由他处理）' : value === 'after' ? '（我之后由他处理）' : '（都同意才通过）'}`,
}));

type Ref = { regNo: string; task?: number };

const FORM_LABELS: Record<string, string> = { transfer: '转交', addsign: '加签', sendback: '退回', reassign: '改派' };

function holderForms(ref: Ref, what: string, hold: Hold | undefined, owner: boolean, back: FormField | null) {
  const value = (op: ButtonOp) => ({ v: 1 as const, type: 'op' as const, op, ...ref });
  const forms: CardForm[] = [
    {
      name: `transfer_${ref.task ?? 'step'}`,
      fields: [
        person(`转交「${what}」给`),
        { name: 'note', label: '转交说明', kind: 'text', required: false, placeholder: '可选' },
      ],
      submit: { label: '转交', style: 'default', value: value('transfer') },
    },
  ];
  if (owner && (!hold || phaseOf(hold) === 'main')) {
    forms.push({
      name: `addsign_${ref.task ?? 'step'}`,
      fields: [
        person(`为「${what}」加签`),
        {
          name: 'position',
          label: '加签方式',
          kind: 'select',
          required: true,
          options: POSITION_OPTIONS,
          initial: 'with',
        },
      ],
      submit: { label: '加签', style: 'default', value: value('addsign') },
    });
  }
  if (owner && back) {
    forms.push({
      name: `sendback_${ref.task ?? 'step'}`,
      fields: [back, { name: 'reason', label: '退回原因', kind: 'text', required: true, placeholder: '必填' }],
      submit: {
        label: '退回',
        style: 'danger',
        value: value('sendback'),
        confirm: { title: '确认退回', text: `「${what}」将退回到所选步骤，之后的步骤需重新处理。` },
      },
    });
  }
  return forms;
}

/** Buttons to remove the signers the viewer added who have not acted yet. */
function unsignButtons(org: OrgView, ref: Ref, hold: Hold | undefined, viewer: UserId): CardButton[] {
  return (hold?.signers ?? [])
    .filter((s) => !s.done && (s.addedBy === viewer || org.delegates?.[s.addedBy] === viewer))
    .map((s) => ({
      label: `撤销加签 ${displayName(org, s.user)}`,
      style: 'default' as const,
      value: { v: 1 as const, type: 'op', op: 'unsign', ...ref, signer: s.user },
    }));
}

/** The card the 更多操作 button opens: the viewer's operations on this project, or a note when none is left. */
export function operationsCard(p: Project, def: ProcessDefinition, org: OrgView, viewer: UserId): CardModel {
  const { actions, forms } = operationControls(p, def, org, viewer);
  const text = actions.length || forms.length ? '转交、加签、退回或撤销同意：' : '目前没有你可以执行的操作。';
  // The typed commands, for platforms whose cards cannot hold inputs (WeCom) and for anyone who prefers typing.
  const typed: Record<string, string> = {
    transfer: `/transfer ${p.regNo} [任务编号] <人员> [说明]`,
    addsign: `/addsign ${p.regNo} [任务编号] <人员> before|after|with`,
    sendback: `/sendback ${p.regNo} [任务编号] <退回到的步骤> <原因>`,
    reassign: `/reassign ${p.regNo} <任务编号> <人员>`,
  };
  const ops = [...new Set(forms.map((f) => (f.submit.value.type === 'op' ? f.submit.value.op : '')))].filter(
    (op) => typed[op],
  );
  const lines = ops.map((op) => `${FORM_LABELS[op] ?? op}：${typed[op]}`);
  return {
    header: { title: '更多操作', subtitle: `${p.regNo} · ${p.facts.name}`, color: 'blue' },
    blocks: [
      { type: 'note', text },
      ...(lines.length ? [{ type: 'rich' as const, lines: ['也可发送命令：', ...lines] }] : []),
    ],
    actions,
    forms,
  };
}

type Controls = Pick<CardModel, 'actions' | 'forms'>;

/** The operations the viewer may run on the project now (the 更多操作 card; the project card shows the button). */
export function operationControls(p: Project, def: ProcessDefinition, org: OrgView, viewer: UserId): Controls {
  const { actions, forms }: Controls = { actions: [], forms: [] };
  const step = currentStep(p);
  if (step) {
    const ref = { regNo: p.regNo };
    if (isCurrentApprover(p, viewer, org, def)) {
      const as = asWho(org, stepHoldersNow(p, step, org, def), viewer);
      const owner =
        ownersOf(baseApproversOf(p, step, org, def), step.hold).includes(as) && !signsStep(p, def, org, viewer);
      const options = p.chain.slice(0, p.stepIndex).map((_s, i) => ({
        value: String(i + 1),
        label: `${i + 1}. ${stepLabel(p, def, org, i)}`,
      }));
      const back: FormField | null = options.length
        ? {
            name: 'step',
            label: '退回到',
            kind: 'select',
            required: true,
            options,
            initial: options.at(-1)?.value ?? '1',
          }
        : null;
      forms.push(...holderForms(ref, stepLabel(p, def, org), step.hold, owner, back));
    }
    actions.push(...unsignButtons(org, ref, step.hold, viewer));
  }
  for (const t of openTasks(p.delivery)) {
    const ref = { regNo: p.regNo, task: t.no };
    if (canActOn(t, viewer, org)) {
      const as = asWho(org, taskHoldersNow(t, org), viewer);
      const owner = ownersOf(baseHoldersOfTask(t, org), t.hold).includes(as) && !signsTask(t, org, viewer);
      const back: FormField = {
        name: 'step',
        label: '退回到（更早任务的编号或名称）',
        kind: 'text',
        required: true,
        placeholder: '如 确认需求',
      };
      forms.push(...holderForms(ref, taskName(p, def, t), t.hold, owner, back));
    }
    actions.push(...unsignButtons(org, ref, t.hold, viewer));
  }
  // The project's PM or a director reassigns any open task (issue 10, finding 7).
  const open = openTasks(p.delivery);
  if (open.length && (p.delivery.team.pm === viewer || holdsRole(org, viewer, 'project_director'))) {
    const options = open.map((t) => ({ value: String(t.no), label: `${t.no}. ${taskName(p, def, t)}` }));
    forms.push({
      name: 'reassign',
      fields: [
        { name: 'task', label: '改派任务', kind: 'select', required: true, options, initial: options[0]?.value ?? '' },
        person('改派给'),
      ],
      submit: { label: '改派', style: 'default', value: { v: 1, type: 'op', op: 'reassign', regNo: p.regNo } },
    });
  }
  const revoke = revocable(p, viewer, def, org);
  if (revoke !== false) {
    actions.push({
      label: '撤销同意',
      style: 'default',
      value: { v: 1, type: 'op', op: 'revoke', regNo: p.regNo, ...(revoke !== null ? { task: revoke } : {}) },
      confirm: { title: '确认撤销', text: '撤销你的同意后，这一步回到你这里重新处理。' },
    });
  }
  return { actions, forms };
}
