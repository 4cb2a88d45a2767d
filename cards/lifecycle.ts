import {
  CUSTOMIZATION_LABELS,
  CUSTOMIZATIONS,
  DOCUMENTS,
  missingDocuments,
  openTasks,
  REVIEW_TASKS,
  TASK_LABELS,
  type Task,
} from '../src/domain/lifecycle';
import { canActOnTask } from '../src/domain/lifecycle-transition';
import { displayName, membersOf, type OrgView, type UserId } from '../src/domain/org';
import type { Project } from '../src/domain/project';
import type { CardBlock, CardButton, CardForm, Rich } from './model';
import { joinRich, link as richLink } from './rich';

const names = (org: OrgView, users: UserId[]) => users.map((u) => displayName(org, u)).join('、');
const link = (label: string, url: string | null): Rich => richLink(label, url);

export function taskHolders(task: Task, org: OrgView): string {
  return names(org, task.users ?? membersOf(org, task.role, task.region));
}

/** The delivery part of the project card: team, requirements, pickup, documents, and what is open. */
export function lifecycleBlocks(p: Project, org: OrgView): CardBlock[] {
  if (p.state !== 'accepted' && p.state !== 'closed') return [];
  const l = p.lifecycle;
  const fields: { label: string; value: Rich }[] = [];
  if (l.pm) fields.push({ label: '区域项目经理', value: displayName(org, l.pm) });
  if (l.implementers.length) fields.push({ label: '实施人员', value: names(org, l.implementers) });
  if (l.setupNotes.feasibility) fields.push({ label: '可行性评估', value: l.setupNotes.feasibility });
  if (l.setupNotes.risk) fields.push({ label: '合同风险', value: l.setupNotes.risk });
  if (l.integration !== null)
    fields.push({ label: '系统集成', value: l.integration ? '需要（项目部实施）' : '不需要' });
  if (l.requirements) {
    fields.push({
      label: '需求确认',
      value: joinRich(
        [
          link('需求确认单', l.requirements.link),
          CUSTOMIZATION_LABELS[l.requirements.customization],
          ...(l.requirements.detail ? [link('明细', l.requirements.detail)] : []),
        ],
        ' · ',
      ),
    });
  }
  if (l.customWorkRequest) fields.push({ label: '定制化需求', value: '已由责任销售确认，已登记定制化需求任务申请' });
  if (l.pickup) {
    const issued = l.pickup.standard
      ? [link('标准产品', l.pickup.standard), link('定制产品', l.pickup.custom), link('授权文件', l.pickup.licence)]
      : ['待发放'];
    fields.push({ label: '产品领取', value: joinRich([`SVN ${l.pickup.svn}`, ...issued], ' · ') });
  }
  if (l.documents)
    fields.push({ label: '验收资料', value: `${7 - missingDocuments(l).length}/7 已提交（/docs ${p.regNo}）` });
  const open = openTasks(l);
  if (open.length)
    fields.push({
      label: '待办',
      value: open.map((t) => `${TASK_LABELS[t.kind]} — ${taskHolders(t, org)}`).join('；'),
    });
  if (p.state === 'closed') fields.push({ label: '移交', value: '已完成移交售后运维部' });
  return fields.length ? [{ type: 'divider' }, { type: 'fields', fields }] : [];
}

const ref = (p: Project, t: Task) => ({ regNo: p.regNo, task: t.id });

/** Buttons and forms for the tasks the viewer may act on. */
export function taskControls(p: Project, org: OrgView, viewer: UserId): { actions: CardButton[]; forms: CardForm[] } {
  const actions: CardButton[] = [];
  const forms: CardForm[] = [];
  if (p.state !== 'accepted') return { actions, forms };
  for (const t of openTasks(p.lifecycle).filter((x) => canActOnTask(x, viewer, org))) {
    const value = (action: 'approve' | 'reject' | 'submit') => ({ v: 1 as const, type: 'task', ...ref(p, t), action });
    if (REVIEW_TASKS.includes(t.kind)) {
      actions.push({ label: t.kind === 'custom_confirm' ? '确认' : '通过', style: 'primary', value: value('approve') });
      forms.push({
        name: `task_${t.id}_reject`,
        fields: [
          { name: 'reason', label: '驳回原因', kind: 'text', required: true, placeholder: '请填写驳回原因（必填）' },
        ],
        submit: { label: '驳回', style: 'danger', value: value('reject') },
      });
      continue;
    }
    const form = (label: string, fields: CardForm['fields']): CardForm => ({
      name: `task_${t.id}_form`,
      fields,
      submit: { label, style: 'primary', value: value('submit') },
    });
    switch (t.kind) {
      case 'requirements':
        forms.push(
          form('提交需求确认', [
            { name: 'link', label: '《需求确认单》链接', kind: 'text', required: true, placeholder: 'https://…' },
            {
              name: 'customization',
              label: '定制需求',
              kind: 'select',
              required: true,
              options: CUSTOMIZATIONS.map((c) => ({ value: c, label: CUSTOMIZATION_LABELS[c] })),
              initial: 'none',
            },
            {
              name: 'detail',
              label: '《需求清单及跟进表》或工作量评估链接（有定制时必填）',
              kind: 'text',
              required: false,
            },
          ]),
        );
        break;
      case 'integration_setup':
        forms.push(form('指派区域项目经理', [pmField(p, org)]));
        break;
      case 'assign':
        forms.push(
          form('指派实施人员', [
            {
              name: 'implementers',
              label: `实施人员（id 或姓名，多个用逗号分隔；可选：${names(org, membersOf(org, 'implementer', null))}）`,
              kind: 'text',
              required: true,
              initial: membersOf(org, 'implementer', p.facts.region)[0] ?? '',
            },
          ]),
        );
        break;
      case 'pickup':
        forms.push(
          form('提交产品领取单', [
            { name: 'regNo', label: '项目实施登记号（必填）', kind: 'text', required: true, placeholder: p.regNo },
            { name: 'svn', label: '文件存放 SVN 路径（必填）', kind: 'text', required: true, placeholder: 'svn://…' },
          ]),
        );
        break;
      case 'pickup_issue':
        forms.push(
          form('发放产品与授权', [
            { name: 'standard', label: '标准产品下载路径', kind: 'text', required: true, placeholder: 'https://…' },
            { name: 'custom', label: '定制产品下载路径（如有）', kind: 'text', required: false },
            { name: 'licence', label: '产品授权文件链接', kind: 'text', required: true, placeholder: 'https://…' },
          ]),
        );
        break;
      default:
        break;
    }
  }
  const l = p.lifecycle;
  if (l.documents && (l.implementers.includes(viewer) || l.pm === viewer)) {
    actions.push({ label: '验收资料', style: 'default', value: { v: 1, type: 'docs', regNo: p.regNo } });
  }
  return { actions, forms };
}

/** The project director's setup (立项) fields on the executing-department step, with the region's PM preselected. */
export function pmField(p: Project, org: OrgView): CardForm['fields'][number] {
  const all = Object.values(org.members.regional_pm ?? {}).flat();
  return {
    name: 'pm',
    label: '区域项目经理（默认按就近原则）',
    kind: 'select',
    required: true,
    options: [...new Set(all)].map((u) => ({ value: u, label: displayName(org, u) })),
    initial: membersOf(org, 'regional_pm', p.facts.region)[0] ?? '',
  };
}

export const DOC_LABEL = (d: number) => `${d}.《${DOCUMENTS[d - 1]}》`;
