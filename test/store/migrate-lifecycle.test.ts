import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/store/db';

/**
 * The database fixture was written by v0.1 (the hard-coded lifecycle: migrations 0000–0004, projects played through
 * that version's domain at every stage it could reach); played-v0.1.json holds those projects as v0.1 saw them.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/handoff-v0.1.db', import.meta.url));
const DATE_KEYS = new Set(['openedAt', 'closedAt', 'due', 'submittedAt', 'createdAt', 'at']);
interface OldTask {
  id: number;
  kind: string;
  role: string;
  region: string | null;
  users: string[] | null;
  state: string;
  openedAt: Date;
  closedAt: Date | null;
}
interface OldDoc {
  owner: string;
  due: Date;
  link: string | null;
  submittedAt: Date | null;
}
interface OldProject {
  regNo: string;
  state: string;
  lifecycle: { tasks: OldTask[]; documents: Record<number, OldDoc> | null; closedAt: Date | null };
}
const playedFile = readFileSync(new URL('../fixtures/played-v0.1.json', import.meta.url), 'utf8');

type Row = Record<string, unknown>;
let db: Database.Database;
let played: Record<string, OldProject>;
let auditBefore: Row[];
const all = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as Row[];
const tasksOf = (regNo: string) =>
  all('select * from tasks where reg_no = ? order by task_no', regNo).map(
    (t): Row => ({
      ...t,
      answers: JSON.parse(t.answers_json as string),
      holders: all('select user_id from task_holders where task_id = ? order by user_id', t.id).map((h) => h.user_id),
    }),
  );
const project = (regNo: string) => all('select * from projects where reg_no = ?', regNo)[0] as Row;

beforeAll(() => {
  const path = join(mkdtempSync(join(tmpdir(), 'handoff-mig-')), 'legacy.db');
  copyFileSync(FIXTURE, path);
  db = new Database(path);
  played = JSON.parse(playedFile, (k, v) => (DATE_KEYS.has(k) && typeof v === 'string' ? new Date(v) : v));
  auditBefore = all('select * from audit_log order by id');
  migrate(drizzle(db), { migrationsFolder: MIGRATIONS_FOLDER });
});

const reg = (key: string) => played[key]?.regNo as string;

describe('migrating lifecycle_json onto the delivery tables', () => {
  it('keeps the audit log and the projects as they were', () => {
    // Later migrations add columns (on_behalf_of, null for every old row); the old columns are unchanged.
    const after = all('select * from audit_log order by id');
    expect(after.map((r) => Object.fromEntries(Object.keys(auditBefore[0] ?? {}).map((k) => [k, r[k]])))).toEqual(
      auditBefore,
    );
    expect(after.every((r) => r.on_behalf_of === null)).toBe(true);
    expect(all('select count(*) n from projects')[0]?.n).toBe(Object.keys(played).length);
    for (const pr of Object.values(played)) {
      const row = project(pr.regNo);
      expect(row.state).toBe(pr.state);
      expect(row.process_version).toBe(1);
    }
    expect(all('select id, hash from process_versions')).toEqual([{ id: 1, hash: 'legacy' }]);
  });

  it('moves every old task with its number, state, holders and times, plus start and hand-over requests', () => {
    let expected = 0;
    for (const [key, pr] of Object.entries(played)) {
      const rows = tasksOf(pr.regNo);
      const old = key === 'emptyLifecycle' ? [] : pr.lifecycle.tasks;
      for (const t of old) {
        const row = rows.find((r) => r.task_no === t.id);
        expect(row, `${key} task ${t.id}`).toMatchObject({
          def_id: t.kind,
          role: t.role,
          region: t.region ?? '*',
          state: t.state,
          named: t.users ? 1 : 0,
          opened_at: t.openedAt.getTime(),
          closed_at: t.closedAt?.getTime() ?? null,
          holders: [...(t.users ?? [])].sort(),
        });
      }
      const accepted = pr.state === 'accepted' || pr.state === 'closed';
      const requests = rows.filter((r) => r.def_id === 'handover_request').length;
      expected += old.length + (accepted ? 1 : 0) + requests;
      expect(rows.some((r) => r.task_no === 0)).toBe(accepted);
    }
    expect(all('select count(*) n from tasks')[0]?.n).toBe(expected);
    const oldHolders = Object.entries(played)
      .filter(([k]) => k !== 'emptyLifecycle')
      .flatMap(([, pr]) => pr.lifecycle.tasks)
      .reduce((n, t) => n + (t.users?.length ?? 0), 0);
    const requestHolders = all(
      "select count(*) n from task_holders h join tasks t on t.id = h.task_id where t.def_id = 'handover_request'",
    )[0]?.n;
    expect(all('select count(*) n from task_holders')[0]?.n).toBe(oldHolders + Number(requestHolders));
  });

  it('the start task is done with the setup or intake answers, closed by the last approver', () => {
    expect(tasksOf(reg('requirements'))[0]).toMatchObject({
      task_no: 0,
      def_id: 'setup',
      state: 'done',
      closed_by: 'sun.director',
      answers: { pm: 'zhou.pm', feasibility: '产品匹配' },
    });
    expect(tasksOf(reg('saasIntegration'))[0]).toMatchObject({ def_id: 'intake', answers: { integration: true } });
    expect(tasksOf(reg('saasPlain'))[0]).toMatchObject({ def_id: 'intake', answers: { integration: false } });
    expect(tasksOf(reg('emptyLifecycle'))).toMatchObject([{ task_no: 0, def_id: 'setup', answers: {} }]);
    expect(tasksOf(reg('approval'))).toEqual([]);
    expect(tasksOf(reg('rejected'))).toEqual([]);
  });

  it('carries the form answers, the rejection notes and who decided', () => {
    const inContract = tasksOf(reg('inContract'));
    expect(inContract.find((t) => t.def_id === 'req_review')).toMatchObject({
      state: 'rejected',
      closed_by: 'sun.director',
      note: 'req_review 需修改',
    });
    expect(inContract.filter((t) => t.def_id === 'requirements').map((t) => t.state)).toEqual(['done', 'done']);
    expect(inContract.find((t) => t.def_id === 'requirements')?.answers).toEqual({
      link: 'https://r/c2',
      customization: 'in_contract',
      detail: 'https://r/d2',
    });
    const issued = tasksOf(reg('issuedDocs'));
    expect(issued.filter((t) => t.def_id === 'pickup').at(-1)?.answers).toEqual({
      svn: 'svn://x/p2',
      regno: reg('issuedDocs'),
    });
    expect(issued.find((t) => t.def_id === 'pickup_issue')).toMatchObject({
      closed_by: 'feng.prod',
      answers: { standard: 'https://dl/std', licence: 'https://dl/lic' },
    });
    expect(issued.find((t) => t.def_id === 'assign')?.answers).toEqual({ implementers: ['zheng.impl'] });
  });

  it('adds hand-over requests: done when one was made, open when the implementers may make one', () => {
    const req = (key: string) =>
      tasksOf(reg(key))
        .filter((t) => t.def_id === 'handover_request')
        .map((t) => ({ state: t.state, answers: t.answers, holders: t.holders }));
    const held = { holders: ['zheng.impl'] };
    expect(req('pickupPm')).toEqual([{ state: 'open', answers: {}, ...held }]);
    expect(req('issuedDocs')).toEqual([{ state: 'open', answers: {}, ...held }]);
    expect(req('handoverOperated')).toEqual([{ state: 'done', answers: { operated: true }, ...held }]);
    expect(req('handoverRejected')).toEqual([
      { state: 'done', answers: { operated: false }, ...held },
      { state: 'open', answers: {}, ...held },
    ]);
    expect(req('closed')).toEqual([{ state: 'done', answers: { operated: true }, ...held }]);
    expect(req('saasIntegration')).toEqual([{ state: 'open', answers: {}, ...held }]);
    expect(req('saasPlain')).toEqual([{ state: 'skipped', answers: {}, holders: [] }]);
    expect(req('requirements')).toEqual([]);
    const closedReq = tasksOf(reg('closed')).find((t) => t.def_id === 'handover_request');
    expect(closedReq?.closed_by).toBe('zheng.impl');
    const numbers = tasksOf(reg('handoverRejected')).map((t) => t.task_no);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('moves the seven documents with owner, due date, link and who submitted them', () => {
    for (const [key, pr] of Object.entries(played)) {
      const docs = all('select * from documents where reg_no = ? order by doc_no', pr.regNo);
      const old = key === 'emptyLifecycle' ? null : pr.lifecycle.documents;
      if (!old) {
        expect(docs, key).toEqual([]);
        continue;
      }
      expect(docs.map((d) => d.doc_no)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const d of docs) {
        const o = old[d.doc_no as number] as OldDoc;
        expect(d).toMatchObject({
          owner_id: o.owner,
          due_at: o.due.getTime(),
          link: o.link,
          submitted_at: o.submittedAt?.getTime() ?? null,
          submitted_by: o.link ? (d.doc_no === 1 ? 'feng.prod' : 'zheng.impl') : null,
        });
      }
    }
    expect(all('select count(*) n from documents where link is null and reg_no = ?', reg('issuedDocs'))[0]?.n).toBe(4);
  });

  it('fills team, approval answers, closing time and the current approval step', () => {
    expect(project(reg('closed'))).toMatchObject({
      pm_id: 'zhou.pm',
      implementers_json: '["zheng.impl"]',
      operated: 1,
      approval_answers_json: '{"commercial_reviewer":{"outsourcing":true}}',
      closed_at: played.closed?.lifecycle.closedAt?.getTime(),
      step_role: null,
    });
    expect(project(reg('saasPlain'))).toMatchObject({
      pm_id: null,
      implementers_json: '[]',
      operated: 0,
      approval_answers_json: '{"commercial_reviewer":{"outsourcing":false}}',
    });
    expect(project(reg('approval'))).toMatchObject({
      step_role: 'commercial_reviewer',
      step_region: '*',
      approval_answers_json: '{}',
    });
    expect(project(reg('approvalSpecial'))).toMatchObject({ step_role: 'special_approver', step_region: 'north' });
    expect(project(reg('rejected'))).toMatchObject({ step_role: null, step_region: null });
    expect(project(reg('emptyLifecycle'))).toMatchObject({ pm_id: null, implementers_json: '[]', closed_at: null });
  });
});
