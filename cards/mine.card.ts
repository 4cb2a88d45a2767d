import type { CardModel } from './model';
import { strong } from './rich';

export interface MineItem {
  regNo: string;
  name: string;
  /** What is waiting: "销售主管审批", "被驳回，待重新提交" … */
  what: string;
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
    actions: items.slice(0, 10).map((i) => ({
      label: `查看 ${i.regNo}`,
      style: 'default' as const,
      value: { v: 1 as const, type: 'status', regNo: i.regNo },
    })),
    forms: [],
  };
}
