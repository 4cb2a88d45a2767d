/** The admin console's and /stats' read side (implemented in src/store/console.queries.ts). Ids only, no names. */

export interface StageCount {
  state: string;
  kind: string;
  /** The approval step's role (in_approval) or the open task of the main flow (accepted); null otherwise. */
  stage: string | null;
  processVersion: number;
  n: number;
}

export interface WorkFilter {
  region?: string;
  role?: string;
  /** Work this person holds: by name (task holders) or through these memberships. */
  person?: { user: string; memberships: { role: string; region: string }[] };
}

export type WorkSort = 'since' | '-since' | 'reg_no' | 'role';

export interface HeldRow {
  k: 'step' | 'task';
  regNo: string;
  name: string;
  kind: 'project' | 'saas';
  projectRegion: string;
  processVersion: number;
  role: string | null;
  region: string | null;
  taskNo: number | null;
  defId: string | null;
  subflowNo: number | null;
  /** Named holders (task_holders), or [] when the role's members hold it. */
  holders: string[];
  since: number;
}

export interface OverdueRow {
  owner: string;
  region: string;
  n: number;
  oldestDue: number;
}

export interface CycleRow {
  key: string;
  n: number;
  avgMs: number;
}

export interface TrendRow {
  month: string;
  n: number;
  avgMs: number;
}

export interface TimelineRow {
  at: number;
  what: 'audit' | 'task_opened' | 'task_closed' | 'doc_submitted';
  role: string | null;
  action: string | null;
  actor: string | null;
  detail: string | null;
  taskNo: number | null;
  defId: string | null;
}

export interface AuditRow {
  id: number;
  regNo: string;
  round: number;
  stepIndex: number;
  role: string;
  action: string;
  taskId: number | null;
  actorId: string;
  actorName: string;
  reason: string | null;
  platform: string;
  at: number;
}

export type ExportTable = 'projects' | 'tasks' | 'documents' | 'audit';

/** How far back the cycle-time statistics look (the trend shows the months inside). */
export const CYCLE_WINDOW_DAYS = 365;

export interface OverdueDoc {
  regNo: string;
  name: string;
  region: string;
  docNo: number;
  owner: string;
  dueAt: number;
  processVersion: number;
}

export interface ConsoleQueries {
  stages(): StageCount[];
  totals(): { state: string; n: number }[];
  held(filter: WorkFilter, sort: WorkSort, limit: number, offset: number): { rows: HeldRow[]; total: number };
  overdueByOwner(now: number): OverdueRow[];
  overdueList(now: number, limit: number, offset: number): { rows: OverdueDoc[]; total: number };
  cycleTimes(now: number): { stage: CycleRow[]; region: CycleRow[]; approver: CycleRow[]; trend: TrendRow[] };
  approvalTimes(now: number): CycleRow[];
  project(regNo: string): Record<string, unknown> | null;
  timeline(regNo: string): TimelineRow[];
  audit(before: number | null, limit: number, regNo?: string): AuditRow[];
  auditCount(): number;
  rows(table: ExportTable): IterableIterator<Record<string, unknown>>;
}
