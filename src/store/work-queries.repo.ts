import type Database from 'better-sqlite3';
import type {
  Membership,
  OverdueCursor,
  OverdueDocument,
  WaitingCursor,
  WaitingRow,
  WorkQueries,
  WorkRow,
} from '../app/ports';
import type { UserId } from '../domain/org';
import type { DB } from './db';

/**
 * The light lists of /mine and the sweeps: small rows from indexed queries, never whole projects or audit logs.
 * The sweeps are keyset-paginated: call again with the last row's cursor until a chunk comes back short, one
 * short transaction per chunk.
 */
export class SqliteWorkQueries implements WorkQueries {
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: DB) {
    this.s = prepare(db.$client);
  }

  /** Projects in approval whose current step is held by one of these memberships, or by the user through a hold. */
  heldSteps(memberships: Membership[], user?: UserId): WorkRow[] {
    const byRole = memberships.flatMap((m) => this.s.steps.all(m.role, m.region) as Raw[]);
    const held = user === undefined ? [] : (this.s.heldSteps.all(user) as Raw[]);
    return [...byRole, ...held].map(work);
  }

  /**
   * Open tasks the user holds by name, through a membership (tasks not held by named users), or through a hold — less
   * the reviews of projects they submitted (TaskInstance.barred: no self-approval).
   */
  heldTasks(user: UserId, memberships: Membership[]): WorkRow[] {
    const named = this.s.namedTasks.all(user) as Raw[];
    const byRole = memberships.flatMap((m) => this.s.roleTasks.all(m.role, m.region, user) as Raw[]);
    const held = this.s.heldTasks.all(user) as Raw[];
    return [...named, ...byRole, ...held].map(work);
  }

  heldProjects(): string[] {
    return (this.s.heldProjects.all() as { reg_no: string }[]).map((r) => r.reg_no);
  }

  orphaned(): string[] {
    return (this.s.orphaned.all() as { reg_no: string }[]).map((r) => r.reg_no);
  }

  /** Missing documents the user owns, of projects in delivery. */
  owedDocuments(user: UserId): WorkRow[] {
    return (this.s.owed.all(user) as Raw[]).map(work);
  }

  /** The submitter's projects sent back to them. */
  rejectedBy(submitter: UserId): WorkRow[] {
    return (this.s.rejected.all(submitter) as Raw[]).map(work);
  }

  /** Missing documents due before `now` of projects in delivery, by due date, after the cursor. */
  overdueDocuments(now: Date, after: OverdueCursor | null, limit: number): OverdueDocument[] {
    const c = after ?? { dueAt: -1, regNo: '', docNo: 0 };
    const rows = this.s.overdue.all(now.getTime(), c.dueAt, c.dueAt, c.regNo, c.docNo, limit) as {
      reg_no: string;
      name: string;
      process_version: number;
      pm_id: string | null;
      doc_no: number;
      owner_id: string;
      due_at: number;
    }[];
    return rows.map((r) => ({
      regNo: r.reg_no,
      name: r.name,
      processVersion: r.process_version,
      pm: r.pm_id,
      docNo: r.doc_no,
      owner: r.owner_id,
      due: new Date(r.due_at),
    }));
  }

  static overdueCursor(d: OverdueDocument): OverdueCursor {
    return { dueAt: d.due.getTime(), regNo: d.regNo, docNo: d.docNo };
  }

  /** Approval steps and open tasks waiting since before `before`, oldest first, after the cursor. */
  waitingSince(before: Date, after: WaitingCursor | null, limit: number): (WaitingRow & { cursor: WaitingCursor })[] {
    const c = after ?? { since: -1, kind: 'step', id: -1 };
    const k = c.kind === 'step' ? 0 : 1;
    const b = before.getTime();
    const rows = this.s.waiting.all(
      b,
      c.since,
      c.since,
      k,
      c.id,
      limit,
      b,
      c.since,
      c.since,
      k,
      c.id,
      limit,
      limit,
    ) as {
      k: number;
      id: number;
      reg_no: string;
      name: string;
      what: string;
      no: number | null;
      role: string | null;
      region: string | null;
      holders: string | null;
      since: number;
      kind: 'project' | 'saas';
      process_version: number;
      subflow_kind: string | null;
      subflow_no: number | null;
    }[];
    return rows.map((r) => {
      const kind = r.k === 0 ? 'step' : 'task';
      return {
        kind,
        regNo: r.reg_no,
        name: r.name,
        what: r.what,
        no: r.no,
        role: r.role,
        region: r.region === '*' ? null : r.region,
        holders: r.holders ? r.holders.split('\u001f') : [],
        since: new Date(r.since),
        projectKind: r.kind,
        processVersion: r.process_version,
        subflowKind: r.subflow_kind,
        subflowNo: r.subflow_no,
        cursor: { since: r.since, kind, id: r.id },
      };
    });
  }
}

type Raw = {
  reg_no: string;
  name: string;
  what: string;
  since: number;
  no: number | null;
  kind: 'project' | 'saas';
  process_version: number;
  region: string | null;
  submitter_id: string;
  subflow_kind: string | null;
  subflow_title: string | null;
  subflow_no: number | null;
};
const work = (r: Raw): WorkRow => ({
  regNo: r.reg_no,
  name: r.name,
  what: r.what,
  since: new Date(r.since),
  no: r.no,
  kind: r.kind,
  processVersion: r.process_version,
  region: r.region === '*' ? null : r.region,
  submitter: r.submitter_id,
  subflowKind: r.subflow_kind,
  subflowTitle: r.subflow_title,
  subflowNo: r.subflow_no,
});
/** The project columns every work row carries (p = projects). */
const P = 'p.kind, p.process_version, p.submitter_id';
/** A task's subflow kind and title (t = tasks). */
const SUB = `t.subflow_no, (select s.kind from subflows s where s.reg_no = t.reg_no and s.subflow_no = t.subflow_no) as subflow_kind,
  (select json_extract(s.answers_json, '$.title') from subflows s where s.reg_no = t.reg_no and s.subflow_no = t.subflow_no)
  as subflow_title`;

/** A task's barred submitter (t = tasks), never null, to compare with the user. */
const NOT_BARRED = "coalesce(t.barred_user, '')";

function prepare(c: Database.Database) {
  return {
    steps: c.prepare(
      `select reg_no, name, step_role as what, updated_at as since, null as no, ${P}, step_region as region,
         null as subflow_kind, null as subflow_title, null as subflow_no
       from projects p where state = 'in_approval' and step_role = ? and step_region = ? and step_held = 0`,
    ),
    heldSteps: c.prepare(
      `select p.reg_no, p.name, p.step_role as what, p.updated_at as since, null as no, ${P}, p.step_region as region,
         null as subflow_kind, null as subflow_title, null as subflow_no
       from holds h cross join projects p on p.reg_no = h.reg_no
       where h.user_id = ? and h.task_no = 0 and p.state = 'in_approval' and p.step_held = 1`,
    ),
    heldTasks: c.prepare(
      `select t.reg_no, p.name, t.def_id as what, t.opened_at as since, t.task_no as no, ${P}, t.region, ${SUB}
       from holds h cross join tasks t on t.reg_no = h.reg_no and t.task_no = h.task_no
         cross join projects p on p.reg_no = t.reg_no
       where h.user_id = ? and h.task_no > 0 and t.state = 'open' and t.held = 1 and ${NOT_BARRED} != h.user_id`,
    ),
    namedTasks: c.prepare(
      `select t.reg_no, p.name, t.def_id as what, t.opened_at as since, t.task_no as no, ${P}, t.region, ${SUB}
       from task_holders h cross join tasks t on t.id = h.task_id cross join projects p on p.reg_no = t.reg_no
       where h.user_id = ? and t.state = 'open' and t.held = 0 and ${NOT_BARRED} != h.user_id`,
    ),
    roleTasks: c.prepare(
      `select t.reg_no, p.name, t.def_id as what, t.opened_at as since, t.task_no as no, ${P}, t.region, ${SUB}
       from tasks t cross join projects p on p.reg_no = t.reg_no
       where t.state = 'open' and t.role = ? and t.region = ? and t.named = 0 and t.held = 0 and ${NOT_BARRED} != ?`,
    ),
    heldProjects: c.prepare('select distinct reg_no from holds'),
    orphaned: c.prepare(
      `select t.reg_no from tasks t cross join task_holders h on h.task_id = t.id
         where t.state = 'open' and h.user_id not in (select id from users)
       union select reg_no from holds where user_id not in (select id from users)
       union select reg_no from projects where state in ('accepted', 'closed') and pm_id not in (select id from users)
       union select p.reg_no from projects p cross join documents d on d.reg_no = p.reg_no
         where p.state = 'accepted' and d.link is null and d.owner_id not in (select id from users)
       union select reg_no from projects where state in ('accepted', 'closed')
         and exists (select 1 from json_each(implementers_json) j where j.value not in (select id from users))`,
    ),
    owed: c.prepare(
      `select d.reg_no, p.name, 'document' as what, d.due_at as since, d.doc_no as no, ${P}, null as region,
         null as subflow_kind, null as subflow_title, null as subflow_no
       from documents d cross join projects p on p.reg_no = d.reg_no
       where d.owner_id = ? and d.link is null and p.state = 'accepted'`,
    ),
    rejected: c.prepare(
      `select reg_no, name, 'rejected' as what, updated_at as since, null as no, ${P}, null as region,
         null as subflow_kind, null as subflow_title, null as subflow_no
       from projects p where submitter_id = ? and state = 'rejected'`,
    ),
    overdue: c.prepare(
      `select d.reg_no, p.name, p.process_version, p.pm_id, d.doc_no, d.owner_id, d.due_at
       from documents d cross join projects p on p.reg_no = d.reg_no
       where d.link is null and d.due_at < ? and d.due_at >= ? and (d.due_at, d.reg_no, d.doc_no) > (?, ?, ?)
         and p.state = 'accepted'
       order by d.due_at, d.reg_no, d.doc_no limit ?`,
    ),
    // CROSS JOIN keeps the join order: the indexed table drives, projects is looked up by reg_no.
    // Steps (k = 0) and tasks (k = 1) ordered by (since, k, id): each side walks its own (state, time) index.
    waiting: c.prepare(
      `select * from (
         select 0 as k, id, reg_no, name, step_role as what, null as no, step_role as role, step_region as region,
           (select group_concat(h.user_id, char(31)) from holds h
             where h.reg_no = projects.reg_no and h.task_no = 0 and projects.step_held = 1) as holders,
           updated_at as since, kind, process_version, null as subflow_kind, null as subflow_no
         from projects where state = 'in_approval' and updated_at < ? and updated_at >= ?
           and (updated_at > ? or (? = 0 and id > ?))
         order by updated_at, id limit ?)
       union all
       select * from (
         select 1 as k, t.id, t.reg_no, p.name, t.def_id as what, t.task_no as no, t.role, t.region,
           case when t.held = 1
             then (select group_concat(h.user_id, char(31)) from holds h where h.reg_no = t.reg_no and h.task_no = t.task_no)
             else (select group_concat(h.user_id, char(31)) from task_holders h where h.task_id = t.id) end as holders,
           t.opened_at as since, p.kind, p.process_version,
           (select s.kind from subflows s where s.reg_no = t.reg_no and s.subflow_no = t.subflow_no) as subflow_kind,
           t.subflow_no
         from tasks t cross join projects p on p.reg_no = t.reg_no
         where t.state = 'open' and t.opened_at < ? and t.opened_at >= ?
           and (t.opened_at > ? or ? = 0 or t.id > ?)
         order by t.opened_at, t.id limit ?)
       order by since, k, id limit ?`,
    ),
  };
}
