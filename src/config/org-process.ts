import { ADMIN_ROLE, ANY_REGION, type OrgView, type Role } from '../domain/org';
import type { FormDef, HolderDef, ProcessDefinition, TaskDef, TimeoutDef } from '../domain/process/definition';
import { type OrgFile, regionsOf } from './org-file';

/** Problems that do not stop start-up start with this prefix; every other problem is an error. */
export const WARNING = 'warning: ';
export const isWarning = (problem: string): boolean => problem.startsWith(WARNING);

/** Every role a definition needs people for, with the first key path that needs it. */
export function rolesNeeded(def: ProcessDefinition): Map<string, string> {
  const needed = new Map<string, string>();
  const need = (role: string, path: string) => {
    if (!needed.has(role)) needed.set(role, path);
  };
  const form = (f: FormDef | undefined, path: string) =>
    f?.fields.forEach((x, i) => {
      if (x.role !== undefined) need(x.role, `${path}.fields.${i}.role`);
    });
  const holder = (h: HolderDef, path: string) => {
    if ('role' in h) need(h.role, `${path}.role`);
  };
  /** The roles a step copies (cc) and escalates or transfers to on a timeout. */
  const around = (s: { cc?: HolderDef[]; timeout?: TimeoutDef }, path: string) => {
    s.cc?.forEach((h, k) => {
      holder(h, `${path}.cc.${k}`);
    });
    if (s.timeout?.escalate) need(s.timeout.escalate, `${path}.timeout.escalate`);
    if (s.timeout?.transfer) need(s.timeout.transfer, `${path}.timeout.transfer`);
  };
  const tasks = (list: TaskDef[], base: string) =>
    list.forEach((t, i) => {
      holder(t.holder, `${base}.${i}.holder`);
      form(t.form, `${base}.${i}.form`);
      around(t, `${base}.${i}`);
    });
  need(def.registrar, 'registrar');
  for (const [i, r] of def.approval.routes.entries()) {
    for (const [j, s] of r.steps.entries()) {
      need(s.role, `approval.routes.${i}.steps.${j}.role`);
      form(s.form, `approval.routes.${i}.steps.${j}.form`);
      around(s, `approval.routes.${i}.steps.${j}`);
    }
  }
  for (const kind of ['project', 'saas'] as const) tasks(def.flows[kind].tasks, `flows.${kind}.tasks`);
  def.subflows.forEach((s, i) => {
    for (const [j, h] of s.raise.entries()) holder(h, `subflows.${i}.raise.${j}`);
    form(s.form, `subflows.${i}.form`);
    tasks(s.steps, `subflows.${i}.steps`);
  });
  return needed;
}

/**
 * The org file against the process definitions in use (the current one and any that projects are still pinned to).
 * Errors: a role a process needs has no members; a role split by region lacks a region the org uses; a role not
 * split by region is given per region. Warnings: roles no process knows.
 */
export function checkOrgAgainstProcess(org: OrgFile, defs: ProcessDefinition[]): string[] {
  const out: string[] = [];
  const regions = regionsOf(org);
  const known = new Set(defs.flatMap((d) => Object.keys(d.roles)));
  const checked = new Set<string>();
  for (const def of defs) {
    for (const [role, usedAt] of rolesNeeded(def)) {
      if (checked.has(role)) continue;
      checked.add(role);
      const members = org.roles[role];
      const label = def.roles[role]?.name ?? role;
      const byRegion = defs.some((d) => d.roles[role]?.byRegion);
      if (members === undefined || (Array.isArray(members) && members.length === 0)) {
        out.push(`roles.${role}: the process needs ${role} (${label}) at ${usedAt}, but it has no members`);
      } else if (!Array.isArray(members)) {
        if (!byRegion) {
          out.push(
            `roles.${role}: ${role} (${label}) is not split by region in the process: give one list of user ids`,
          );
          continue;
        }
        for (const region of regions) {
          if (!members[region]?.length)
            out.push(
              `roles.${role}.${region}: ${role} (${label}) is split by region and region "${region}" has no members (or give one list for every region)`,
            );
        }
      }
    }
  }
  for (const role of Object.keys(org.roles)) {
    // `admin` is the org's own role (told what only the org file can fix), not a process role.
    if (role !== ADMIN_ROLE && !known.has(role))
      out.push(`${WARNING}roles.${role}: no process knows this role (roles are: ${[...known].join(', ')})`);
  }
  return out;
}

/** The org file as the domain's read-only OrgView (what the org repo serves from SQLite after loading it). */
export function orgView(org: OrgFile): OrgView {
  const view: OrgView = { users: {}, members: {}, regions: regionsOf(org), regionNames: {} };
  for (const u of org.users) view.users[u.id] = { name: u.name };
  for (const [role, members] of Object.entries(org.roles)) {
    view.members[role as Role] = Array.isArray(members) ? { [ANY_REGION]: members } : { ...members };
  }
  for (const r of view.regions) view.regionNames[r] = org.region_names?.[r] ?? r;
  return view;
}
