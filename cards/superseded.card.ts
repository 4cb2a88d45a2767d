import type { CardModel } from './model';

/** An older copy of a project's card once a newer one was sent to the same person: locked, pointing onward. */
export function supersededCard(regNo: string, name: string, kind: 'project' | 'docs'): CardModel {
  const what = kind === 'docs' ? '验收资料清单' : '项目卡片';
  return {
    header: { title: name || regNo, subtitle: `${regNo} · 已更新`, color: 'grey' },
    blocks: [{ type: 'note', text: `此${what}已有更新，请查看下方最新的卡片，或发送 /status ${regNo}。` }],
    actions: [],
    forms: [],
  };
}
