import type Database from 'better-sqlite3';
import type { UserId } from '../domain/org';
import type { Hold } from '../domain/process/hold';
import type {
  Answers,
  Delivery,
  ProjectDocument,
  Subflow,
  SubflowState,
  TaskInstance,
  TaskState,
} from '../domain/process/state';
import type { DB } from './db';

/**
 * A project's Delivery (team, approval answers, task instances, documents, subflows) on the normalized tables, for
 * the project repo, which reads and writes the delivery's columns of the project row itself (DELIVERY_HEAD_COLUMNS,
 * headValues, stepValues) in its one statement per project. `saveRows` writes only what changed between `before`
 * and `after` and runs inside the caller's transaction. All statements are prepared once. Region '*' in the tables
 * is null (not split by region) in the domain.
 */
export class SqliteDeliveryRepo {
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: DB) {
    this.s = prepare(db.$client);
  }

  /** The delivery of a project whose row (its DELIVERY_HEAD_COLUMNS) the caller has already read. */
  loadWith(regNo: string, head: DeliveryHead): Delivery {
    const holders = new Map<number, UserId[]>();
    for (const h of this.s.holdersOf.all(regNo) as { task_id: number; user_id: string }[]) {
      const list = holders.get(h.task_id) ?? [];
      list.push(h.user_id);
      holders.set(h.task_id, list);
    }
    return {
      processVersion: head.process_version,
      team: { pm: head.pm_id, implementers: JSON.parse(head.implementers_json) as UserId[] },
      approvalAnswers: JSON.parse(head.approval_answers_json) as Record<string, Answers>,
      tasks: (this.s.tasks.all(regNo) as TaskRow[]).map((t) => taskFromRow(t, holders.get(t.id) ?? [])),
      documents: (this.s.documents.all(regNo) as DocRow[]).map(docFromRow),
      subflows: (this.s.subflows.all(regNo) as SubflowRow[]).map(subflowFromRow),
      closedAt: date(head.closed_at),
    };
  }

  /**
   * The tasks, documents and subflows that changed between `before` and `after`, for a caller that writes the
   * project row's delivery columns itself (headValues) in its own statement.
   */
  saveRows(regNo: string, before: Delivery | null, after: Delivery): void {
    const oldTasks = new Map(before?.tasks.map((t) => [t.no, t]));
    for (const t of after.tasks) {
      const old = oldTasks.get(t.no);
      if (old && sameJson(old, t)) continue;
      const values = taskValues(t);
      let id: number;
      if (old?.hold || t.hold) this.s.clearHolds.run(regNo, t.no);
      if (t.hold && t.state === 'open') for (const u of new Set(t.hold.now)) this.s.insertHold.run(regNo, t.no, u);
      if (old) {
        id = (this.s.updateTask.get(...values, regNo, t.no) as { id: number }).id;
        if (sameJson(old.users, t.users)) continue;
        this.s.clearHolders.run(id);
      } else {
        id = Number(this.s.insertTask.run(regNo, t.no, ...values).lastInsertRowid);
      }
      for (const u of new Set(t.users ?? [])) this.s.insertHolder.run(id, u);
    }

    const oldDocs = new Map(before?.documents.map((d) => [d.no, d]));
    for (const d of after.documents) {
      if (!sameJson(oldDocs.get(d.no), d)) {
        this.s.upsertDoc.run(regNo, d.no, d.owner, d.due.getTime(), d.link, ms(d.submittedAt), d.submittedBy);
      }
    }
    const oldSubs = new Map(before?.subflows.map((s) => [s.no, s]));
    for (const s of after.subflows) {
      if (!sameJson(oldSubs.get(s.no), s)) {
        const v = [s.kind, s.state, s.raisedBy, JSON.stringify(s.answers), s.openedAt.getTime(), ms(s.closedAt)];
        this.s.upsertSubflow.run(regNo, s.no, ...v);
      }
    }
  }

  /** The current step's holders (`holds`, task 0), for a caller that writes the step columns itself (stepValues). */
  saveStepHolds(regNo: string, step: CurrentStep | null): void {
    this.s.clearHolds.run(regNo, 0);
    for (const u of new Set(step?.hold?.now ?? [])) this.s.insertHold.run(regNo, 0, u);
  }
}

type CurrentStep = { role: string; region: string | null; hold?: Hold };

/** The project row's columns that hold a delivery's head (team, approval answers, closing). */
export const DELIVERY_HEAD_COLUMNS = 'process_version, pm_id, implementers_json, approval_answers_json, closed_at';
export interface DeliveryHead {
  process_version: number;
  pm_id: string | null;
  implementers_json: string;
  approval_answers_json: string;
  closed_at: number | null;
}

export function headValues(d: Delivery): DeliveryHead {
  return {
    process_version: d.processVersion,
    pm_id: d.team.pm,
    implementers_json: JSON.stringify(d.team.implementers),
    approval_answers_json: JSON.stringify(d.approvalAnswers),
    closed_at: d.closedAt?.getTime() ?? null,
  };
}

/** The project row's denormalized step columns; region '*' = not split by region. */
export function stepValues(step: CurrentStep | null): {
  step_role: string | null;
  step_region: string | null;
  step_held: number;
} {
  return {
    step_role: step?.role ?? null,
    step_region: step ? (step.region ?? '*') : null,
    step_held: step?.hold ? 1 : 0,
  };
}

function prepare(c: Database.Database) {
  const taskCols =
    'def_id, subflow_no, role, region, named, state, answers_json, opened_at, closed_at, closed_by, note, hold_json, held, barred_user';
  return {
    tasks: c.prepare(`select id, task_no, ${taskCols} from tasks where reg_no = ? order by task_no`),
    // In the order they were named (insertion order): a task's holders read back as the domain wrote them.
    holdersOf: c.prepare(
      `select h.task_id, h.user_id from tasks t join task_holders h on h.task_id = t.id where t.reg_no = ?
       order by h.task_id, h.rowid`,
    ),
    documents: c.prepare('select * from documents where reg_no = ? order by doc_no'),
    subflows: c.prepare('select * from subflows where reg_no = ? order by subflow_no'),
    insertTask: c.prepare(
      `insert into tasks (reg_no, task_no, ${taskCols}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateTask: c.prepare(
      `update tasks set def_id = ?, subflow_no = ?, role = ?, region = ?, named = ?, state = ?, answers_json = ?,
       opened_at = ?, closed_at = ?, closed_by = ?, note = ?, hold_json = ?, held = ?, barred_user = ?
       where reg_no = ? and task_no = ? returning id`,
    ),
    clearHolds: c.prepare('delete from holds where reg_no = ? and task_no = ?'),
    insertHold: c.prepare('insert or ignore into holds (reg_no, task_no, user_id) values (?, ?, ?)'),
    clearHolders: c.prepare('delete from task_holders where task_id = ?'),
    insertHolder: c.prepare('insert into task_holders (task_id, user_id) values (?, ?)'),
    upsertDoc: c.prepare(
      `insert into documents (reg_no, doc_no, owner_id, due_at, link, submitted_at, submitted_by)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (reg_no, doc_no) do update set owner_id = excluded.owner_id,
       due_at = excluded.due_at, link = excluded.link, submitted_at = excluded.submitted_at,
       submitted_by = excluded.submitted_by`,
    ),
    upsertSubflow: c.prepare(
      `insert into subflows (reg_no, subflow_no, kind, state, raised_by, answers_json, opened_at, closed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (reg_no, subflow_no) do update set kind = excluded.kind,
       state = excluded.state, raised_by = excluded.raised_by, answers_json = excluded.answers_json,
       opened_at = excluded.opened_at, closed_at = excluded.closed_at`,
    ),
  };
}

interface TaskRow {
  id: number;
  task_no: number;
  def_id: string;
  subflow_no: number | null;
  role: string | null;
  region: string | null;
  named: number;
  state: TaskState;
  answers_json: string;
  opened_at: number;
  closed_at: number | null;
  closed_by: string | null;
  note: string | null;
  hold_json: string | null;
  barred_user: string | null;
}
interface DocRow {
  doc_no: number;
  owner_id: string;
  due_at: number;
  link: string | null;
  submitted_at: number | null;
  submitted_by: string | null;
}
interface SubflowRow {
  subflow_no: number;
  kind: string;
  state: SubflowState;
  raised_by: string;
  answers_json: string;
  opened_at: number;
  closed_at: number | null;
}

const ms = (d: Date | null): number | null => d?.getTime() ?? null;
const date = (n: number | null): Date | null => (n === null ? null : new Date(n));
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function taskValues(t: TaskInstance): unknown[] {
  return [
    t.defId,
    t.subflow,
    t.role,
    t.region ?? '*',
    t.users ? 1 : 0,
    t.state,
    JSON.stringify(t.answers),
    t.openedAt.getTime(),
    ms(t.closedAt),
    t.closedBy,
    t.note,
    t.hold ? JSON.stringify(t.hold) : null,
    t.hold && t.state === 'open' ? 1 : 0,
    t.barred ?? null,
  ];
}

function taskFromRow(r: TaskRow, holders: UserId[]): TaskInstance {
  const t: TaskInstance = {
    no: r.task_no,
    defId: r.def_id,
    subflow: r.subflow_no,
    role: r.role,
    region: r.region === '*' ? null : r.region,
    users: r.named ? holders : null,
    state: r.state,
    answers: JSON.parse(r.answers_json) as Answers,
    openedAt: new Date(r.opened_at),
    closedAt: date(r.closed_at),
    closedBy: r.closed_by,
    note: r.note,
  };
  if (r.hold_json) t.hold = JSON.parse(r.hold_json) as Hold;
  if (r.barred_user) t.barred = r.barred_user;
  return t;
}

const docFromRow = (r: DocRow): ProjectDocument => ({
  no: r.doc_no,
  owner: r.owner_id,
  due: new Date(r.due_at),
  link: r.link,
  submittedAt: date(r.submitted_at),
  submittedBy: r.submitted_by,
});

const subflowFromRow = (r: SubflowRow): Subflow => ({
  no: r.subflow_no,
  kind: r.kind,
  state: r.state,
  raisedBy: r.raised_by,
  answers: JSON.parse(r.answers_json) as Answers,
  openedAt: new Date(r.opened_at),
  closedAt: date(r.closed_at),
});
