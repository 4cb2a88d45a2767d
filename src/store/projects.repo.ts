import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { ProjectRepo } from '../app/ports';
import type { UserId } from '../domain/org';
import { type Delivery, emptyDelivery } from '../domain/process/state';
import type { Decision, Project, Step } from '../domain/project';
import type { DB } from './db';
import { auditLog, projects, regCounters } from './schema';

type Row = typeof projects.$inferSelect;

export class SqliteProjectRepo implements ProjectRepo {
  constructor(
    private readonly db: DB,
    private readonly prefix = 'HO',
  ) {}

  get(regNo: string): Project | null {
    const row = this.db.select().from(projects).where(eq(projects.regNo, regNo)).get();
    return row ? this.toDomain(row) : null;
  }

  insert(p: Project): void {
    this.db.insert(projects).values(this.toRow(p)).run();
  }

  update(p: Project, expectedVersion: number): boolean {
    const { regNo, createdAt: _c, ...rest } = this.toRow(p);
    const res = this.db
      .update(projects)
      .set(rest)
      .where(and(eq(projects.regNo, regNo), eq(projects.version, expectedVersion)))
      .run();
    return res.changes === 1;
  }

  nextRegNo(year: number): string {
    const row = this.db
      .insert(regCounters)
      .values({ year, last: 1 })
      .onConflictDoUpdate({ target: regCounters.year, set: { last: sqlIncrement } })
      .returning({ last: regCounters.last })
      .get();
    return `${this.prefix}-${year}-${String(row.last).padStart(4, '0')}`;
  }

  listOpen(): Project[] {
    return this.withHistory(this.db.select().from(projects).where(eq(projects.state, 'in_approval')).all());
  }

  listDelivering(): Project[] {
    return this.withHistory(
      this.db
        .select()
        .from(projects)
        .where(inArray(projects.state, ['accepted', 'closed']))
        .all(),
    );
  }

  listBySubmitter(userId: UserId): Project[] {
    return this.withHistory(
      this.db
        .select()
        .from(projects)
        .where(and(eq(projects.submitterId, userId), ne(projects.state, 'withdrawn')))
        .orderBy(desc(projects.id))
        .all(),
    );
  }

  private withHistory(rows: Row[]): Project[] {
    if (rows.length === 0) return [];
    const entries = this.db
      .select()
      .from(auditLog)
      .where(
        and(
          inArray(
            auditLog.regNo,
            rows.map((r) => r.regNo),
          ),
          ne(auditLog.action, 'denied'),
        ),
      )
      .orderBy(asc(auditLog.id))
      .all();
    const byReg = new Map<string, Decision[]>();
    for (const e of entries) {
      const list = byReg.get(e.regNo) ?? [];
      list.push(toDecision(e));
      byReg.set(e.regNo, list);
    }
    return rows.map((r) => this.fromRow(r, byReg.get(r.regNo) ?? []));
  }

  private toDomain(row: Row): Project {
    const history = this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.regNo, row.regNo), ne(auditLog.action, 'denied')))
      .orderBy(asc(auditLog.id))
      .all()
      .map(toDecision);
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
        ...factsFromJson(row.lifecycleJson),
      },
      submitter: row.submitterId,
      state: row.state,
      round: row.round,
      chain: JSON.parse(row.chainJson) as Step[],
      stepIndex: row.stepIndex,
      version: row.version,
      createdAt: row.createdAt,
      delivery: deliveryFromJson(row.lifecycleJson),
      history,
    };
  }

  private toRow(p: Project): typeof projects.$inferInsert & { regNo: string; createdAt: Date } {
    return {
      regNo: p.regNo,
      ...factColumns(p),
      submitterId: p.submitter,
      outsourcing: outsourcingOf(p),
      state: p.state,
      round: p.round,
      stepIndex: p.stepIndex,
      chainJson: JSON.stringify(p.chain),
      lifecycleJson: JSON.stringify({ v: 2, operated: p.facts.operated, cloud: p.facts.cloud, delivery: p.delivery }),
      version: p.version,
      createdAt: p.createdAt,
      updatedAt: p.history.at(-1)?.at ?? p.createdAt,
    };
  }
}

const sqlIncrement = sql`${regCounters.last} + 1`;

function toDecision(e: typeof auditLog.$inferSelect): Decision {
  return {
    round: e.round,
    stepIndex: e.stepIndex,
    role: e.role as Decision['role'],
    action: e.action,
    task: e.taskId,
    by: e.actorId,
    at: e.at,
    reason: e.reason,
  };
}

const DATE_KEYS = new Set(['openedAt', 'closedAt', 'due', 'submittedAt']);

function factColumns(p: Project) {
  const { operated: _o, cloud: _c, ...columns } = p.facts;
  return columns;
}

function outsourcingOf(p: Project): boolean | null {
  const v = p.delivery.approvalAnswers.commercial_reviewer?.outsourcing;
  return typeof v === 'boolean' ? v : null;
}

function factsFromJson(json: string): { operated: boolean; cloud: boolean } {
  const parsed = JSON.parse(json) as { v?: number; operated?: boolean; cloud?: boolean };
  return { operated: parsed.operated === true, cloud: parsed.cloud === true };
}

/** The delivery JSON → domain object: ISO strings back to Dates; rows from before the process became data read as empty. */
export function deliveryFromJson(json: string): Delivery {
  const parsed = JSON.parse(json, (k, v) => (DATE_KEYS.has(k) && typeof v === 'string' ? new Date(v) : v)) as {
    v?: number;
    delivery?: Delivery;
  };
  return parsed.v === 2 && parsed.delivery ? parsed.delivery : emptyDelivery(1);
}
