import { membersOf, type OrgView, type UserId, withDelegates } from '../org';
import type { Project } from '../project';
import type { HolderDef, ProcessDefinition } from './definition';
import { holdersNow } from './hold';
import type { FieldValue, Subflow, TaskInstance } from './state';

/** Who holds a task instance: role members of a region, or named users. */
export interface Holding {
  role: string | null;
  region: string | null;
  users: UserId[] | null;
}

const asUsers = (v: FieldValue | undefined): UserId[] =>
  Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? [v] : [];

/** The region a role is held in for this project: the project's region when the role is split by region. */
export const roleRegion = (def: ProcessDefinition, role: string, p: Project): string | null =>
  def.roles[role]?.byRegion ? p.facts.region : null;

/**
 * Resolves a holder definition for a project (and, inside a subflow, its raiser and its answers).
 * Returns null when nobody can hold it (e.g. no PM assigned yet): the caller refuses with NO_ASSIGNEE.
 */
export function resolveHolder(
  h: HolderDef,
  p: Project,
  def: ProcessDefinition,
  answer: (ref: string) => FieldValue | undefined,
  subflow: Subflow | null,
): Holding | null {
  if ('role' in h) return { role: h.role, region: roleRegion(def, h.role, p), users: null };
  let users: UserId[];
  if ('answer' in h) users = asUsers(answer(h.answer));
  else if (h.team === 'pm') users = p.delivery.team.pm ? [p.delivery.team.pm] : [];
  else if (h.team === 'implementers') users = [...p.delivery.team.implementers];
  else if (h.team === 'submitter') users = [p.submitter];
  else users = subflow ? [subflow.raisedBy] : [];
  return users.length ? { role: null, region: null, users } : null;
}

/** The holders the definition gave a task instance (named users, or the role's members now). */
export function baseHoldersOfTask(t: Pick<TaskInstance, 'role' | 'region' | 'users'>, org: OrgView): UserId[] {
  if (t.users) return t.users;
  return t.role ? membersOf(org, t.role, t.region) : [];
}

/** Who holds a task now, before delegation: the definition's holders through its hold (transfer, signers). */
export const taskHoldersNow = (t: Pick<TaskInstance, 'role' | 'region' | 'users' | 'hold'>, org: OrgView): UserId[] =>
  holdersNow(baseHoldersOfTask(t, org), t.hold);

/** Who may act on a task now: its holders, each replaced by their delegate while a delegation runs. */
export function holdersOfTask(t: Pick<TaskInstance, 'role' | 'region' | 'users' | 'hold'>, org: OrgView): UserId[] {
  return withDelegates(org, taskHoldersNow(t, org));
}

export function canActOn(t: TaskInstance, user: UserId, org: OrgView): boolean {
  return t.state === 'open' && holdersOfTask(t, org).includes(user);
}

/** Whether `user` matches a holder definition of this project (who may raise a subflow). */
export function matchesHolder(h: HolderDef, user: UserId, p: Project, def: ProcessDefinition, org: OrgView): boolean {
  const held = resolveHolder(h, p, def, () => undefined, null);
  if (!held) return false;
  if ('role' in h) {
    // Raising is open to every member of the role, whatever region they sit in.
    return Object.values(org.members[h.role] ?? {}).some((list) => list.includes(user));
  }
  return baseHoldersOfTask(held, org).includes(user);
}
