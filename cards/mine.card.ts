import type { CardModel } from './model';
import { strong } from './rich';

export interface MineItem {
  regNo: string;
  name: string;
  /** What is waiting: "销售主管审批", "被驳回，待重新提交" … */
  what: string;
  /** An approval step or review that asks for no form: the 全部同意 button (/approve-all) approves it. */
  quick?: boolean;
}

/** `/mine`: everything waiting on the viewer, each with a button that shows the project card. */
export function mineCard(items: MineItem[]): CardModel {
  return {
    header: { title: '我的待办', subtitle: `${items.length} 项`, color: items.length ? 'orange' : 'green' },
    blocks: [
      items.length
        ? { type: 'rich', lines: items.map((i) => ['• ', strong(i.regNo), ` ${i.name} — ${i.what}`]) }
        : { type: 'rich', lines: ['暂时没有等待你处理的事项。'] },
    ],
    actions: [
      ...approveAllButton(items),
      ...items.slice(0, 10).map((i) => ({
        label: `查看 ${i.regNo}`,
        style: 'default' as const,
        value: { v: 1 as const, type: 'status' as const, regNo: i.regNo },
      })),
    ],
    forms: [],
  };
}

function approveAllButton(items: MineItem[]) {
  const n = items.filter((i) => i.quick).length;
  if (!n) return [];
  return [
    { label: `全部同意（${n} 项）`, style: 'primary' as const, value: { v: 1 as const, type: 'approveAll' as const } },
  ];
}
