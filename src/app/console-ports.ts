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
  /**
   * Work this person holds: by name (task holders) or through these memberships — less what they may not decide:
   * reviews they are barred from as the submitter, and approval steps of projects they submitted unless the
   * project's process version is in `selfApprovalVersions` (those without `no_self_approval`).
   */
  person?: { user: string; memberships: { role: string; region: string }[]; selfApprovalVersions?: number[] };
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
  /**
   * Who may not decide it though they hold it (no self-approval): a review's barred submitter; for an approval step
   * the project's submitter, barred where its process has `no_self_approval`.
   */
  excluded: string | null;
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

type Async<T> = { [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never };

/**
 * What the console and /stats call: the same queries as promises, answered off the bot's thread (a worker with its
 * own read-only connection) where the database is a file. Exports keep the synchronous paged `rows`.
 */
export interface ConsoleReader extends Async<Omit<ConsoleQueries, 'rows'>> {
  rows: ConsoleQueries['rows'];
  close(): Promise<void>;
}
