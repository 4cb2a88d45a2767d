import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db';
import { FakeClock } from '../helpers/fake-clock';
import { cardText, createTestHandoff, LocalChat } from '../helpers/handoff';

/**
 * test/fixtures/handoff-<commit>.db was written by the real code of <commit> with scripts/fixtures/make-upgrade-fixture.ts
 * (the same projects played each time); played-<commit>.json is what was played and read back from it.
 * d34d827: released main with migrations 0000–0007; 518a706: the main of 1 December 2026, migrations 0000–0012;
 * 8c43f11: the main before 0015 (the pending-only conversation index), migrations 0000–0014, with a CC and a delegation.
 * df8973a: the main before the single-statement project writes and the clicked-card answer, migrations 0000–0015,
 * with a transferred step too (0003's commercial review held by chen.presales: `holds`, `step_held`).
 */
const JOURNAL = fileURLToPath(new URL('../../migrations/meta/_journal.json', import.meta.url));

interface PlayedProject {
  regNo: string;
  state: string;
  round: number;
  stepIndex: number;
  stepRole: string | null;
  history: number;
  stepHolders: string[];
  openTasks: { taskNo: number; defId: string; subflowNo: number | null; holders: string[] }[];
  documents: { docNo: number; ownerId: string; link: string | null }[];
  subflows: { subflowNo: number; kind: string; state: string }[];
}
interface Played {
  at: string;
  migrations: number;
  counts: Record<string, number>;
  pendingOutbox: number;
  projects: PlayedProject[];
}
const HOUR = 3_600_000;

/** Every table the old version had (the migration journal aside): each of its rows must be there, column for column. */
function tablesOf(fixture: string): string[] {
  const db = new Database(fixture, { readonly: true });
  try {
    return (
      db
        .prepare(
          `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != '__drizzle_migrations' order by name`,
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
  } finally {
    db.close();
  }
}

describe.each([
  { commit: 'd34d827', migrations: 8 },
  { commit: '518a706', migrations: 13 },
  { commit: '8c43f11', migrations: 15 },
  { commit: 'df8973a', migrations: 16 },
])(
  'a database written by $commit ($migrations migrations) opens with nothing lost and every project continues',
  ({ commit, migrations }) => {
    const FIXTURE = fileURLToPath(new URL(`../fixtures/handoff-${commit}.db`, import.meta.url));
    const played = JSON.parse(
      readFileSync(fileURLToPath(new URL(`../fixtures/played-${commit}.json`, import.meta.url)), 'utf8'),
    ) as Played;
    const KEPT = tablesOf(FIXTURE);
    const project = (regNo: string) => {
      const p = played.projects.find((x) => x.regNo === regNo);
      if (!p) throw new Error(`${regNo} is not in played-${commit}.json`);
      return p;
    };
    let h: ReturnType<typeof createTestHandoff> | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    function copy(): string {
      const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-upgrade-')), 'h.db');
      copyFileSync(FIXTURE, databasePath);
      return databasePath;
    }
    function open(databasePath: string, clock = new FakeClock(new Date(new Date(played.at).getTime() + HOUR))) {
      h = createTestHandoff({ databasePath, clock });
      return { h, chat: new LocalChat(h) };
    }
    const sqlite = () => {
      if (!h) throw new Error('not open');
      return h.db.$client;
    };
    const row = (sql: string, ...args: unknown[]) =>
      sqlite()
        .prepare(sql)
        .get(...args) as Record<string, unknown>;
    const count = (sql: string, ...args: unknown[]) => Number(Object.values(row(sql, ...args))[0]);
    const column = (sql: string, ...args: unknown[]) =>
      (
        sqlite()
          .prepare(sql)
          .raw()
          .all(...args) as unknown[][]
      ).map((r) => r[0]);
    const projectRow = (regNo: string) =>
      row('select state, round, step_index stepIndex, step_role stepRole from projects where reg_no = ?', regNo);
    const openTasks = (regNo: string) =>
      (
        sqlite()
          .prepare(`select def_id defId from tasks where reg_no = ? and state = 'open' order by task_no`)
          .all(regNo) as { defId: string }[]
      ).map((t) => t.defId);

    /** Rows of `table` in the fixture missing (or changed) in the opened database, comparing the fixture's columns. */
    function lostRows(table: string): number {
      const db = sqlite();
      const cols = (db.prepare(`select name from pragma_table_info('${table}', 'old')`).all() as { name: string }[])
        .map((c) => `"${c.name}"`)
        .join(', ');
      return count(
        `select count(*) from (select ${cols} from old."${table}" except select ${cols} from main."${table}")`,
      );
    }

    it('every row of every table is kept; integrity, foreign keys and the migration journal are sound; opening twice changes nothing', async () => {
      const path = copy();
      open(path);
      const journal = (JSON.parse(readFileSync(JOURNAL, 'utf8')) as { entries: unknown[] }).entries.length;
      expect(played.migrations).toBe(migrations);
      expect(KEPT).toEqual(expect.arrayContaining(['projects', 'tasks', 'documents', 'card_messages', 'outbox']));
      expect(count('select count(*) from __drizzle_migrations')).toBe(journal);
      expect(row('pragma integrity_check')).toEqual({ integrity_check: 'ok' });
      expect(sqlite().prepare('pragma foreign_key_check').all()).toEqual([]);
      sqlite().prepare('attach database ? as old').run(FIXTURE);
      for (const table of KEPT) expect(lostRows(table), table).toBe(0);
      // process_versions may gain the current definition of a process that changed since; nothing else grows on open.
      for (const [table, n] of Object.entries(played.counts)) {
        if (table === 'process_versions') expect(count(`select count(*) from "${table}"`)).toBeGreaterThanOrEqual(n);
        else expect(count(`select count(*) from "${table}"`), table).toBe(n);
      }
      expect(count(`select count(*) from outbox where status = 'pending'`)).toBe(played.pendingOutbox);
      for (const p of played.projects) {
        expect(projectRow(p.regNo), p.regNo).toEqual({
          state: p.state,
          round: p.round,
          stepIndex: p.stepIndex,
          stepRole: p.stepRole,
        });
        expect(count('select count(*) from audit_log where reg_no = ?', p.regNo), p.regNo).toBe(p.history);
        expect(openTasks(p.regNo), p.regNo).toEqual(p.openTasks.map((t) => t.defId));
        expect(count('select count(*) from documents where reg_no = ?', p.regNo)).toBe(p.documents.length);
      }
      // Columns added after the fixture's version start at their defaults (those it had are compared above, value
      // for value): nothing held, nobody acting on someone's behalf (0010); tasks opened before the review rule carry
      // no barred submitter (0013; they keep their holders until reopened). Only df8973a's fixture holds a step.
      expect(count('select count(*) from projects where step_held != 0')).toBe(migrations >= 16 ? 1 : 0);
      expect(count('select count(*) from holds')).toBe(migrations >= 16 ? 1 : 0);
      expect(count('select count(*) from tasks where held != 0 or hold_json is not null')).toBe(0);
      if (migrations <= 10) expect(count('select count(*) from audit_log where on_behalf_of is not null')).toBe(0);
      if (migrations <= 13) expect(count('select count(*) from tasks where barred_user is not null')).toBe(0);
      // Each conversation's lowest pending row was made its head (0014), and only it.
      expect(
        count(`select count(*) from outbox o where status = 'pending' and head <> (id = (select min(id) from outbox p
        where p.platform = o.platform and p.conversation = o.conversation and p.status = 'pending'))`),
      ).toBe(0);
      expect(count(`select count(*) from outbox where status = 'pending' and head = 1`)).toBeGreaterThan(0);
      sqlite().prepare('detach database old').run();

      // Open again, by `npm run db:migrate` (openDb) and then the start: the migrations are not re-run, nothing moves.
      const before = KEPT.map((t) => count(`select count(*) from "${t}"`));
      await h?.stop();
      openDb(path).$client.close();
      open(path);
      expect(count('select count(*) from __drizzle_migrations')).toBe(journal);
      expect(KEPT.map((t) => count(`select count(*) from "${t}"`))).toEqual(before);
      expect(row('pragma integrity_check')).toEqual({ integrity_check: 'ok' });
    });

    it('the holder of every open approval step acts and the project moves on; the rejected one is resubmitted', async () => {
      const { chat } = open(copy());
      const lastOld = count('select max(id) from outbox');
      const lastCard = count('select max(id) from card_messages');
      const waiting = played.projects.filter((p) => p.state === 'in_approval');
      expect(waiting.map((p) => p.regNo)).toEqual([
        'HO-2026-0001',
        'HO-2026-0002',
        'HO-2026-0003',
        'HO-2026-0004',
        'HO-2026-0011',
      ]);
      for (const p of waiting) {
        const [holder] = p.stepHolders;
        if (!holder) throw new Error(`${p.regNo} has nobody on its step`);
        const form = p.stepRole === 'commercial_reviewer' ? ' checklist=all outsourcing=no' : '';
        await chat.say(holder, `/approve ${p.regNo}${form}`);
        expect(chat.lastText(holder), p.regNo).toMatch(/^已(同意|通过)/);
        expect(projectRow(p.regNo), p.regNo).toMatchObject({ state: 'in_approval', stepIndex: p.stepIndex + 1 });
        expect(count('select count(*) from audit_log where reg_no = ?', p.regNo)).toBe(p.history + 1);
        // Every live copy of the project card the old version sent (not superseded by a later one) was updated in place.
        const live = `select message_id from card_messages c where c.reg_no = ? and c.kind = 'project' and c.id <= ?
        and not exists (select 1 from outbox o where o.id <= ? and json_extract(o.payload_json, '$.op') = 'update'
          and json_extract(o.payload_json, '$.messageId') = c.message_id
          and json_extract(o.payload_json, '$.view.type') = 'superseded')`;
        const updated = `select json_extract(payload_json, '$.messageId') from outbox where id > ? and status = 'sent'
        and json_extract(payload_json, '$.op') = 'update'`;
        const liveIds = column(live, p.regNo, lastCard, lastOld);
        // 0011's cards were still in the outbox when the old version died: no copy yet, sent now.
        expect(liveIds.length > 0, p.regNo).toBe(p.regNo !== 'HO-2026-0011');
        expect(column(updated, lastOld), p.regNo).toEqual(expect.arrayContaining(liveIds));
      }
      // The step held by name (df8973a's transfer) was decided by its holder: the next step is nobody's by name.
      expect(count(`select count(*) from holds where task_no = 0`)).toBe(0);
      expect(count('select count(*) from projects where step_held != 0')).toBe(0);
      expect(count(`select count(*) from card_messages where reg_no = 'HO-2026-0004'`)).toBeGreaterThan(2);
      // 0004 went through a rejection: round 2 keeps the round-1 history on its card.
      expect(cardText(chat.lastCard('yang.huiyu'))).toContain('合同金额与报价不符');
      // The rows the crash left pending were delivered on the first flush: 0011's card reached the reviewer.
      expect(count(`select count(*) from outbox where status = 'pending'`)).toBe(0);
      expect(chat.cards('zhao.biz').some((c) => cardText(c.card).includes('HO-2026-0011'))).toBe(true);

      await chat.say('wang.sales', '/mine');
      expect(cardText(chat.lastCard('wang.sales'))).toContain('HO-2026-0006');
      await chat.say('wang.sales', '/resubmit HO-2026-0006 signed=yes paid=yes');
      expect(chat.lastText('wang.sales')).toContain('已重新提交 HO-2026-0006（第 2 轮）');
      expect(projectRow('HO-2026-0006')).toMatchObject({
        state: 'in_approval',
        round: 2,
        stepRole: 'commercial_reviewer',
      });
      await chat.say('wang.sales', '/status HO-2026-0005');
      expect(cardText(chat.lastCard('wang.sales'))).toContain('撤回');
      expect(projectRow('HO-2026-0005')).toMatchObject({ state: 'withdrawn' });
    });

    it('delivery goes on: old cards still work, open tasks and sub-flows are done by their holders, /mine lists the work', async () => {
      const { chat } = open(copy());
      const holderOf = (regNo: string, defId: string) => {
        const t = project(regNo).openTasks.find((x) => x.defId === defId);
        if (!t?.holders[0]) throw new Error(`${regNo} has no open ${defId} with a holder`);
        return t.holders[0];
      };
      for (const [who, reg] of [
        [holderOf('HO-2026-0007', 'requirements'), 'HO-2026-0007'],
        [holderOf('HO-2026-0008', 'implementation'), 'HO-2026-0008'],
        [holderOf('HO-2026-0008', 'confirm'), 'HO-2026-0008'],
        [holderOf('HO-2026-0010', 'assign'), 'HO-2026-0010'],
      ] as const) {
        await chat.say(who, '/mine');
        expect(cardText(chat.lastCard(who)), who).toContain(reg);
      }

      // 0007: the PM confirms the requirements on the card the old version sent.
      const pm = holderOf('HO-2026-0007', 'requirements');
      await chat.click(pm, '提交需求确认', { link: 'https://d/confirm', method: 'roundtable', integration: 'no' });
      expect(openTasks('HO-2026-0007')).not.toContain('requirements');

      // 0008: the defect (测试组) and the cloud order (商务) move on; the implementer submits the implementation.
      await chat.click(holderOf('HO-2026-0008', 'confirm'), '确认是缺陷');
      await chat.click(holderOf('HO-2026-0008', 'review'), '审核通过，指派客户成功部');
      const impl = holderOf('HO-2026-0008', 'implementation');
      await chat.say(impl, '/submit HO-2026-0008 mode=remote service_form=https://mail/confirm');
      expect(chat.lastText(impl)).toContain('已提交');
      const after = openTasks('HO-2026-0008');
      for (const done of ['confirm', 'review', 'implementation']) expect(after).not.toContain(done);
      expect(after.length).toBeGreaterThanOrEqual(3);
      await chat.say(impl, '/docs HO-2026-0008');
      expect(chat.lastCard(impl).blocks[0]).toMatchObject({ type: 'checklist', title: '验收资料 3/7' });
      expect(row('select link from documents where reg_no = ? and doc_no = 2', 'HO-2026-0008')).toEqual({
        link: 'https://mail/confirm',
      });

      // 0010: the PM assigns the implementers on the old card.
      await chat.click(holderOf('HO-2026-0010', 'assign'), '指派', { implementers: ['zheng.impl'] });
      expect(openTasks('HO-2026-0010')).not.toContain('assign');

      // 0009 stays closed after its hand-over.
      await chat.say('wang.sales', '/status HO-2026-0009');
      expect(cardText(chat.lastCard('wang.sales'))).toContain('已完成移交');
    });

    it('the reminder sweep runs on the old rows: the next day reminds again, the same day not twice', async () => {
      const clock = new FakeClock(new Date(new Date(played.at).getTime() + 24 * HOUR));
      const { h } = open(copy(), clock);
      const sent = count('select count(*) from reminders');
      const first = await h.remind();
      expect(first.reminders).toBeGreaterThan(0);
      expect(first.nudges).toBeGreaterThan(0);
      expect(count('select count(*) from reminders')).toBe(sent + first.reminders + first.nudges);
      expect(await h.remind()).toEqual({ reminders: 0, nudges: 0 });
      await h.flush();
      expect(count(`select count(*) from outbox where status = 'pending'`)).toBe(0);
    });
  },
);
