import { STATE_LABELS, taskNameById } from '../../cards/labels';
import { displayName, type OrgView, regionName } from '../domain/org';
import type { ProjectState } from '../domain/project';
import { type ConsoleQueries, CYCLE_WINDOW_DAYS, type CycleRow, type StageCount, type TrendRow } from './console-ports';
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

  get<T>(key: string, now: number, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < CACHE_MS && now >= hit.at) return hit.value as T;
    const value = compute();
    this.entries.set(key, { at: now, value });
    return value;
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

export function stageBuckets(deps: AppDeps, q: ConsoleQueries): StageBucket[] {
  const org = deps.org.view();
  const by = new Map<string, StageBucket>();
  for (const r of q.stages()) {
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
export function buildOverview(deps: AppDeps, q: ConsoleQueries): Overview {
  const totals = Object.fromEntries(STATE_ORDER.map((s) => [s, 0])) as Record<ProjectState, number>;
  for (const t of q.totals()) totals[t.state as ProjectState] = t.n;
  return { at: deps.clock.now(), totals, stages: stageBuckets(deps, q) };
}

export function overdueReport(deps: AppDeps, q: ConsoleQueries, cache: ReportCache): Report['overdue'] {
  const now = deps.clock.now().getTime();
  const org = deps.org.view();
  const rows = cache.get('overdue', now, () => q.overdueByOwner(now));
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

export function cycleReport(deps: AppDeps, q: ConsoleQueries, cache: ReportCache): Report['cycle'] {
  const now = deps.clock.now().getTime();
  const org = deps.org.view();
  const def = deps.processes.current().def;
  const cyc = cache.get('cycle', now, () => ({ ...q.cycleTimes(now), approval: q.approvalTimes(now) }));
  return {
    stage: named(cyc.stage, (k) => taskLabel(deps, k)),
    region: named(cyc.region, (k) => regionName(org, k)),
    approver: named(cyc.approver, (k) => displayName(org, k)),
    approval: named(cyc.approval, (k) => def.roles[k]?.name ?? k),
    trend: cyc.trend,
  };
}

/** Everything (/stats): the overview, overdue documents, cycle times. */
export function buildReport(deps: AppDeps, q: ConsoleQueries, cache: ReportCache): Report {
  return { ...buildOverview(deps, q), overdue: overdueReport(deps, q, cache), cycle: cycleReport(deps, q, cache) };
}

export { CYCLE_WINDOW_DAYS };
