/** A role id of the process definition (an open set; display names live in the definition). */
export type Role = string;

export type UserId = string;

/**
 * A read-only snapshot of the organisation, as plain data so the workflow stays pure.
 * `members[role][region]` lists the users; the region key `*` holds users of a role that is not split by region.
 */
export interface OrgView {
  users: Record<UserId, { name: string }>;
  members: Record<Role, Record<string, UserId[]>>;
  regions: string[];
  /** Display names of regions (e.g. north → 北方); falls back to the id. */
  regionNames: Record<string, string>;
  /** Delegations (代理) running now: person → the delegate who receives and decides their steps meanwhile. */
  delegates?: Record<UserId, UserId>;
}

export const ANY_REGION = '*';

/**
 * The org file's role for the people told what only the org file can fix (a role nobody can lack or approve); admins
 * may also set a delegation for someone on leave.
 */
export const ADMIN_ROLE = 'admin';

/** Everyone holding the `admin` role (any region). */
export function adminsOf(org: OrgView): UserId[] {
  return [...new Set(Object.values(org.members[ADMIN_ROLE] ?? {}).flat())];
}

/** Users holding `role` for `region`: the region's own list, else the role's region-independent list. */
export function membersOf(org: OrgView, role: Role, region: string | null): UserId[] {
  const byRegion = org.members[role];
  if (!byRegion) return [];
  if (region !== null && byRegion[region]) return byRegion[region] ?? [];
  return byRegion[ANY_REGION] ?? [];
}

export function holdsRole(org: OrgView, user: UserId, role: Role): boolean {
  const byRegion = org.members[role];
  if (!byRegion) return false;
  return Object.values(byRegion).some((list) => list.includes(user));
}

/** The actor of what the bot does by itself (a step's timeout): audit lines and history show it as 系统. */
export const SYSTEM_ACTOR = 'system';

export function displayName(org: OrgView, user: UserId): string {
  return org.users[user]?.name ?? (user === SYSTEM_ACTOR ? '系统' : user);
}

export function regionName(org: OrgView, region: string | null): string {
  if (region === null) return '';
  return org.regionNames[region] ?? region;
}

/** The delegate acting for `user` now, if any. */
export const delegateOf = (org: OrgView, user: UserId): UserId | null => org.delegates?.[user] ?? null;

/** Holders with delegation applied: a person on leave is replaced by their delegate (who may act for them). */
export function withDelegates(org: OrgView, users: UserId[]): UserId[] {
  if (!org.delegates) return users;
  return [...new Set(users.map((u) => org.delegates?.[u] ?? u))];
}

/**
 * Whom `by` acts as on a step held by `holders` (before delegation): themselves when they hold it, else the holder
 * whose delegate they are (the audit row then says "by 代 holder"); null when they may not act.
 */
export function actingAs(
  org: OrgView,
  holders: UserId[],
  by: UserId,
): { as: UserId; onBehalfOf: UserId | null } | null {
  if (holders.includes(by) && !org.delegates?.[by]) return { as: by, onBehalfOf: null };
  const principal = holders.find((u) => org.delegates?.[u] === by);
  return principal ? { as: principal, onBehalfOf: principal } : null;
}
