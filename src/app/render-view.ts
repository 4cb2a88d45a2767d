import { stepLabel } from '../../cards/labels';
import { type MineItem, mineCard } from '../../cards/mine.card';
import { projectCard } from '../../cards/project.card';
import { registerFormCard } from '../../cards/register-form.card';
import type { UserId } from '../domain/org';
import { currentStep } from '../domain/project';
import { isCurrentApprover } from '../domain/transition';
import type { OutboundContent } from '../platforms/types';
import type { AppDeps } from './deps';
import type { View } from './views';

export interface Rendered {
  content: OutboundContent;
  /** For project cards: the project version shown, to detect a card that went out stale. */
  project?: { regNo: string; version: number; banner: string | null };
}

/** Renders a stored view for one viewer from the current state. Synchronous: reads SQLite only. */
export function renderView(deps: AppDeps, view: View, viewer: UserId | null): Rendered {
  const org = deps.org.view();
  switch (view.type) {
    case 'text':
      return { content: { kind: 'text', text: view.text } };
    case 'registerForm':
      return { content: { kind: 'card', card: registerFormCard(org) } };
    case 'mine':
      return { content: { kind: 'card', card: mineCard(viewer ? mineItems(deps, viewer) : []) } };
    case 'project': {
      const project = deps.projects.get(view.regNo);
      if (!project) return { content: { kind: 'text', text: `项目 ${view.regNo} 不存在。` } };
      return {
        content: { kind: 'card', card: projectCard({ project, org, viewer, banner: view.banner ?? null }) },
        project: { regNo: project.regNo, version: project.version, banner: view.banner ?? null },
      };
    }
  }
}

/** Everything waiting on a user: steps they hold, and their rejected projects waiting for a resubmission. */
export function mineItems(deps: AppDeps, user: UserId): MineItem[] {
  const org = deps.org.view();
  const items: MineItem[] = [];
  for (const p of deps.projects.listOpen()) {
    const step = currentStep(p);
    if (step && isCurrentApprover(p, user, org))
      items.push({ regNo: p.regNo, name: p.facts.name, what: stepLabel(step, org) });
  }
  for (const p of deps.projects.listBySubmitter(user)) {
    if (p.state === 'rejected') items.push({ regNo: p.regNo, name: p.facts.name, what: '被驳回，待修改后重新提交' });
  }
  return items;
}
