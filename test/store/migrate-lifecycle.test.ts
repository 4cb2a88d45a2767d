import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../src/domain/project';
import { MIGRATIONS_FOLDER } from '../../src/store/db';
import { demoOrgView, LegacyPlayer, openLegacyDb, writeLegacy } from '../helpers/legacy-db';

const org = demoOrgView();
const p = (n: number, facts: Parameters<typeof newPlayer>[1] = {}) =>
  newPlayer(`HO-2026-${String(n).padStart(4, '0')}`, facts);
const newPlayer = (regNo: string, facts: ConstructorParameters<typeof LegacyPlayer>[2]) =>
  new LegacyPlayer(org, regNo, facts);

const setup = { pm: 'zhou.pm', feasibility: '产品匹配', risk: '' };
const accepted = (n: number) =>
  p(n).approve('zhao.biz', { outsourcing: true }).approve('sun.director', { fields: setup });
const assigned = (n: number) =>
  accepted(n)
    .task('requirements', 'zhou.pm', 'submit', { link: 'https://r/confirm', customization: 'none' })
    .task('assign', 'zhou.pm', 'submit', { implementers: 'zheng.impl' });
const issued = (n: number) =>
  assigned(n)
    .task('pickup', 'zheng.impl', 'submit', { regNo: `HO-2026-${String(n).padStart(4, '0')}`, svn: 'svn://x/p' })
    .task('pickup_pm', 'zhou.pm', 'reject')
    .task('pickup', 'zheng.impl', 'submit', { regNo: `HO-2026-${String(n).padStart(4, '0')}`, svn: 'svn://x/p2' })
    .task('pickup_pm', 'zhou.pm', 'approve')
    .task('pickup_commercial', 'zhao.biz', 'approve')
    .task('pickup_issue', 'feng.prod', 'submit', { standard: 'https://dl/std', licence: 'https://dl/lic' });

/** Every stage today's code can leave a project in, keyed by what the test calls it. */
function stages(): Record<string, LegacyPlayer> {
  return {
    approval: p(1),
    approvalSpecial: p(2, { signed: false }).approve('li.lead'),
    rejected: p(3).do({ type: 'reject', by: 'zhao.biz', reason: '合同未盖章' }),
    withdrawn: p(4).do({ type: 'withdraw', by: 'wang.sales' }),
    requirements: accepted(5),
    inContract: accepted(6)
      .task('requirements', 'zhou.pm', 'submit', {
        link: 'https://r/c',
        customization: 'in_contract',
        detail: 'https://r/d',
      })
      .task('req_review', 'sun.director', 'reject')
      .task('requirements', 'zhou.pm', 'submit', {
        link: 'https://r/c2',
        customization: 'in_contract',
        detail: 'https://r/d2',
      }),
    pickupPm: assigned(7).task('pickup', 'zheng.impl', 'submit', { regNo: 'HO-2026-0007', svn: 'svn://x/7' }),
    issuedDocs: issued(8).docs('zheng.impl', [2, 3]),
    handoverOperated: issued(9)
      .docs('zheng.impl', [2, 3, 4, 5, 6, 7])
      .do({ type: 'handover', by: 'zheng.impl', operated: true }),
    handoverRejected: issued(10)
      .docs('zheng.impl', [2, 3, 4, 5, 6, 7])
      .do({ type: 'handover', by: 'zheng.impl', operated: false })
      .task('handover', 'lv.ops', 'reject'),
    closed: issued(11)
      .docs('zheng.impl', [2, 3, 4, 5, 6, 7])
      .do({ type: 'handover', by: 'zheng.impl', operated: true })
      .task('handover_cs', 'he.cs', 'approve')
      .task('handover', 'lv.ops', 'approve'),
    saasIntegration: p(12, { kind: 'saas' })
      .approve('zhao.biz', { outsourcing: false })
      .approve('he.cs', { fields: { integration: 'yes' } })
      .task('integration_setup', 'sun.director', 'submit', { pm: 'zhou.pm' })
      .task('assign', 'zhou.pm', 'submit', { implementers: 'zheng.impl' }),
    saasPlain: p(13, { kind: 'saas' })
      .approve('zhao.biz', { outsourcing: false })
      .approve('he.cs', { fields: { integration: 'no' } }),
    saasPlainClosed: p(14, { kind: 'saas' })
      .approve('zhao.biz', { outsourcing: false })
      .approve('he.cs', { fields: { integration: 'no' } })
      .task('handover', 'lv.ops', 'approve'),
    /** Accepted before the lifecycle existed (0003 gave it '{}'). */
    emptyLifecycle: p(15).approve('zhao.biz', { outsourcing: true }).approve('sun.director', { fields: setup }),
  };
}

type Row = Record<string, unknown>;
let db: Database.Database;
let played: Record<string, Project>;
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
  db = openLegacyDb(join(mkdtempSync(join(tmpdir(), 'handoff-mig-')), 'legacy.db'));
  played = {};
  for (const [key, pl] of Object.entries(stages())) {
    writeLegacy(db, pl.p, pl.audit, key === 'emptyLifecycle' ? '{}' : undefined);
    played[key] = pl.p;
  }
  auditBefore = all('select * from audit_log order by id');
  migrate(drizzle(db), { migrationsFolder: MIGRATIONS_FOLDER });
});

const reg = (key: string) => played[key]?.regNo as string;

describe('migrating lifecycle_json onto the delivery tables', () => {
  it('keeps the audit log and the projects as they were', () => {
    expect(all('select * from audit_log order by id')).toEqual(auditBefore);
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
        const o = old[d.doc_no as 1];
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
