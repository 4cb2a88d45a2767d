import type { OrgView, UserId } from '../org';
import type { ProcessDefinition } from '../process/definition';
import type { Project } from '../project';
import { configuredCc } from './cc';
import { waitingItems } from './waiting';

/**
 * Who is involved in a project (and so may comment on it): the submitter, everyone who acted on it (past holders),
 * the current holders, the delivery team, the people the definition copies and those a holder copied (`copied`).
 */
export function isInvolved(
  p: Project,
  user: UserId,
  def: ProcessDefinition,
  org: OrgView,
  copied: readonly UserId[],
): boolean {
  if (user === p.submitter || copied.includes(user)) return true;
  if (p.history.some((d) => d.by === user)) return true;
  if (p.delivery.team.pm === user || p.delivery.team.implementers.includes(user)) return true;
  if (p.delivery.tasks.some((t) => t.closedBy === user)) return true;
  if (waitingItems(p, def, org).some((w) => w.holders.includes(user))) return true;
  return configuredCc(p, def, org).includes(user);
}

/** The people who hold what the project waits on now (they are told of a comment). */
export function currentHolders(p: Project, def: ProcessDefinition, org: OrgView): UserId[] {
  return [...new Set(waitingItems(p, def, org).flatMap((w) => w.holders))];
}
