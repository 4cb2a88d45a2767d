/** Roles of the delivery process (PROCESS.md). */
export const ROLES = [
  'sales',
  'sales_lead',
  'special_approver',
  'commercial_reviewer',
  'project_director',
  'regional_pm',
  'implementer',
  'product_manager',
  'customer_success',
  'after_sales',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  sales: '责任销售',
  sales_lead: '销售主管',
  special_approver: '特批领导',
  commercial_reviewer: '商务审批',
  project_director: '项目总监',
  regional_pm: '区域项目经理',
  implementer: '实施人员',
  product_manager: '产品管理部',
  customer_success: '客户成功部',
  after_sales: '售后运维部',
};

export type UserId = string;

/**
 * A read-only snapshot of the organisation, as plain data so the workflow stays pure.
 * `members[role][region]` lists the users; the region key `*` holds users of a role that is not split by region.
 */
export interface OrgView {
  users: Record<UserId, { name: string }>;
  members: Partial<Record<Role, Record<string, UserId[]>>>;
  regions: string[];
  /** Display names of regions (e.g. north → 北方); falls back to the id. */
  regionNames: Record<string, string>;
}

export const ANY_REGION = '*';

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
