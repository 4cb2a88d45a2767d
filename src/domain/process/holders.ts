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

type Held = Pick<TaskInstance, 'role' | 'region' | 'users' | 'hold' | 'barred'>;

/** The submitter barred from deciding the task (no self-approval) is never among its holders. */
const unbarred = (t: Pick<TaskInstance, 'barred'>, users: UserId[]): UserId[] =>
  t.barred === undefined ? users : users.filter((u) => u !== t.barred);

/** The holders the definition gave a task instance (named users, or the role's members now), less the barred one. */
export function baseHoldersOfTask(
  t: Pick<TaskInstance, 'role' | 'region' | 'users' | 'barred'>,
  org: OrgView,
): UserId[] {
  return unbarred(t, t.users ?? (t.role ? membersOf(org, t.role, t.region) : []));
}

/**
 * Who holds a task now, before delegation: the definition's holders through its hold (transfer, signers). THE holder
 * function of a task (cards, /mine, nudges, timeouts and acting all read it): the barred submitter is never in it.
 */
export const taskHoldersNow = (t: Held, org: OrgView): UserId[] =>
  unbarred(t, holdersNow(baseHoldersOfTask(t, org), t.hold));

/** Who may act on a task now: its holders, each replaced by their delegate while a delegation runs. */
export function holdersOfTask(t: Held, org: OrgView): UserId[] {
  // A holder who delegated to the submitter does not make the submitter a decider of their own project.
  return unbarred(t, withDelegates(org, taskHoldersNow(t, org)));
}

export function canActOn(t: TaskInstance, user: UserId, org: OrgView): boolean {
  return t.state === 'open' && holdersOfTask(t, org).includes(user);
}

/** The task's holders were the submitter not barred from it (to tell why they may not act, or why nobody may). */
const withoutBar = ({ barred: _, ...t }: Held): Held => t;

/** `user` would hold this open task but is the submitter barred from deciding it (no self-approval). */
export const barredFrom = (t: TaskInstance, user: UserId, org: OrgView): boolean =>
  t.state === 'open' && t.barred === user && holdersOfTask(withoutBar(t), org).includes(user);

/** Nobody may act on the task only because its one holder is the submitter barred from it. */
export const onlyBarredHolds = (t: Held, org: OrgView): boolean =>
  t.barred !== undefined && holdersOfTask(t, org).length === 0 && holdersOfTask(withoutBar(t), org).length > 0;

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
