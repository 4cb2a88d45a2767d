import { displayName, type OrgView, type UserId } from '../src/domain/org';
import type { ProcessDefinition } from '../src/domain/process/definition';
import { canActOn } from '../src/domain/process/holders';
import { type Answers, missingDocuments, openTasks, type TaskInstance } from '../src/domain/process/state';
import { valueText } from '../src/domain/process/summary';
import type { Project } from '../src/domain/project';
import { formInputs, names, subflowTitle, taskDefOf, taskHoldersOrWhy, taskName } from './labels';
import type { CardBlock, CardButton, CardForm, Rich } from './model';
import { signsTask } from './operations';
import { joinRich, link } from './rich';

const SUBFLOW_STATE = { open: '处理中', done: '已完成', rejected: '已驳回' } as const;

/**
 * The delivery part of the project card: team, what the done tasks recorded, documents, subflows, what is open.
 * Compact (not `full`): only the latest recorded task (what a review looks at) and the subflows still open; who
 * holds what is the card's ask line.
 */
export function deliveryBlocks(p: Project, def: ProcessDefinition, org: OrgView, full = true): CardBlock[] {
  if (p.state !== 'accepted' && p.state !== 'closed') return [];
  const d = p.delivery;
  const fields: { label: string; value: Rich }[] = [];
  if (d.team.pm) fields.push({ label: '区域项目经理', value: displayName(org, d.team.pm) });
  if (d.team.implementers.length) fields.push({ label: '实施人员', value: names(org, d.team.implementers) });
  // The latest done instance of every main-flow task with answers: what was recorded at each step.
  const done = new Map<string, TaskInstance>();
  for (const t of d.tasks)
    if (t.subflow === null && t.state === 'done' && Object.keys(t.answers).length) done.set(t.defId, t);
  const latest = [...done.values()].sort((a, b) => (b.closedAt?.getTime() ?? 0) - (a.closedAt?.getTime() ?? 0))[0];
  for (const t of full ? done.values() : latest ? [latest] : []) {
    const form = taskDefOf(p, def, t)?.form;
    // Link answers become links the card places (user text never becomes markup: see cards/rich.ts).
    const parts: Rich[] = (form?.fields ?? [])
      .filter((f) => t.answers[f.id] !== undefined && f.kind !== 'person' && f.kind !== 'regno')
      .map((f) =>
        f.kind === 'link'
          ? link(f.label, String(t.answers[f.id]))
          : `${f.label}：${valueText(form, f.id, t.answers[f.id] as never, org)}`,
      );
    if (parts.length) fields.push({ label: taskDefOf(p, def, t)?.name ?? t.defId, value: joinRich(parts, '；') });
  }
  if (d.documents.length) {
    const got = d.documents.length - missingDocuments(d).length;
    fields.push({ label: '验收资料', value: `${got}/${d.documents.length} 已提交（/docs ${p.regNo}）` });
  }
  for (const s of d.subflows) {
    if (!full && s.state !== 'open') continue;
    fields.push({ label: subflowTitle(p, def, s.no), value: SUBFLOW_STATE[s.state] });
  }
  const open = openTasks(d);
  if (full && open.length) {
    fields.push({
      label: '待办',
      value: open.map((t) => `${taskName(p, def, t)} — ${taskHoldersOrWhy(t, org, def)}`).join('；'),
    });
  }
  return fields.length ? [{ type: 'divider' }, { type: 'fields', fields }] : [];
}

/** Buttons and forms for the open tasks the viewer holds, and the subflows the viewer may start. */
export function taskControls(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  viewer: UserId,
): { actions: CardButton[]; forms: CardForm[] } {
  const actions: CardButton[] = [];
  const forms: CardForm[] = [];
  if (p.state !== 'accepted' && p.state !== 'closed') return { actions, forms };
  for (const t of openTasks(p.delivery).filter((x) => canActOn(x, viewer, org))) {
    const td = taskDefOf(p, def, t);
    if (!td) continue;
    const value = (action: 'approve' | 'reject' | 'submit') => ({
      v: 1 as const,
      type: 'task' as const,
      regNo: p.regNo,
      task: t.no,
      action,
    });
    const name = taskName(p, def, t);
    // An added signer (加签) approves or rejects whatever the task asks of its holder.
    const signer = signsTask(t, org, viewer);
    // A task sent back (its review rejected) comes back with the answers given last time.
    const prefill = previousAnswers(p, t);
    if (td.decide === 'review' || signer) {
      const fields = signer ? [] : formInputs(td.form, org, p, prefill);
      if (fields.length) {
        forms.push({
          name: `task_${t.no}_approve`,
          fields,
          submit: { label: td.action ?? '通过', style: 'primary', value: value('approve') },
        });
      } else {
        actions.push({ label: td.action ?? '通过', style: 'primary', value: value('approve') });
      }
      forms.push({
        name: `task_${t.no}_reject`,
        fields: [
          {
            name: 'reason',
            label: `驳回「${name}」的原因`,
            kind: 'text',
            required: true,
            placeholder: '请填写驳回原因（必填）',
          },
        ],
        submit: {
          label: '驳回',
          style: 'danger',
          value: value('reject'),
          confirm: { title: '确认驳回？', text: `「${name}」将被驳回，退回上一步修改。` },
        },
      });
      continue;
    }
    forms.push({
      name: `task_${t.no}_form`,
      fields: formInputs(td.form, org, p, prefill),
      submit: { label: td.action ?? '提交', style: 'primary', value: value('submit') },
    });
  }
  const d = p.delivery;
  if (d.documents.length && p.state === 'accepted' && (d.team.implementers.includes(viewer) || d.team.pm === viewer)) {
    actions.push({ label: '验收资料', style: 'default', value: { v: 1, type: 'docs', regNo: p.regNo } });
  }
  return { actions, forms };
}

/** The answers of the latest earlier instance of the same task (same subflow), e.g. before its review rejected it. */
function previousAnswers(p: Project, t: TaskInstance): Answers {
  const before = p.delivery.tasks.filter(
    (x) => x.no !== t.no && x.defId === t.defId && x.subflow === t.subflow && x.state !== 'open',
  );
  return before.filter((x) => Object.keys(x.answers).length).at(-1)?.answers ?? {};
}
