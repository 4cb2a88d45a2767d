import { confirmCard } from '../../cards/confirm.card';
import { docsCard } from '../../cards/docs.card';
import { withDraft } from '../../cards/draft';
import { mineCard } from '../../cards/mine.card';
import { newsCard, reminderCard } from '../../cards/news.card';
import { operationsCard } from '../../cards/operations';
import { projectCard } from '../../cards/project.card';
import { raiseFormCard } from '../../cards/raise-form.card';
import { registerFormCard } from '../../cards/register-form.card';
import { supersededCard } from '../../cards/superseded.card';
import { isInvolved } from '../domain/around/involvement';
import { mayUrge } from '../domain/around/urge';
import { waitingItems } from '../domain/around/waiting';
import type { UserId } from '../domain/org';
import type { Project } from '../domain/project';
import type { OutboundContent } from '../platforms/types';
import type { AppDeps } from './deps';
import { mineItems } from './mine';
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
      return { content: { kind: 'card', card: withDraft(registerFormCard(org), view.draft) } };
    case 'mine':
      return { content: { kind: 'card', card: mineCard(viewer ? mineItems(deps, viewer) : []) } };
    case 'confirm':
      return { content: { kind: 'card', card: confirmCard(view.title, view.text, view.label, view.action) } };
    case 'reminder':
      return { content: { kind: 'card', card: reminderCard(view.title, view.lines) } };
    case 'news': {
      const p = deps.projects.get(view.regNo);
      return p
        ? { content: { kind: 'card', card: newsCard(p, org, deps.timeZone) } }
        : text(`项目 ${view.regNo} 不存在。`);
    }
    case 'superseded': {
      const p = deps.projects.get(view.regNo);
      return { content: { kind: 'card', card: supersededCard(view.regNo, p?.facts.name ?? '', view.kind) } };
    }
    case 'raiseForm': {
      const p = deps.projects.get(view.regNo);
      if (!p) return text(`项目 ${view.regNo} 不存在。`);
      const def = deps.processes.get(p.delivery.processVersion);
      const sd = def.subflows.find((s) => s.id === view.kind);
      if (!sd) return text(`当前流程没有「${view.kind}」。`);
      return { content: { kind: 'card', card: withDraft(raiseFormCard(p, sd, org), view.draft) } };
    }
    case 'ops': {
      const p = deps.projects.get(view.regNo);
      if (!p) return text(`项目 ${view.regNo} 不存在。`);
      const def = deps.processes.get(p.delivery.processVersion);
      return { content: { kind: 'card', card: operationsCard(p, def, org, viewer ?? '') } };
    }
    case 'docs': {
      const p = deps.projects.get(view.regNo);
      if (!p) return text(`项目 ${view.regNo} 不存在。`);
      return {
        content: {
          kind: 'card',
          card: withDraft(
            docsCard(p, deps.processes.get(p.delivery.processVersion), org, viewer, deps.clock.now(), deps.timeZone),
            view.draft,
          ),
        },
        card: { regNo: p.regNo, kind: 'docs', banner: null, version: p.version },
      };
    }
    case 'project': {
      const p = deps.projects.get(view.regNo);
      if (!p) return text(`项目 ${view.regNo} 不存在。`);
      const banner = view.banner ?? null;
      return {
        content: {
          kind: 'card',
          card: withDraft(
            projectCard({
              project: p,
              def: deps.processes.get(p.delivery.processVersion),
              org,
              timeZone: deps.timeZone,
              viewer,
              banner,
              full: view.full === true,
              activity: deps.activity.activity(p.regNo),
              ...(viewer ? { around: aroundFor(deps, p, viewer) } : {}),
            }),
            view.draft,
          ),
        },
        card: { regNo: p.regNo, kind: 'project', banner, version: p.version },
      };
    }
  }
}

/** Which operations around a step the viewer may use on the project card. */
function aroundFor(deps: AppDeps, p: Project, viewer: UserId) {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const waiting = waitingItems(p, def, org);
  return {
    comment: isInvolved(p, viewer, def, org, deps.activity.copied(p.regNo)),
    cc: waiting.some((w) => w.holders.includes(viewer)),
    urge: mayUrge(p, viewer) && waiting.some((w) => w.holders.length > 0),
  };
}
