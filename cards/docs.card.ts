import { displayName, type OrgView, type UserId } from '../src/domain/org';
import type { ProcessDefinition } from '../src/domain/process/definition';
import { missingDocuments, openTasks } from '../src/domain/process/state';
import type { Project } from '../src/domain/project';
import { formatTime, taskDefOf } from './labels';
import type { CardForm, CardModel, Span } from './model';
import { link, spansOf, strong } from './rich';

const DAY_MS = 86_400_000;

/** `/docs`: the acceptance documents with owner, due date and state; the viewer's actions on them. */
export function docsCard(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  viewer: UserId | null,
  now: Date,
  timeZone: string,
): CardModel {
  const d = p.delivery;
  const header = { title: `验收资料 · ${p.facts.name}`, subtitle: p.regNo, color: 'blue' as const };
  const nameOf = (no: number) => def.documents.find((x) => x.no === no)?.name ?? String(no);
  if (!d.documents.length) {
    return {
      header,
      blocks: [{ type: 'rich', lines: ['实施人员指派后开始跟踪七项验收资料。'] }],
      actions: [],
      forms: [],
    };
  }
  const missing = missingDocuments(d);
  const items = d.documents.map((doc) => {
    const late = doc.link === null && doc.due.getTime() < now.getTime();
    const filledBy = def.documents.find((x) => x.no === doc.no)?.filledBy;
    const by = filledBy ? def.flows[p.facts.kind].tasks.find((t) => t.id === filledBy)?.name : undefined;
    const state: Span[] = doc.link
      ? [
          '已提交 ',
          ...spansOf(link('查看', doc.link)),
          doc.submittedAt ? ` ${formatTime(doc.submittedAt, timeZone)}` : '',
        ]
      : late
        ? [strong(`已逾期 ${Math.floor((now.getTime() - doc.due.getTime()) / DAY_MS)} 天`)]
        : [by ? `待「${by}」完成后自动登记` : '待提交'];
    const text: Span[] = [
      `${doc.no}.《${nameOf(doc.no)}》— `,
      ...state,
      ` · 截止 ${formatTime(doc.due, timeZone).slice(0, 10)} · 负责人 ${displayName(org, doc.owner)}`,
    ];
    return { text, checked: doc.link !== null };
  });
  const forms: CardForm[] = [];
  const team = viewer !== null && (d.team.implementers.includes(viewer) || d.team.pm === viewer);
  const open = p.state === 'accepted';
  if (open && team) {
    // One submit action per missing document filled by hand, so each row can be filled from the phone directly.
    for (const doc of missing) {
      if (def.documents.find((x) => x.no === doc.no)?.filledBy) continue;
      forms.push({
        name: `doc_${doc.no}_form`,
        fields: [
          {
            name: 'link',
            label: `${doc.no}.《${nameOf(doc.no)}》链接`,
            kind: 'text',
            required: true,
            placeholder: 'https://…',
          },
        ],
        submit: {
          label: `提交《${nameOf(doc.no)}》`,
          style: 'primary',
          value: { v: 1, type: 'doc', regNo: p.regNo, doc: doc.no },
        },
      });
    }
  }
  if (open && viewer !== null && viewer === d.team.pm) {
    forms.push({
      name: 'due_form',
      fields: [
        {
          name: 'doc',
          label: '资料',
          kind: 'select',
          required: true,
          options: d.documents.map((doc) => ({ value: String(doc.no), label: `${doc.no}.《${nameOf(doc.no)}》` })),
        },
        { name: 'date', label: '新的截止日期（YYYY-MM-DD）', kind: 'text', required: true },
        { name: 'owner', label: '负责人（可选，实施人员 id 或姓名）', kind: 'text', required: false },
      ],
      submit: { label: '调整截止日期', style: 'default', value: { v: 1, type: 'due', regNo: p.regNo } },
    });
  }
  const handover = openTasks(d).find((t) => taskDefOf(p, def, t)?.requiresDocuments && t.users?.includes(viewer ?? ''));
  const note =
    missing.length === 0 && handover
      ? [
          {
            type: 'note' as const,
            text: `资料已齐全，可在项目卡片上「${taskDefOf(p, def, handover)?.name}」（或发送 /handover ${p.regNo}）。`,
          },
        ]
      : [];
  return {
    header: { ...header, color: missing.length ? 'orange' : 'green' },
    blocks: [
      { type: 'checklist', title: `验收资料 ${d.documents.length - missing.length}/${d.documents.length}`, items },
      ...note,
      ...(p.state === 'closed' ? [{ type: 'note' as const, text: '项目已完成移交。' }] : []),
    ],
    actions: [],
    forms,
  };
}
