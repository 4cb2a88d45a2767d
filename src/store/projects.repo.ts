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

  constructor(
    private readonly db: DB,
    private readonly prefix = 'HO',
  ) {
    this.delivery = new SqliteDeliveryRepo(db);
  }

  get(regNo: string): Project | null {
    const row = this.db.select().from(projects).where(eq(projects.regNo, regNo)).get();
    return row ? this.toDomain(row) : null;
  }

  insert(p: Project): void {
    this.db.insert(projects).values(this.toRow(p)).run();
    this.delivery.save(p.regNo, null, p.delivery);
    this.delivery.setStep(p.regNo, currentStep(p) ?? null);
  }

  update(p: Project, before: Project): boolean {
    const { regNo, createdAt: _c, ...rest } = this.toRow(p);
    const res = this.db
      .update(projects)
      .set(rest)
      .where(and(eq(projects.regNo, regNo), eq(projects.version, before.version)))
      .run();
    if (res.changes !== 1) return false;
    this.delivery.save(regNo, before.delivery, p.delivery);
    this.delivery.setStep(regNo, currentStep(p) ?? null);
    return true;
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

  private toDomain(row: Row): Project {
    const history = this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.regNo, row.regNo), notInArray(auditLog.action, NOT_HISTORY)))
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
