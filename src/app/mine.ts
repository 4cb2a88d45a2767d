import { taskNameById } from '../../cards/labels';
import type { MineItem } from '../../cards/mine.card';
import { delegateOf, displayName, type OrgView, regionName, type UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { taskDef } from '../domain/process/tasks';
import { startTask } from '../domain/routing';
import { stepForm } from '../domain/transition';
import type { AppDeps } from './deps';
import type { Membership, WorkRow } from './ports';

/** The memberships a user holds; a region-split role given as one list counts in every region. */
export function membershipsOf(org: OrgView, user: UserId, def: ProcessDefinition): Membership[] {
  const out: Membership[] = [];
  for (const [role, byRegion] of Object.entries(org.members)) {
    for (const [region, users] of Object.entries(byRegion)) {
      if (!users.includes(user)) continue;
      if (region === '*' && def.roles[role]?.byRegion) for (const r of org.regions) out.push({ role, region: r });
      out.push({ role, region });
    }
  }
  return out;
}

/** The name of a waiting approval step: the route step held by the role, or the executing department's task. */
export function stepName(
  def: ProcessDefinition,
  kind: 'project' | 'saas',
  role: string,
  region: string | null,
  org: OrgView,
) {
  const step = def.approval.routes.flatMap((r) => r.steps).find((s) => s.role === role);
  const start = def.flows[kind].tasks.find((t) => t.id === def.flows[kind].start);
  const name = step?.name ?? start?.name ?? def.roles[role]?.name ?? role;
  return region && def.roles[role]?.byRegion ? `${name}（${regionName(org, region)}）` : name;
}

/** The name of a task from a work row (the same words as on the project card). */
export function taskNameOf(
  def: ProcessDefinition,
  row: Pick<WorkRow, 'kind' | 'what' | 'subflowKind' | 'subflowTitle' | 'subflowNo'>,
): string {
  const sub =
    row.subflowKind === null || row.subflowNo === null
      ? null
      : { kind: row.subflowKind, no: row.subflowNo, title: row.subflowTitle };
  return taskNameById(def, row.kind, row.what, sub);
}

/** Whether the approval step held by `role` asks for no form (so /approve-all may approve it). */
function stepAsksNoForm(def: ProcessDefinition, kind: 'project' | 'saas', role: string): boolean {
  const step = def.approval.routes.flatMap((r) => r.steps).find((s) => s.role === role);
  return !stepForm(step ? { kind: 'approval', step } : { kind: 'start', task: startTask(kind, def) });
}

/** Steps and tasks `holder` holds (through roles, names and holds), in words; `suffix` is added to each line. */
function heldItems(deps: AppDeps, org: OrgView, holder: UserId, suffix: string): MineItem[] {
  const current = deps.processes.current().def;
  const defOf = (v: number) => deps.processes.get(v);
  const memberships = membershipsOf(org, holder, current);
  const items: MineItem[] = [];
  for (const r of deps.work.heldSteps(memberships, holder)) {
    const def = defOf(r.processVersion);
    if (def.noSelfApproval && r.submitter === holder) continue;
    const quick = stepAsksNoForm(def, r.kind, r.what);
    const what = `${stepName(def, r.kind, r.what, r.region, org)}${suffix}`;
    items.push({ regNo: r.regNo, name: r.name, what, quick });
  }
  const seen = new Set<string>();
  for (const r of deps.work.heldTasks(holder, memberships)) {
    const key = `${r.regNo}#${r.no}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const def = defOf(r.processVersion);
    const spec = taskDef(def, { defId: r.what, subflow: r.subflowNo }, r.kind, r.subflowKind ?? undefined);
    const quick = spec?.decide === 'review' && !spec.form;
    items.push({ regNo: r.regNo, name: r.name, what: `${taskNameOf(def, r)}${suffix}`, quick });
  }
  return items;
}

/**
 * Everything waiting on a user: steps and tasks they hold (and those of people whose delegate they are now), documents
 * they owe, rejected projects to resubmit. Small indexed queries (never whole projects or audit logs), so it stays
 * fast for a busy person at 100k projects.
 */
export function mineItems(deps: AppDeps, user: UserId): MineItem[] {
  const org = deps.org.view();
  const now = deps.clock.now().getTime();
  const defOf = (v: number) => deps.processes.get(v);
  const items: MineItem[] = delegateOf(org, user) ? [] : heldItems(deps, org, user, '');
  for (const [person, delegate] of Object.entries(org.delegates ?? {})) {
    if (delegate === user && person !== user)
      items.push(...heldItems(deps, org, person, `（代 ${displayName(org, person)}）`));
  }
  const owed = new Map<string, WorkRow[]>();
  for (const r of deps.work.owedDocuments(user)) owed.set(r.regNo, [...(owed.get(r.regNo) ?? []), r]);
  for (const [regNo, docs] of owed) {
    const first = docs[0] as WorkRow;
    const def = defOf(first.processVersion);
    const late = docs.filter((d) => d.since.getTime() < now).length;
    const names = docs.map((d) => `《${def.documents.find((x) => x.no === d.no)?.name ?? d.no}》`).join('');
    const lateText = late ? `（逾期 ${late} 项）` : '';
    items.push({ regNo, name: first.name, what: `待提交验收资料 ${docs.length} 项${lateText}：${names}` });
  }
  for (const r of deps.work.rejectedBy(user))
    items.push({ regNo: r.regNo, name: r.name, what: '被驳回，待修改后重新提交' });
  return items;
}
