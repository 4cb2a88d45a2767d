import { sql } from 'drizzle-orm';
import type { ProjectRepo } from '../app/ports';
import { ACTIVITY_ACTIONS, currentStep, type Project, type Step } from '../domain/project';
import type { DB } from './db';
import { DECISION_COLUMNS, decisionFromRaw, placeholders, type RawDecision } from './decision-rows';
import { DELIVERY_HEAD_COLUMNS, type DeliveryHead, headValues, SqliteDeliveryRepo, stepValues } from './delivery.repo';
import { regCounters } from './schema';

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
    const row = this.s.row.get(regNo) as RawProject | undefined;
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
    const step = currentStep(p) ?? null;
    this.s.insert.run({
      ...factValues(p),
      ...headValues(p.delivery),
      ...stepValues(step),
      reg_no: p.regNo,
      created_at: p.createdAt.getTime(),
    });
    this.delivery.saveRows(p.regNo, null, p.delivery);
    this.delivery.saveStepHolds(p.regNo, step);
    this.remember(p);
  }

  update(p: Project, before: Project): boolean {
    // One statement writes the row with its delivery head and step columns (they were three updates of the row).
    const step = currentStep(p) ?? null;
    const res = this.s.update.run({
      ...factValues(p),
      ...headValues(p.delivery),
      ...stepValues(step),
      reg_no: p.regNo,
      before: before.version,
    });
    if (res.changes !== 1) return false;
    this.delivery.saveRows(p.regNo, before.delivery, p.delivery);
    this.delivery.saveStepHolds(p.regNo, step);
    // What a fresh read would load (test/store/project-roundtrip.test.ts): the card rendered next reuses it.
    this.remember(p);
    return true;
  }

  nextRegNo(year: number): string {
    const row = this.s.nextRegNo.get({ year }) as { last: number };
    return `${this.prefix}-${year}-${String(row.last).padStart(4, '0')}`;
  }

  private toDomain(row: RawProject): Project {
    const history = (this.s.history.all(row.reg_no, ...NOT_HISTORY) as RawDecision[]).map(decisionFromRaw);
    return {
      regNo: row.reg_no,
      facts: {
        name: row.name,
        customer: row.customer,
        kind: row.kind,
        region: row.region,
        contractNo: row.contract_no,
        signed: row.signed === 1,
        paid: row.paid === 1,
        reqLink: row.req_link,
        solutionLink: row.solution_link,
        formLink: row.form_link,
        operated: row.operated === 1,
        cloud: row.cloud === 1,
      },
      submitter: row.submitter_id,
      state: row.state,
      round: row.round,
      chain: JSON.parse(row.chain_json) as Step[],
      stepIndex: row.step_index,
      version: row.version,
      createdAt: new Date(row.created_at),
      delivery: this.delivery.loadWith(row.reg_no, row),
      history,
    };
  }
}

const sqlIncrement = sql`${regCounters.last} + 1`;
const RECENT = 512;

/** The columns of a project row written from the domain (besides reg_no, created_at and the delivery's own). */
const FACT_COLUMNS = [
  'name',
  'customer',
  'kind',
  'region',
  'contract_no',
  'signed',
  'paid',
  'req_link',
  'solution_link',
  'form_link',
  'operated',
  'cloud',
  'submitter_id',
  'outsourcing',
  'state',
  'round',
  'step_index',
  'chain_json',
  'version',
  'updated_at',
] as const;
const WRITTEN_COLUMNS = [
  ...FACT_COLUMNS,
  ...DELIVERY_HEAD_COLUMNS.split(', '),
  ...(Object.keys(stepValues(null)) as (keyof ReturnType<typeof stepValues>)[]),
];

const bit = (b: boolean) => (b ? 1 : 0);

function factValues(p: Project): Record<(typeof FACT_COLUMNS)[number], string | number | null> {
  const outsourcing = outsourcingOf(p);
  return {
    name: p.facts.name,
    customer: p.facts.customer,
    kind: p.facts.kind,
    region: p.facts.region,
    contract_no: p.facts.contractNo,
    signed: bit(p.facts.signed),
    paid: bit(p.facts.paid),
    req_link: p.facts.reqLink,
    solution_link: p.facts.solutionLink,
    form_link: p.facts.formLink,
    operated: bit(p.facts.operated),
    cloud: bit(p.facts.cloud),
    submitter_id: p.submitter,
    outsourcing: outsourcing === null ? null : bit(outsourcing),
    state: p.state,
    round: p.round,
    step_index: p.stepIndex,
    chain_json: JSON.stringify(p.chain),
    version: p.version,
    updated_at: (p.history.at(-1)?.at ?? p.createdAt).getTime(),
  };
}

/** A project row as the domain reads it. */
interface RawProject extends DeliveryHead {
  reg_no: string;
  name: string;
  customer: string;
  kind: Project['facts']['kind'];
  region: string;
  contract_no: string;
  signed: number;
  paid: number;
  req_link: string | null;
  solution_link: string | null;
  form_link: string | null;
  operated: number;
  cloud: number;
  submitter_id: string;
  state: Project['state'];
  round: number;
  step_index: number;
  chain_json: string;
  version: number;
  created_at: number;
}

function prepare(db: DB) {
  const c = db.$client;
  return {
    row: c.prepare(
      `select reg_no, name, customer, kind, region, contract_no, signed, paid, req_link, solution_link, form_link,
         operated, cloud, submitter_id, state, round, step_index, chain_json, version, created_at,
         ${DELIVERY_HEAD_COLUMNS}
       from projects where reg_no = ?`,
    ),
    version: c.prepare('select version from projects where reg_no = ?'),
    insert: c.prepare(
      `insert into projects (reg_no, created_at, ${WRITTEN_COLUMNS.join(', ')})
       values (@reg_no, @created_at, ${WRITTEN_COLUMNS.map((k) => `@${k}`).join(', ')})`,
    ),
    // Compare-and-set on the version the transition started from.
    update: c.prepare(
      `update projects set ${WRITTEN_COLUMNS.map((k) => `${k} = @${k}`).join(', ')}
       where reg_no = @reg_no and version = @before`,
    ),
    nextRegNo: db
      .insert(regCounters)
      .values({ year: sql.placeholder('year'), last: 1 })
      .onConflictDoUpdate({ target: regCounters.year, set: { last: sqlIncrement } })
      .returning({ last: regCounters.last })
      .prepare(),
    history: c.prepare(
      `select ${DECISION_COLUMNS} from audit_log where reg_no = ? and action not in (${placeholders(NOT_HISTORY.length)})
       order by id`,
    ),
  };
}

function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v) || v instanceof Date) return v;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
  return v;
}

function outsourcingOf(p: Project): boolean | null {
  const v = p.delivery.approvalAnswers.commercial_reviewer?.outsourcing;
  return typeof v === 'boolean' ? v : null;
}
