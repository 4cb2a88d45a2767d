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
}

export const ANY_REGION = '*';

/** The org file's role for the people told what only the org file can fix (a role nobody can lack or approve). */
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

export function displayName(org: OrgView, user: UserId): string {
  return org.users[user]?.name ?? user;
}

export function regionName(org: OrgView, region: string | null): string {
  if (region === null) return '';
  return org.regionNames[region] ?? region;
}
