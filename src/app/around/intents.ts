import type { Intent } from '../../commands/intents';
import { assertNever } from '../../domain/result';
import { type Actor, notFound, type Outcome } from '../commit';
import type { AppDeps } from '../deps';
import { approveAll } from './approve-all';
import { ccByHolder } from './cc';
import { comment } from './comment';
import { urge } from './urge';
import { whoForProject, whoForSample } from './who';

export type AroundIntent = Extract<Intent, { type: 'comment' | 'cc' | 'urge' | 'approveAll' | 'who' }>;

/** The operations around a step (comment, CC, urge, batch approve, who decides). In the caller's transaction. */
export function handleAroundIntent(deps: AppDeps, intent: AroundIntent, actor: Actor, at: Date): Outcome {
  switch (intent.type) {
    case 'approveAll':
      return approveAll(deps, actor, at);
    case 'who': {
      if (!intent.regNo) return whoForSample(deps, intent.sample ?? {});
      const p = deps.projects.get(intent.regNo);
      return p ? whoForProject(deps, p) : notFound(intent.regNo);
    }
    case 'comment':
    case 'cc':
    case 'urge': {
      const p = deps.projects.get(intent.regNo);
      if (!p) return notFound(intent.regNo);
      if (intent.type === 'comment') return comment(deps, p, intent.text, actor, at);
      if (intent.type === 'cc') return ccByHolder(deps, p, intent.person, actor, at);
      return urge(deps, p, actor, at);
    }
    default:
      return assertNever(intent);
  }
}
