import { and, asc, eq, notInArray, sql } from 'drizzle-orm';
import type { ProjectRepo } from '../app/ports';
import { emptyDelivery } from '../domain/process/state';
import { ACTIVITY_ACTIONS, currentStep, type Decision, type Project, type Step } from '../domain/project';
import type { DB } from './db';
import { SqliteDeliveryRepo } from './delivery.repo';
import { auditLog, projects, regCounters } from './schema';

type Row = typeof projects.$inferSelect;

/** Refused attempts and the activity around steps (comments, CC, urges, escalations) are not decisions. */
const NOT_HISTORY = ['denied' as const, ...ACTIVITY_ACTIONS];

/**
 * Projects: the facts and the approval chain in `projects`, the delivery (team, tasks, documents, subflows) on its
 * normalized tables through SqliteDeliveryRepo, the history from the append-only audit log.
 */
export class SqliteProjectRepo implements ProjectRepo {
  private readonly delivery: SqliteDeliveryRepo;
  private readonly s: ReturnType<typeof prepare>;
  /**
   * The last projects read or written, by registration number. A read checks the stored version first (one indexed
   * lookup) and reuses the entry while it matches: rendering every outbox row and every card click then costs no
   * history reload, and the card rendered right after a commit reuses the project the commit wrote. An entry read
   * or written inside a transaction may not be committed: those are listed in `uncommitted` and dropped if the
   * transaction rolls back (`rolledBack`, called by the app's transaction wrapper). Entries are frozen, as the domain
   * never mutates a project.
   */
  private readonly recent = new Map<string, Project>();
  private readonly uncommitted = new Set<string>();

  constructor(
    private readonly db: DB,
    private readonly prefix = 'HO',
  ) {
    this.delivery = new SqliteDeliveryRepo(db);
    this.s = prepare(db);
  }

  get(regNo: string): Project | null {
    const cached = this.recent.get(regNo);
    if (cached) {
      const v = this.s.version.get(regNo) as { version: number } | undefined;
      if (v?.version === cached.version) {
        this.recent.delete(regNo);
        this.recent.set(regNo, cached);
        return cached;
      }
      this.recent.delete(regNo);
    }
    const row = this.s.get.get({ regNo });
    if (!row) return null;
    return this.remember(this.toDomain(row));
  }

  /** The outermost transaction committed: what it read and wrote is committed state now. */
  committed(): void {
    this.uncommitted.clear();
  }

  /** A transaction rolled back: nothing read or written inside it is kept. */
  rolledBack(): void {
    for (const regNo of this.uncommitted) this.recent.delete(regNo);
    this.uncommitted.clear();
  }

  private remember(p: Project): Project {
    this.recent.delete(p.regNo);
    this.recent.set(p.regNo, deepFreeze(p));
    if (this.db.$client.inTransaction) this.uncommitted.add(p.regNo);
    if (this.recent.size > RECENT) {
      // The oldest entry goes; so does its mark (a caller that never reports how its transactions end, such as the
      // seed's, keeps the set no larger than the cache).
      const oldest = this.recent.keys().next().value as string;
      this.recent.delete(oldest);
      this.uncommitted.delete(oldest);
    }
    return p;
  }

  insert(p: Project): void {
    const row = this.toRow(p);
    this.insertStatement(Object.keys(row)).run(row);
    this.delivery.save(p.regNo, null, p.delivery);
    this.delivery.setStep(p.regNo, currentStep(p) ?? null);
    this.remember(p);
  }

  update(p: Project, before: Project): boolean {
    const { regNo, createdAt: _c, ...rest } = this.toRow(p);
    const res = this.updateStatement(Object.keys(rest)).run({ ...rest, regNo, before: before.version });
    if (res.changes !== 1) return false;
    this.delivery.save(regNo, before.delivery, p.delivery);
    this.delivery.setStep(regNo, currentStep(p) ?? null);
    // What a fresh read would load (test/store/project-roundtrip.test.ts): the card rendered next reuses it.
    this.remember(p);
    return true;
  }

  /** The compare-and-set update of these columns, prepared once per column set (in practice one). */
  private updateStatement(keys: string[]) {
    const sig = keys.join(',');
    let stmt = this.updates.get(sig);
    if (!stmt) {
      const set = Object.fromEntries(keys.map((k) => [k, sql.placeholder(k)]));
      stmt = this.db
        .update(projects)
        .set(set)
        .where(and(eq(projects.regNo, sql.placeholder('regNo')), eq(projects.version, sql.placeholder('before'))))
        .prepare();
      this.updates.set(sig, stmt);
    }
    return stmt;
  }
  private readonly updates = new Map<string, { run(values: Record<string, unknown>): { changes: number } }>();

  /** The insert of these columns, prepared once per column set (in practice one). */
  private insertStatement(keys: string[]) {
    const sig = keys.join(',');
    let stmt = this.inserts.get(sig);
    if (!stmt) {
      const values = Object.fromEntries(
        keys.map((k) => [k, sql.placeholder(k)]),
      ) as unknown as typeof projects.$inferInsert;
      stmt = this.db.insert(projects).values(values).prepare();
      this.inserts.set(sig, stmt);
    }
    return stmt;
  }
  private readonly inserts = new Map<string, { run(values: Record<string, unknown>): unknown }>();

  nextRegNo(year: number): string {
    const row = this.s.nextRegNo.get({ year }) as { last: number };
    return `${this.prefix}-${year}-${String(row.last).padStart(4, '0')}`;
  }

  private toDomain(row: Row): Project {
    const history = this.s.history.all({ regNo: row.regNo }).map(toDecision);
    return this.fromRow(row, history);
  }

  private fromRow(row: Row, history: Decision[]): Project {
    return {
      regNo: row.regNo,
      facts: {
        name: row.name,
        customer: row.customer,
        kind: row.kind,
        region: row.region,
        contractNo: row.contractNo,
        signed: row.signed,
        paid: row.paid,
        reqLink: row.reqLink,
        solutionLink: row.solutionLink,
        formLink: row.formLink,
        operated: row.operated,
        cloud: row.cloud,
      },
      submitter: row.submitterId,
      state: row.state,
      round: row.round,
      chain: JSON.parse(row.chainJson) as Step[],
      stepIndex: row.stepIndex,
      version: row.version,
      createdAt: row.createdAt,
      delivery: this.delivery.load(row.regNo) ?? emptyDelivery(row.processVersion),
      history,
    };
  }

  private toRow(p: Project): typeof projects.$inferInsert & { regNo: string; createdAt: Date } {
    return {
      regNo: p.regNo,
      ...p.facts,
      submitterId: p.submitter,
      outsourcing: outsourcingOf(p),
      state: p.state,
      round: p.round,
      stepIndex: p.stepIndex,
      chainJson: JSON.stringify(p.chain),
      processVersion: p.delivery.processVersion,
      version: p.version,
      createdAt: p.createdAt,
      updatedAt: p.history.at(-1)?.at ?? p.createdAt,
    };
  }
}

const sqlIncrement = sql`${regCounters.last} + 1`;
const RECENT = 512;

function prepare(db: DB) {
  const regNo = sql.placeholder('regNo');
  return {
    get: db.select().from(projects).where(eq(projects.regNo, regNo)).prepare(),
    version: db.$client.prepare('select version from projects where reg_no = ?'),
    nextRegNo: db
      .insert(regCounters)
      .values({ year: sql.placeholder('year'), last: 1 })
      .onConflictDoUpdate({ target: regCounters.year, set: { last: sqlIncrement } })
      .returning({ last: regCounters.last })
      .prepare(),
    history: db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.regNo, regNo), notInArray(auditLog.action, NOT_HISTORY)))
      .orderBy(asc(auditLog.id))
      .prepare(),
  };
}

function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || v instanceof Date) return v;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
  return v;
}

export function toDecision(e: typeof auditLog.$inferSelect): Decision {
  return {
    round: e.round,
    stepIndex: e.stepIndex,
    role: e.role as Decision['role'],
    action: e.action,
    task: e.taskId,
    by: e.actorId,
    at: e.at,
    reason: e.reason,
    ...(e.onBehalfOf ? { onBehalfOf: e.onBehalfOf } : {}),
  };
}

function outsourcingOf(p: Project): boolean | null {
  const v = p.delivery.approvalAnswers.commercial_reviewer?.outsourcing;
  return typeof v === 'boolean' ? v : null;
}
