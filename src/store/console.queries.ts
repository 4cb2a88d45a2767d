import type Database from 'better-sqlite3';
import {
  type AuditRow,
  type ConsoleQueries,
  CYCLE_WINDOW_DAYS,
  type CycleRow,
  type ExportTable,
  type HeldRow,
  type OverdueDoc,
  type OverdueRow,
  type StageCount,
  type TimelineRow,
  type TrendRow,
  type WorkFilter,
  type WorkSort,
} from '../app/console-ports';
import type { DB } from './db';

/**
 * The admin console's and /stats' numbers: plain aggregate SQL over the normalized tables (projects, tasks,
 * task_holders, documents, audit_log). Lists are paged (LIMIT/OFFSET over an indexed order); exports walk rows with
 * `iterate()`, so 100k projects never sit in memory at once. Rows carry ids only: names come from the org and the
 * process definition at render time.
 */

const EXPORT_PAGE = 1000;

const SORTS: Record<WorkSort, string> = {
  since: 'since asc, k, id',
  '-since': 'since desc, k, id',
  reg_no: 'reg_no asc, k, id',
  role: 'role asc, since asc, k, id',
};

export class SqliteConsoleQueries implements ConsoleQueries {
  private readonly c: Database.Database;
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: Pick<DB, '$client'>) {
    this.c = db.$client;
    this.s = prepare(this.c);
  }

  /** Projects by state and kind; approval by step role, delivery by the open task of the main flow. */
  stages(): StageCount[] {
    const rows = this.s.stages.all() as { state: string; kind: string; stage: string | null; pv: number; n: number }[];
    return rows.map((r) => ({ state: r.state, kind: r.kind, stage: r.stage, processVersion: r.pv, n: r.n }));
  }

  totals(): { state: string; n: number }[] {
    return this.s.totals.all() as { state: string; n: number }[];
  }

  /** Who holds what since when: approval steps and open tasks, filtered, sorted, paged. */
  held(filter: WorkFilter, sort: WorkSort, limit: number, offset: number): { rows: HeldRow[]; total: number } {
    // Sorted by time, each side walks its own (state, time) index and stops after offset + limit rows.
    const top = sort === 'since' || sort === '-since' ? { desc: sort === '-since', n: offset + limit } : null;
    const { sql, params } = heldSql(filter, top);
    const rows = this.c
      .prepare(`select * from (${sql}) order by ${SORTS[sort]} limit ? offset ?`)
      .all(...params, limit, offset) as (Omit<HeldRow, 'holders'> & { holders: string | null; id: number })[];
    const counted = heldSql(filter, null);
    const total = (this.c.prepare(`select count(*) as n from (${counted.sql})`).get(...counted.params) as { n: number })
      .n;
    return {
      rows: rows.map(({ id: _id, holders, ...r }) => ({ ...r, holders: holders ? holders.split('\u001f') : [] })),
      total,
    };
  }

  /** Missing documents past due, of projects in delivery, by owner and project region. */
  overdueByOwner(now: number): OverdueRow[] {
    return this.s.overdueByOwner.all(now) as OverdueRow[];
  }

  overdueList(now: number, limit: number, offset: number): { rows: OverdueDoc[]; total: number } {
    const rows = this.s.overdueList.all(now, limit, offset) as OverdueDoc[];
    const total = (this.s.overdueCount.get(now) as { n: number }).n;
    return { rows, total };
  }

  /** Average time from opened to closed of tasks closed in the window, by task, by project region, by who closed it. */
  cycleTimes(now: number): { stage: CycleRow[]; region: CycleRow[]; approver: CycleRow[]; trend: TrendRow[] } {
    const since = now - CYCLE_WINDOW_DAYS * 86_400_000;
    return {
      stage: this.s.cycleStage.all(since) as CycleRow[],
      region: this.s.cycleRegion.all(since) as CycleRow[],
      approver: this.s.cycleApprover.all(since) as CycleRow[],
      trend: this.s.cycleTrend.all(since) as TrendRow[],
    };
  }

  /** Approval steps (the chain before delivery): time from the previous decision to this one, by role. */
  approvalTimes(now: number): CycleRow[] {
    return this.s.approvalTimes.all(now - CYCLE_WINDOW_DAYS * 86_400_000) as CycleRow[];
  }

  project(regNo: string): Record<string, unknown> | null {
    return (this.s.project.get(regNo) as Record<string, unknown> | undefined) ?? null;
  }

  /** Everything that happened to one project, in order: decisions, tasks opened and closed, documents submitted. */
  timeline(regNo: string): TimelineRow[] {
    return this.s.timeline.all(regNo, regNo, regNo, regNo) as TimelineRow[];
  }

  /** The audit log, newest first, keyset-paged by id (before = the last id of the previous page). */
  audit(before: number | null, limit: number, regNo?: string): AuditRow[] {
    const b = before ?? Number.MAX_SAFE_INTEGER;
    return (regNo ? this.s.auditOf.all(regNo, b, limit) : this.s.audit.all(b, limit)) as AuditRow[];
  }

  auditCount(): number {
    return (this.s.auditCount.get() as { n: number }).n;
  }

  /**
   * One table's rows for an export, in pages of EXPORT_PAGE by rowid: each page is one short statement, so a slow
   * download never holds the connection (an open better-sqlite3 iterator would block every other query).
   */
  *rows(table: ExportTable): IterableIterator<Record<string, unknown>> {
    let after = 0;
    for (;;) {
      const page = this.s.exports[table].all(after, EXPORT_PAGE) as (Record<string, unknown> & { _rowid: number })[];
      for (const { _rowid, ...row } of page) {
        after = _rowid;
        yield row;
      }
      if (page.length < EXPORT_PAGE) return;
    }
  }
}

function heldSql(f: WorkFilter, top: { desc: boolean; n: number } | null): { sql: string; params: unknown[] } {
  const stepWhere: string[] = ["p.state = 'in_approval'"];
  const taskWhere: string[] = ["t.state = 'open'"];
  const stepParams: unknown[] = [];
  const taskParams: unknown[] = [];
  if (f.region) {
    stepWhere.push('p.region = ?');
    taskWhere.push('p.region = ?');
    stepParams.push(f.region);
    taskParams.push(f.region);
  }
  if (f.role) {
    stepWhere.push('p.step_role = ?');
    taskWhere.push('t.role = ?');
    stepParams.push(f.role);
    taskParams.push(f.role);
  }
  if (f.person) {
    const ms = f.person.memberships;
    const pairs = ms.map(() => '(?, ?)').join(', ');
    const flat = ms.flatMap((m) => [m.role, m.region]);
    stepWhere.push(ms.length ? `(p.step_role, p.step_region) in (values ${pairs})` : '0');
    stepParams.push(...flat);
    taskWhere.push(
      `(t.id in (select h.task_id from task_holders h where h.user_id = ?)${ms.length ? ` or (t.named = 0 and (t.role, t.region) in (values ${pairs}))` : ''})`,
    );
    taskParams.push(f.person.user, ...flat);
    // No self-approval: what the person may not decide is not their work.
    taskWhere.push('(t.barred_user is null or t.barred_user <> ?)');
    taskParams.push(f.person.user);
    const self = f.person.selfApprovalVersions ?? [];
    stepWhere.push(
      `(p.submitter_id <> ?${self.length ? ` or p.process_version in (${self.map(() => '?').join(', ')})` : ''})`,
    );
    stepParams.push(f.person.user, ...self);
  }
  const step = `select 'step' as k, p.id, p.reg_no as regNo, p.name, p.kind, p.region as projectRegion,
      p.process_version as processVersion, p.step_role as role, p.step_region as region, null as taskNo,
      null as defId, null as subflowNo, null as holders, p.updated_at as since, p.submitter_id as excluded
    from projects p where ${stepWhere.join(' and ')}`;
  const task = `select 'task', t.id, t.reg_no, p.name, p.kind, p.region, p.process_version, t.role, t.region, t.task_no, t.def_id,
      t.subflow_no, (select group_concat(h.user_id, char(31)) from task_holders h where h.task_id = t.id), t.opened_at,
      t.barred_user
    from tasks t cross join projects p on p.reg_no = t.reg_no where ${taskWhere.join(' and ')}`;
  if (!top) return { sql: `${step} union all ${task}`, params: [...stepParams, ...taskParams] };
  const dir = top.desc ? 'desc' : 'asc';
  return {
    sql: `select * from (${step} order by p.updated_at ${dir} limit ?)
      union all select * from (${task} order by t.opened_at ${dir} limit ?)`,
    params: [...stepParams, top.n, ...taskParams, top.n],
  };
}

function prepare(c: Database.Database) {
  const closed = "t.state in ('done', 'rejected') and t.closed_at >= ?";
  return {
    // Counts come from the covering indexes (projects_console, tasks_state_opened): rows are wide, indexes are not.
    stages: c.prepare(
      `select state, kind, step_role as stage, process_version as pv, count(*) as n from projects
         where state = 'in_approval' group by state, kind, step_role, process_version
       union all
       select 'accepted', p.kind, t.def_id, p.process_version, count(distinct t.reg_no) from tasks t
         cross join projects p on p.reg_no = t.reg_no
         where t.state = 'open' and t.subflow_no is null group by p.kind, t.def_id, p.process_version
       union all
       select state, kind, null, 0, count(*) from projects where state not in ('in_approval', 'accepted')
         group by state, kind`,
    ),
    totals: c.prepare('select state, count(*) as n from projects group by state'),
    overdueByOwner: c.prepare(
      `select d.owner_id as owner, p.region, count(*) as n, min(d.due_at) as oldestDue
       from documents d cross join projects p on p.reg_no = d.reg_no
       where d.link is null and d.due_at < ? and p.state = 'accepted'
       group by d.owner_id, p.region order by n desc, owner`,
    ),
    overdueList: c.prepare(
      `select d.reg_no as regNo, p.name, p.region, d.doc_no as docNo, d.owner_id as owner, d.due_at as dueAt,
         p.process_version as processVersion
       from documents d cross join projects p on p.reg_no = d.reg_no
       where d.link is null and d.due_at < ? and p.state = 'accepted'
       order by d.due_at, d.reg_no, d.doc_no limit ? offset ?`,
    ),
    overdueCount: c.prepare(
      `select count(*) as n from documents d cross join projects p on p.reg_no = d.reg_no
       where d.link is null and d.due_at < ? and p.state = 'accepted'`,
    ),
    cycleStage: c.prepare(
      `select t.def_id as key, count(*) as n, avg(t.closed_at - t.opened_at) as avgMs
       from tasks t where ${closed} group by t.def_id order by avgMs desc`,
    ),
    // Per project first (one lookup of the region per project, not per task).
    cycleRegion: c.prepare(
      `select p.region as key, sum(x.n) as n, sum(x.total) * 1.0 / sum(x.n) as avgMs
       from (select t.reg_no, count(*) as n, sum(t.closed_at - t.opened_at) as total from tasks t
             where ${closed} group by t.reg_no) x
       cross join projects p on p.reg_no = x.reg_no group by p.region order by key`,
    ),
    cycleApprover: c.prepare(
      `select t.closed_by as key, count(*) as n, avg(t.closed_at - t.opened_at) as avgMs
       from tasks t where ${closed} and t.closed_by is not null group by t.closed_by order by avgMs desc`,
    ),
    cycleTrend: c.prepare(
      `select strftime('%Y-%m', t.closed_at / 1000, 'unixepoch') as month, count(*) as n,
         avg(t.closed_at - t.opened_at) as avgMs
       from tasks t where ${closed} group by month order by month`,
    ),
    approvalTimes: c.prepare(
      `select role as key, count(*) as n, avg(dt) as avgMs from (
         select a.role, a.action, a.task_id,
           a.at - lag(a.at) over (partition by a.reg_no, a.round order by a.id) as dt, a.at
         from audit_log a where a.task_id is null and a.at >= ?)
       where action in ('approve', 'reject') and dt is not null group by role order by avgMs desc`,
    ),
    project: c.prepare(
      `select reg_no as regNo, name, customer, kind, region, contract_no as contractNo, signed, paid, state, round,
         submitter_id as submitter, pm_id as pm, process_version as processVersion, created_at as createdAt,
         updated_at as updatedAt, closed_at as closedAt, step_role as stepRole, step_region as stepRegion
       from projects where reg_no = ?`,
    ),
    timeline: c.prepare(
      `select at, what, role, action, actor, detail, taskNo, defId from (
         select a.at, 'audit' as what, a.role, a.action, a.actor_id as actor, a.reason as detail,
           (select t.task_no from tasks t where t.id = a.task_id) as taskNo,
           (select t.def_id from tasks t where t.id = a.task_id) as defId, 0 as o, a.id as i
         from audit_log a where a.reg_no = ?
         union all
         select opened_at, 'task_opened', role, null, null, null, task_no, def_id, 1, id from tasks where reg_no = ?
         union all
         select closed_at, 'task_closed', role, state, closed_by, note, task_no, def_id, 2, id from tasks
           where reg_no = ? and closed_at is not null
         union all
         select submitted_at, 'doc_submitted', null, null, submitted_by, link, doc_no, null, 3, doc_no from documents
           where reg_no = ? and submitted_at is not null)
       order by at, o, i`,
    ),
    audit: c.prepare(
      `select id, reg_no as regNo, round, step_index as stepIndex, role, action, task_id as taskId,
         actor_id as actorId, actor_name as actorName, reason, platform, at
       from audit_log where id < ? order by id desc limit ?`,
    ),
    auditOf: c.prepare(
      `select id, reg_no as regNo, round, step_index as stepIndex, role, action, task_id as taskId,
         actor_id as actorId, actor_name as actorName, reason, platform, at
       from audit_log where reg_no = ? and id < ? order by id desc limit ?`,
    ),
    auditCount: c.prepare('select max(id) as n from audit_log'),
    exports: {
      projects: c.prepare(
        `select rowid as _rowid, reg_no, name, customer, kind, region, contract_no, signed, paid, state, round,
           submitter_id, pm_id, step_role, step_region, created_at, updated_at, closed_at
         from projects where rowid > ? order by rowid limit ?`,
      ),
      tasks: c.prepare(
        `select t.rowid as _rowid, t.reg_no, t.task_no, t.def_id, t.subflow_no, t.role, t.region, t.state,
           (select group_concat(h.user_id, ' ') from task_holders h where h.task_id = t.id) as holders,
           t.opened_at, t.closed_at, t.closed_by, t.note
         from tasks t where t.rowid > ? order by t.rowid limit ?`,
      ),
      documents: c.prepare(
        `select rowid as _rowid, reg_no, doc_no, owner_id, due_at, link, submitted_at, submitted_by from documents
         where rowid > ? order by rowid limit ?`,
      ),
      audit: c.prepare(
        `select rowid as _rowid, id, reg_no, round, step_index, role, action, actor_id, actor_name, reason, platform, at
         from audit_log where rowid > ? order by rowid limit ?`,
      ),
    },
  };
}
