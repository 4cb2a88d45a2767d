import { docsCard } from '../../cards/docs.card';
import { stepLabel } from '../../cards/labels';
import { type MineItem, mineCard } from '../../cards/mine.card';
import { newsCard, reminderCard } from '../../cards/news.card';
import { projectCard } from '../../cards/project.card';
import { registerFormCard } from '../../cards/register-form.card';
import { DOC_IDS, DOCUMENTS, openTasks, TASK_LABELS } from '../domain/lifecycle';
import { canActOnTask } from '../domain/lifecycle-transition';
import type { UserId } from '../domain/org';
import { currentStep } from '../domain/project';
import { isCurrentApprover } from '../domain/transition';
import type { OutboundContent } from '../platforms/types';
import type { AppDeps } from './deps';
import type { CardMessage } from './ports';
import type { View } from './views';

export interface Rendered {
  content: OutboundContent;
  /** For a project's cards: what to record so later changes update this message in place. */
  card?: Pick<CardMessage, 'regNo' | 'kind' | 'banner'> & { version: number };
}

const text = (t: string): Rendered => ({ content: { kind: 'text', text: t } });

/** Renders a stored view for one viewer from the current state. Synchronous: reads SQLite only. */
export function renderView(deps: AppDeps, view: View, viewer: UserId | null): Rendered {
  const org = deps.org.view();
  switch (view.type) {
    case 'text':
      return text(view.text);
    case 'registerForm':
      return { content: { kind: 'card', card: registerFormCard(org) } };
    case 'mine':
      return { content: { kind: 'card', card: mineCard(viewer ? mineItems(deps, viewer) : []) } };
    case 'reminder':
      return { content: { kind: 'card', card: reminderCard(view.title, view.lines) } };
    case 'news': {
      const p = deps.projects.get(view.regNo);
      return p
        ? { content: { kind: 'card', card: newsCard(p, org, deps.timeZone) } }
        : text(`项目 ${view.regNo} 不存在。`);
    }
    case 'docs': {
      const p = deps.projects.get(view.regNo);
      if (!p) return text(`项目 ${view.regNo} 不存在。`);
      return {
        content: { kind: 'card', card: docsCard(p, org, viewer, deps.clock.now(), deps.timeZone) },
        card: { regNo: p.regNo, kind: 'docs', banner: null, version: p.version },
      };
    }
    case 'project': {
      const p = deps.projects.get(view.regNo);
      if (!p) return text(`项目 ${view.regNo} 不存在。`);
      const banner = view.banner ?? null;
      return {
        content: { kind: 'card', card: projectCard({ project: p, org, viewer, banner }) },
        card: { regNo: p.regNo, kind: 'project', banner, version: p.version },
      };
    }
  }
}

/** Everything waiting on a user: steps and tasks they hold, documents they owe, rejected projects to resubmit. */
export function mineItems(deps: AppDeps, user: UserId): MineItem[] {
  const org = deps.org.view();
  const now = deps.clock.now();
  const items: MineItem[] = [];
  for (const p of deps.projects.listOpen()) {
    const step = currentStep(p);
    if (step && isCurrentApprover(p, user, org))
      items.push({ regNo: p.regNo, name: p.facts.name, what: stepLabel(step, org) });
  }
  for (const p of deps.projects.listDelivering()) {
    for (const t of openTasks(p.lifecycle)) {
      if (canActOnTask(t, user, org)) items.push({ regNo: p.regNo, name: p.facts.name, what: TASK_LABELS[t.kind] });
    }
    const docs = p.lifecycle.documents;
    if (!docs) continue;
    const owed = DOC_IDS.filter((d) => docs[d].owner === user && docs[d].link === null);
    const late = owed.filter((d) => docs[d].due.getTime() < now.getTime());
    if (owed.length) {
      const names = owed.map((d) => `《${DOCUMENTS[d - 1]}》`).join('');
      items.push({
        regNo: p.regNo,
        name: p.facts.name,
        what: `待提交验收资料 ${owed.length} 项${late.length ? `（逾期 ${late.length} 项）` : ''}：${names}`,
      });
    }
  }
  for (const p of deps.projects.listBySubmitter(user)) {
    if (p.state === 'rejected') items.push({ regNo: p.regNo, name: p.facts.name, what: '被驳回，待修改后重新提交' });
  }
  return items;
}
