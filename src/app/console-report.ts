import { STATE_LABELS, taskNameById } from '../../cards/labels';
import { displayName, type OrgView, regionName } from '../domain/org';
import type { ProjectState } from '../domain/project';
import { type ConsoleReader, CYCLE_WINDOW_DAYS, type CycleRow, type StageCount, type TrendRow } from './console-ports';
import type { AppDeps } from './deps';
import { stepName } from './mine';

/**
 * The console's numbers with names: the same figures for the pages at /admin and for /stats in chat. The heavy
 * aggregates (cycle times, overdue by owner) are cached for CACHE_MS: a report a minute old is still true enough,
 * and a page reload must not re-scan 700k task rows.
 */
export const CACHE_MS = 60_000;

export interface StageBucket {
  label: string;
  state: ProjectState;
  project: number;
  saas: number;
}

export interface NamedCycle {
  label: string;
  n: number;
  days: number;
}

export interface Overview {
  at: Date;
  totals: Record<ProjectState, number>;
  stages: StageBucket[];
}

export interface Report extends Overview {
  overdue: {
    total: number;
    byRegion: { label: string; n: number }[];
    byOwner: { label: string; region: string; n: number; oldestDue: number }[];
  };
  cycle: {
    stage: NamedCycle[];
    region: NamedCycle[];
    approver: NamedCycle[];
    approval: NamedCycle[];
    trend: TrendRow[];
  };
}

const DAY = 86_400_000;
const days = (ms: number) => Math.round((ms / DAY) * 10) / 10;
const STATE_ORDER: ProjectState[] = ['in_approval', 'accepted', 'closed', 'rejected', 'withdrawn'];

export class ReportCache {
  private readonly entries = new Map<string, { at: number; value: unknown }>();

  /** The pending or settled answer of `compute` (a failed one is forgotten, so the next call asks again). */
  get<T>(key: string, now: number, compute: () => Promise<T>): Promise<T> {
    const hit = this.fresh<T>(key, now);
    if (hit) return hit;
    const value = compute();
    this.entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** The cached promise for `key` when it is younger than CACHE_MS. */
  fresh<T>(key: string, now: number): Promise<T> | undefined {
    const hit = this.entries.get(key);
    return hit && now - hit.at < CACHE_MS && now >= hit.at ? (hit.value as Promise<T>) : undefined;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The names of the process stages a StageCount row stands for. */
function stageLabel(deps: AppDeps, org: OrgView, r: StageCount): string {
  const state = r.state as ProjectState;
  if (r.stage === null) return STATE_LABELS[state] ?? r.state;
  const def = deps.processes.get(r.processVersion);
  const kind = r.kind === 'saas' ? 'saas' : 'project';
  if (state === 'in_approval') return `审批：${stepName(def, kind, r.stage, null, org)}`;
  return `实施：${taskNameById(def, kind, r.stage, null)}`;
}

export async function stageBuckets(deps: AppDeps, q: ConsoleReader): Promise<StageBucket[]> {
  const org = deps.org.view();
  const by = new Map<string, StageBucket>();
  for (const r of await q.stages()) {
    const label = stageLabel(deps, org, r);
    const b = by.get(label) ?? { label, state: r.state as ProjectState, project: 0, saas: 0 };
    if (r.kind === 'saas') b.saas += r.n;
    else b.project += r.n;
    by.set(label, b);
  }
  return [...by.values()].sort(
    (a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || b.project + b.saas - (a.project + a.saas),
  );
}

/** A task's name in the current process (cycle rows carry the def id only). */
function taskLabel(deps: AppDeps, defId: string): string {
  const def = deps.processes.current().def;
  for (const kind of ['project', 'saas'] as const) {
    const name = taskNameById(def, kind, defId, null);
    if (name !== defId) return name;
  }
  for (const v of [1, deps.processes.current().version]) {
    try {
      const older = deps.processes.get(v);
      const name = taskNameById(older, 'project', defId, null);
      if (name !== defId) return name;
    } catch {
      // an unknown version: keep the id
    }
  }
  return defId;
}

const named = (rows: CycleRow[], label: (k: string) => string): NamedCycle[] =>
  rows.map((r) => ({ label: label(r.key), n: r.n, days: days(r.avgMs) }));

/** Totals and stages only (the overview page): index-only counts, no cached aggregates. */
export async function buildOverview(deps: AppDeps, q: ConsoleReader): Promise<Overview> {
  const totals = Object.fromEntries(STATE_ORDER.map((s) => [s, 0])) as Record<ProjectState, number>;
  const at = deps.clock.now();
  const [rows, stages] = await Promise.all([q.totals(), stageBuckets(deps, q)]);
  for (const t of rows) totals[t.state as ProjectState] = t.n;
  return { at, totals, stages };
}

export async function overdueReport(deps: AppDeps, q: ConsoleReader, cache: ReportCache): Promise<Report['overdue']> {
  const now = deps.clock.now().getTime();
  const rows = await cache.get('overdue', now, () => q.overdueByOwner(now));
  const org = deps.org.view();
  const byRegion = new Map<string, number>();
  for (const r of rows) byRegion.set(r.region, (byRegion.get(r.region) ?? 0) + r.n);
  return {
    total: rows.reduce((s, r) => s + r.n, 0),
    byRegion: [...byRegion].map(([r, n]) => ({ label: regionName(org, r), n })),
    byOwner: rows.map((r) => ({
      label: displayName(org, r.owner),
      region: regionName(org, r.region),
      n: r.n,
      oldestDue: r.oldestDue,
    })),
  };
}

export async function cycleReport(deps: AppDeps, q: ConsoleReader, cache: ReportCache): Promise<Report['cycle']> {
  const now = deps.clock.now().getTime();
  const cyc = await cache.get('cycle', now, async () => {
    const [times, approval] = await Promise.all([q.cycleTimes(now), q.approvalTimes(now)]);
    return { ...times, approval };
  });
  const org = deps.org.view();
  const def = deps.processes.current().def;
  return {
    stage: named(cyc.stage, (k) => taskLabel(deps, k)),
    region: named(cyc.region, (k) => regionName(org, k)),
    approver: named(cyc.approver, (k) => displayName(org, k)),
    approval: named(cyc.approval, (k) => def.roles[k]?.name ?? k),
    trend: cyc.trend,
  };
}

/** Everything (/stats): the overview, overdue documents, cycle times. */
export async function buildReport(deps: AppDeps, q: ConsoleReader, cache: ReportCache): Promise<Report> {
  const [overview, overdue, cycle] = await Promise.all([
    buildOverview(deps, q),
    overdueReport(deps, q, cache),
    cycleReport(deps, q, cache),
  ]);
  return { ...overview, overdue, cycle };
}

export { CYCLE_WINDOW_DAYS };
