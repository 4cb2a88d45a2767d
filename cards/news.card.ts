import { displayName, type OrgView } from '../src/domain/org';
import type { Project } from '../src/domain/project';
import { formatTime, kindLabel } from './labels';
import type { CardModel } from './model';

/** 项目已完成移交: the news post for the group chats (PROCESS.md §5). */
export function newsCard(p: Project, org: OrgView, timeZone: string): CardModel {
  const l = p.delivery;
  const team = [
    `责任销售 ${displayName(org, p.submitter)}`,
    ...(l.team.pm ? [`区域项目经理 ${displayName(org, l.team.pm)}`] : []),
    ...(l.team.implementers.length ? [`实施 ${l.team.implementers.map((u) => displayName(org, u)).join('、')}`] : []),
  ].join('，');
  const handedOverBy = [...p.history].reverse().find((d) => d.action === 'approve' && d.task !== null);
  return {
    header: { title: `项目已完成移交：${p.facts.name}`, subtitle: p.regNo, color: 'green' },
    blocks: [
      {
        type: 'fields',
        fields: [
          { label: '项目', value: `${p.facts.name}（${kindLabel(p)}）` },
          { label: '客户', value: p.facts.customer },
          { label: '区域', value: org.regionNames[p.facts.region] ?? p.facts.region },
          { label: '项目团队', value: team },
          { label: '登记日期', value: formatTime(p.createdAt, timeZone).slice(0, 10) },
          { label: '移交日期', value: l.closedAt ? formatTime(l.closedAt, timeZone).slice(0, 10) : '' },
          ...(handedOverBy ? [{ label: '接收', value: displayName(org, handedOverBy.by) }] : []),
        ],
      },
      { type: 'note', text: '祝贺项目组！后续售后支持请联系售后运维部。' },
    ],
    actions: [],
    forms: [],
  };
}

/** A reminder card: one line per overdue item. */
export function reminderCard(title: string, lines: string[]): CardModel {
  return {
    header: { title, subtitle: `${lines.length} 项`, color: 'orange' },
    blocks: [{ type: 'rich', lines: lines.map((l) => `• ${l}`) }],
    actions: [],
    forms: [],
  };
}
