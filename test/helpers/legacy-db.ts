/**
 * A database as today's main (migrations 0000–0004) writes it, filled with projects played through today's domain
 * (`register` / `transition` of the hard-coded lifecycle), for the migration test of the delivery tables.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { WorkflowEvent } from '../../src/domain/events';
import type { TaskKind } from '../../src/domain/lifecycle';
import type { OrgView } from '../../src/domain/org';
import type { Decision, Project, ProjectFacts } from '../../src/domain/project';
import { register, transition } from '../../src/domain/transition';
import { MIGRATIONS_FOLDER, openDb } from '../../src/store/db';
import { SqliteOrgRepo } from '../../src/store/org.repo';
import { demoOrg } from './handoff';

/** The last migration of the schema before the delivery tables. */
const LEGACY_LAST = '0004_local_messages';

/** A migrations folder holding only the migrations up to LEGACY_LAST, with its journal cut there. */
export function legacyMigrationsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-legacy-mig-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const cut = journal.entries.findIndex((e) => e.tag === LEGACY_LAST);
  if (cut < 0) throw new Error(`migration ${LEGACY_LAST} not found`);
  journal.entries = journal.entries.slice(0, cut + 1);
  for (const e of journal.entries) copyFileSync(join(MIGRATIONS_FOLDER, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  return dir;
}

export function openLegacyDb(path: string): Database.Database {
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: legacyMigrationsFolder() });
  return sqlite;
}

export function demoOrgView(): OrgView {
  const db = openDb(':memory:');
  const repo = new SqliteOrgRepo(db);
  repo.load(demoOrg());
  const view = repo.view();
  db.$client.close();
  return view;
}

export const FACTS: ProjectFacts = {
  name: '某客户实施项目',
  customer: '某客户',
  kind: 'project',
  region: 'north',
  contractNo: 'HT-1',
  signed: true,
  paid: true,
  reqLink: 'https://r.example/req',
  solutionLink: null,
  formLink: 'https://r.example/form',
};

/** Plays one project through today's domain, one hour per event, keeping its audit lines. */
export class LegacyPlayer {
  p: Project;
  readonly audit: Decision[] = [];
  private clock: number;

  constructor(
    private readonly org: OrgView,
    regNo: string,
    facts: Partial<ProjectFacts>,
    start = Date.parse('2026-03-02T01:00:00.123Z'),
  ) {
    this.clock = start;
    const r = register(
      { type: 'register', by: 'wang.sales', at: new Date(start), regNo, facts: { ...FACTS, ...facts } },
      org,
    );
    if (!r.ok) throw new Error(r.error.code);
    this.p = r.value.next;
    this.audit.push(r.value.record);
  }

  private tick(): Date {
    this.clock += 3_600_000;
    return new Date(this.clock);
  }

  /** Any event; `at` is filled in. */
  do(ev: DistributiveOmit<WorkflowEvent, 'at'>): this {
    const r = transition(this.p, { ...ev, at: this.tick() } as WorkflowEvent, this.org, { docDueDays: 30 });
    if (!r.ok) throw new Error(`${ev.type}: ${r.error.code} ${JSON.stringify(r.error)}`);
    this.p = r.value.next;
    this.audit.push(r.value.record);
    return this;
  }

  approve(by: string, extra: { outsourcing?: boolean; fields?: Record<string, string> } = {}): this {
    return this.do({ type: 'approve', by, ...extra });
  }

  /** Acts on the open task of `kind`. */
  task(kind: TaskKind, by: string, action: 'approve' | 'reject' | 'submit', fields: Record<string, string> = {}): this {
    const t = this.p.lifecycle.tasks.find((x) => x.kind === kind && x.state === 'open');
    if (!t) throw new Error(`no open ${kind}`);
    return this.do({
      type: 'task',
      by,
      taskId: t.id,
      action,
      fields,
      ...(action === 'reject' ? { reason: `${kind} 需修改` } : {}),
    });
  }

  docs(by: string, nos: number[]): this {
    for (const doc of nos) this.do({ type: 'doc', by, doc: doc as 1, link: `https://docs.example/${doc}` });
    return this;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Writes a played project the way today's SqliteProjectRepo + SqliteAuditRepo do, with today's columns only. */
export function writeLegacy(db: Database.Database, p: Project, audit: Decision[], lifecycleJson?: string): void {
  db.prepare(
    `insert into projects (reg_no, name, customer, kind, region, contract_no, signed, paid, req_link, solution_link,
       form_link, submitter_id, outsourcing, state, round, step_index, chain_json, version, lifecycle_json, created_at,
       updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  ).run(
    p.regNo,
    p.facts.name,
    p.facts.customer,
    p.facts.kind,
    p.facts.region,
    p.facts.contractNo,
    p.facts.signed ? 1 : 0,
    p.facts.paid ? 1 : 0,
    p.facts.reqLink,
    p.facts.solutionLink,
    p.facts.formLink,
    p.submitter,
    p.followUps.outsourcing === null ? null : p.followUps.outsourcing ? 1 : 0,
    p.state,
    p.round,
    p.stepIndex,
    JSON.stringify(p.chain),
    p.version,
    lifecycleJson ?? JSON.stringify(p.lifecycle),
    p.createdAt.getTime(),
    (audit.at(-1)?.at ?? p.createdAt).getTime(),
  );
  const ins = db.prepare(
    `insert into audit_log (reg_no, round, step_index, role, action, task_id, actor_id, actor_name, reason, platform, at)
     values (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  for (const d of audit) {
    ins.run(p.regNo, d.round, d.stepIndex, d.role, d.action, d.task, d.by, d.by, d.reason, 'local', d.at.getTime());
  }
}
