import { DOC_IDS, DOCUMENTS, missingDocuments, openTasks } from '../src/domain/lifecycle';
import { displayName, type OrgView, type UserId } from '../src/domain/org';
import type { Project } from '../src/domain/project';
import { formatTime } from './labels';
import type { CardForm, CardModel, Span } from './model';
import { link, spansOf, strong } from './rich';

const DAY_MS = 86_400_000;

/** `/docs`: the seven acceptance documents with owner, due date and state; the viewer's actions on them. */
export function docsCard(p: Project, org: OrgView, viewer: UserId | null, now: Date, timeZone: string): CardModel {
  const l = p.lifecycle;
  const header = { title: `验收资料 · ${p.facts.name}`, subtitle: p.regNo, color: 'blue' as const };
  if (!l.documents) {
    return {
      header,
      blocks: [{ type: 'rich', lines: ['实施人员指派后开始跟踪七项验收资料。'] }],
      actions: [],
      forms: [],
    };
  }
  const docs = l.documents;
  const missing = missingDocuments(l);
  const items = DOC_IDS.map((d) => {
    const doc = docs[d];
    const late = doc.link === null && doc.due.getTime() < now.getTime();
    const state: Span[] = doc.link
      ? [
          '已提交 ',
          ...spansOf(link('查看', doc.link)),
          doc.submittedAt ? ` ${formatTime(doc.submittedAt, timeZone)}` : '',
        ]
      : late
        ? [strong(`已逾期 ${Math.floor((now.getTime() - doc.due.getTime()) / DAY_MS)} 天`)]
        : ['待提交'];
    const text: Span[] = [
      `${d}.《${DOCUMENTS[d - 1]}》— `,
      ...state,
      ` · 截止 ${formatTime(doc.due, timeZone).slice(0, 10)} · 负责人 ${displayName(org, doc.owner)}`,
    ];
    return { text, checked: doc.link !== null };
  });
  const forms: CardForm[] = [];
  const team = viewer !== null && (l.implementers.includes(viewer) || l.pm === viewer);
  const open = p.state === 'accepted';
  if (open && team) {
    // One submit action per missing document, so each row of the checklist can be filled from the phone directly.
    for (const d of missing) {
      forms.push({
        name: `doc_${d}_form`,
        fields: [
          {
            name: 'link',
            label: `${d}.《${DOCUMENTS[d - 1]}》链接`,
            kind: 'text',
            required: true,
            placeholder: 'https://…',
          },
        ],
        submit: {
          label: `提交《${DOCUMENTS[d - 1]}》`,
          style: 'primary',
          value: { v: 1, type: 'doc', regNo: p.regNo, doc: d },
        },
      });
    }
  }
  if (open && viewer !== null && viewer === l.pm) {
    forms.push({
      name: 'due_form',
      fields: [
        {
          name: 'doc',
          label: '资料',
          kind: 'select',
          required: true,
          options: DOC_IDS.map((d) => ({ value: String(d), label: `${d}.《${DOCUMENTS[d - 1]}》` })),
        },
        { name: 'date', label: '新的截止日期（YYYY-MM-DD）', kind: 'text', required: true },
        { name: 'owner', label: '负责人（可选，实施人员 id 或姓名）', kind: 'text', required: false },
      ],
      submit: { label: '调整截止日期', style: 'default', value: { v: 1, type: 'due', regNo: p.regNo } },
    });
  }
  const handoverOpen = openTasks(l).some((t) => t.kind === 'handover' || t.kind === 'handover_cs');
  if (open && viewer !== null && l.implementers.includes(viewer) && missing.length === 0 && !handoverOpen) {
    forms.push({
      name: 'handover_form',
      fields: [
        {
          name: 'operated',
          label: '是否为需运营服务的项目（先交接客户成功部）',
          kind: 'select',
          required: true,
          options: [
            { value: 'no', label: '否，直接移交售后运维部' },
            { value: 'yes', label: '是，先交接客户成功部' },
          ],
          initial: 'no',
        },
      ],
      submit: { label: '申请移交', style: 'primary', value: { v: 1, type: 'handover', regNo: p.regNo } },
    });
  }
  return {
    header: { ...header, color: missing.length ? 'orange' : 'green' },
    blocks: [
      { type: 'checklist', title: `验收资料 ${7 - missing.length}/7`, items },
      ...(p.state === 'closed' ? [{ type: 'note' as const, text: '项目已完成移交。' }] : []),
    ],
    actions: [],
    forms,
  };
}
