import { displayName, membersOf, type OrgView, regionName, type UserId } from '../src/domain/org';
import type { FieldDef, FormDef, ProcessDefinition } from '../src/domain/process/definition';
import { defaultPerson } from '../src/domain/process/forms';
import { holdersOfTask, onlyBarredHolds } from '../src/domain/process/holders';
import type { Answers, FieldValue, TaskInstance } from '../src/domain/process/state';
import { KIND_LABELS, type Project, type ProjectState, type Step } from '../src/domain/project';
import { approversOf, stepSpec } from '../src/domain/routing';
import { formatTime } from '../src/shared/time';
import type { FormField } from './model';

export const STATE_LABELS: Record<ProjectState, string> = {
  in_approval: '审批中',
  rejected: '已驳回',
  withdrawn: '已撤回',
  accepted: '实施中',
  closed: '已完成移交',
};

export const roleName = (def: ProcessDefinition, role: string): string => def.roles[role]?.name ?? role;

/** "销售主管审批", "特批领导审批（北方）", "商务审核", "项目总监审核并立项" … from the process definition. */
export function stepLabel(p: Project, def: ProcessDefinition, org: OrgView, index = p.stepIndex): string {
  const spec = stepSpec(p, index, def);
  const step = p.chain[index];
  const region = step && step.region !== null ? `（${regionName(org, step.region)}）` : '';
  if (!spec) return step ? roleName(def, step.role) : '';
  return spec.kind === 'approval' ? `${spec.step.name}${region}` : spec.task.name;
}

export const names = (org: OrgView, users: UserId[]): string => users.map((u) => displayName(org, u)).join('、');

export function holdersOf(p: Project, step: Step, org: OrgView, def: ProcessDefinition): string {
  return names(org, approversOf(p, step, org, def));
}

/** Why a step has nobody to decide it (holdersOf is empty): an empty role, or a role held only by the submitter. */
export function noHolderText(p: Project, step: Step, org: OrgView, def: ProcessDefinition): string {
  const role = `「${roleName(def, step.role)}」${step.region !== null ? `（${regionName(org, step.region)}）` : ''}`;
  return membersOf(org, step.role, step.region).includes(p.submitter)
    ? `无人可审批：${role}只有提交人本人，提交人不能审批自己的项目；需管理员为该角色增加成员`
    : `无人可处理：${role}没有成员；需管理员在组织文件中补充`;
}

/** The definition of a task instance (main flow or subflow step). */
export function taskDefOf(p: Project, def: ProcessDefinition, t: Pick<TaskInstance, 'defId' | 'subflow'>) {
  if (t.subflow === null) return def.flows[p.facts.kind].tasks.find((x) => x.id === t.defId);
  const kind = p.delivery.subflows.find((s) => s.no === t.subflow)?.kind;
  return def.subflows.find((s) => s.id === kind)?.steps.find((x) => x.id === t.defId);
}

/** A subflow instance in words: "产品缺陷 #1：登录超时". */
export function subflowLabel(def: ProcessDefinition, kind: string, no: number, title: string | null): string {
  const name = def.subflows.find((x) => x.id === kind)?.name ?? kind;
  return `${name} #${no}${title ? `：${title}` : ''}`;
}

/** A task's name from its definition id; a subflow step also names its subflow ("研发修复（产品缺陷 #1：登录超时）"). */
export function taskNameById(
  def: ProcessDefinition,
  kind: Project['facts']['kind'],
  defId: string,
  sub: { kind: string; no: number; title: string | null } | null,
): string {
  if (sub === null) return def.flows[kind].tasks.find((x) => x.id === defId)?.name ?? defId;
  const step = def.subflows.find((s) => s.id === sub.kind)?.steps.find((x) => x.id === defId)?.name ?? defId;
  return `${step}（${subflowLabel(def, sub.kind, sub.no, sub.title)}）`;
}

const titleOf = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function subflowTitle(p: Project, def: ProcessDefinition, no: number): string {
  const s = p.delivery.subflows.find((x) => x.no === no);
  return subflowLabel(def, s?.kind ?? '', no, titleOf(s?.answers.title));
}

export function taskName(p: Project, def: ProcessDefinition, t: TaskInstance): string {
  const s = t.subflow === null ? undefined : p.delivery.subflows.find((x) => x.no === t.subflow);
  const sub = t.subflow === null ? null : { kind: s?.kind ?? '', no: t.subflow, title: titleOf(s?.answers.title) };
  return taskNameById(def, p.facts.kind, t.defId, sub);
}

export const taskHolders = (t: TaskInstance, org: OrgView): string => names(org, holdersOfTask(t, org));

/**
 * Why a task has nobody to act on it (taskHolders is empty): its one holder is the submitter, barred from deciding
 * their own project (the same words as the approval chain's `noHolderText`), or its role has no member.
 */
export function noTaskHolderText(t: TaskInstance, org: OrgView, def: ProcessDefinition): string {
  const role = t.role && `「${roleName(def, t.role)}」${t.region !== null ? `（${regionName(org, t.region)}）` : ''}`;
  if (onlyBarredHolds(t, org)) {
    return role
      ? `无人可审批：${role}只有提交人本人，提交人不能审批自己的项目；需管理员为该角色增加成员`
      : '无人可审批：处理人只有提交人本人，提交人不能审批自己的项目；需区域项目经理或项目总监改派（/reassign）';
  }
  return role
    ? `无人可处理：${role}没有成员；需管理员在组织文件中补充`
    : '无人可处理：没有处理人；需区域项目经理或项目总监改派（/reassign）';
}

/** The holders of a task in words, or why there are none. */
export const taskHoldersOrWhy = (t: TaskInstance, org: OrgView, def: ProcessDefinition): string =>
  taskHolders(t, org) || noTaskHolderText(t, org, def);

const YES_NO = [
  { value: 'yes', label: '是' },
  { value: 'no', label: '否' },
];

function initialOf(f: FieldDef, v: FieldValue | undefined, org: OrgView, p: Project): string | undefined {
  if (v === undefined) {
    const person = defaultPerson(f, org, p);
    return person ?? undefined;
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.join(',');
  return v;
}

/** A process form as neutral card inputs, prefilled with earlier answers where given. */
export function formInputs(form: FormDef | undefined, org: OrgView, p: Project, prefill: Answers = {}): FormField[] {
  return (form?.fields ?? []).map((f): FormField => {
    const initial = initialOf(f, prefill[f.id], org, p);
    const base = { name: f.id, label: f.label, required: f.required, ...(initial !== undefined ? { initial } : {}) };
    switch (f.kind) {
      case 'select':
        return { ...base, kind: 'select', options: f.options ?? [] };
      case 'multiselect':
        return { ...base, kind: 'select', multiple: true, options: f.options ?? [] };
      case 'yesno':
        return { ...base, kind: 'select', options: YES_NO };
      case 'check':
        return {
          ...base,
          kind: 'select',
          options: [
            { value: 'yes', label: '已核对' },
            { value: 'no', label: '未核对' },
          ],
        };
      case 'person': {
        const people = Object.values(org.members[f.role ?? ''] ?? {}).flat();
        const options = [...new Set(people)].map((u) => ({ value: u, label: displayName(org, u) }));
        if (!f.multiple) return { ...base, kind: 'select', options };
        return { ...base, kind: 'select', multiple: true, options };
      }
      case 'regno':
        return { ...base, kind: 'text', placeholder: p.regNo };
      case 'link':
        return { ...base, kind: 'text', placeholder: 'https://…' };
      case 'date':
        return { ...base, kind: 'text', placeholder: 'YYYY-MM-DD' };
      default:
        return { ...base, kind: 'text', ...(f.hint ? { placeholder: f.hint } : {}) };
    }
  });
}

export const kindLabel = (p: Project): string => KIND_LABELS[p.facts.kind];
export const yesNo = (b: boolean, yes: string, no: string): string => (b ? yes : no);

export { formatTime };
