import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import type { Project } from '../../src/domain/project';
import { openDb } from '../../src/store/db';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { groupedTransactions, MAX_GROUP, transactional } from '../../src/store/transaction';
import { insertAsCommitted, playedStates, writeAsCommitted } from '../helpers/written-projects';

const dir = mkdtempSync(join(tmpdir(), 'grouped-tx-'));
const open: { close(): unknown }[] = [];
afterAll(() => {
  for (const c of open) c.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A database file with a table of notes (a deferred foreign key lets a test make the COMMIT itself fail), the
 * grouped transactor under test with a schedule the test runs by hand, and a second connection that sees only
 * what was committed.
 */
function setup(name: string) {
  const path = join(dir, `${name}.db`);
  const db = openDb(path);
  db.$client.exec(`create table parents (id integer primary key);
    create table notes (id integer primary key, text text not null,
      parent integer references parents(id) deferrable initially deferred)`);
  const repo = new SqliteProjectRepo(db);
  const runs: (() => void)[] = [];
  const grouped = groupedTransactions(db, repo, (run) => runs.push(run));
  const other = new Database(path, { readonly: true });
  open.push(other, db.$client);
  const committed = () =>
    (other.prepare('select text from notes order by id').all() as { text: string }[]).map((r) => r.text);
  const note = (text: string, parent: number | null = null) =>
    db.$client.prepare('insert into notes (text, parent) values (?, ?)').run(text, parent);
  // The WAL starts empty: each commit then ends with one frame marked as a commit frame.
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  const commits = () => {
    const wal = readFileSync(`${path}-wal`);
    const page = wal.readUInt32BE(8);
    let n = 0;
    for (let at = 32; at + 24 + page <= wal.length; at += 24 + page) if (wal.readUInt32BE(at + 4) !== 0) n++;
    return n;
  };
  /** Runs what is scheduled (the turn of the event loop ending). */
  const turn = () => {
    for (const run of runs.splice(0)) run();
  };
  return { db, repo, grouped, committed, note, turn, runs, commits };
}

describe('group commit (the inbound pipeline transaction)', () => {
  it('runs the calls of one turn in one transaction, committed once, each result its own', async () => {
    const { db, grouped, committed, note, turn, runs, commits } = setup('one-turn');
    const a = grouped(() => {
      note('a');
      return 'A';
    });
    const b = grouped(() => {
      note('b');
      return 'B';
    });
    // One run is scheduled for both, and nothing has run yet.
    expect(runs).toHaveLength(1);
    expect(committed()).toEqual([]);
    let settled = false;
    void Promise.all([a, b]).then(() => {
      settled = true;
    });
    turn();
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
    expect(settled).toBe(true);
    expect(committed()).toEqual(['a', 'b']);
    expect(commits()).toBe(1);
    expect(db.$client.inTransaction).toBe(false);
    // A later turn is a new group.
    const c = grouped(() => note('c'));
    expect(runs).toHaveLength(1);
    turn();
    await c;
    expect(committed()).toEqual(['a', 'b', 'c']);
    expect(commits()).toBe(2);
  });

  it(`takes at most ${MAX_GROUP} calls per commit; the rest are committed in the next turn`, async () => {
    const { grouped, committed, note, turn, runs, commits } = setup('capped');
    const n = MAX_GROUP + 8;
    const calls = Array.from({ length: n }, (_, i) => grouped(() => note(`n${i}`)));
    turn();
    expect(committed()).toHaveLength(MAX_GROUP);
    expect(commits()).toBe(1);
    // The rest waits for the next turn, already scheduled.
    expect(runs).toHaveLength(1);
    turn();
    await Promise.all(calls);
    expect(committed()).toHaveLength(n);
    expect(commits()).toBe(2);
  });

  it('a later call in the group sees what an earlier one wrote, as if they ran one after the other', async () => {
    const { db, grouped, note, turn } = setup('serial');
    const first = grouped(() => note('first'));
    const second = grouped(() => db.$client.prepare('select count(*) as n from notes').get() as { n: number });
    turn();
    await first;
    expect((await second).n).toBe(1);
  });

  it('a call that throws is rolled back alone: its promise rejects, the others commit', async () => {
    const { grouped, committed, note, turn } = setup('one-fails');
    const a = grouped(() => note('a'));
    const bad = grouped(() => {
      note('half-written');
      throw new Error('the use case failed');
    });
    const c = grouped(() => note('c'));
    turn();
    await expect(bad).rejects.toThrow('the use case failed');
    await a;
    await c;
    expect(committed()).toEqual(['a', 'c']);
  });

  it('when the COMMIT fails, every call of the group rejects and nothing of it is kept', async () => {
    const { db, grouped, committed, note, turn } = setup('commit-fails');
    const a = grouped(() => note('a'));
    // A deferred foreign key is only checked by the COMMIT.
    const b = grouped(() => note('orphan', 42));
    turn();
    await expect(a).rejects.toThrow(/FOREIGN KEY/);
    await expect(b).rejects.toThrow(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    expect(db.$client.inTransaction).toBe(false);
    // The connection is usable again: the next group commits.
    const c = grouped(() => note('c'));
    turn();
    await c;
    expect(committed()).toEqual(['c']);
  });

  it('when SQLite ends the whole transaction inside a call, the calls before it reject and the rest go on', async () => {
    const { db, grouped, committed, note, turn } = setup('whole-rolled-back');
    const a = grouped(() => note('a'));
    // What SQLite does on some errors (a full disk, an I/O error): the transaction is gone, not just the statement.
    const fatal = grouped(() => {
      db.$client.prepare('rollback').run();
      throw new Error('disk full');
    });
    const c = grouped(() => note('c'));
    turn();
    await expect(a).rejects.toThrow('disk full');
    await expect(fatal).rejects.toThrow('disk full');
    await c;
    expect(committed()).toEqual(['c']);
  });

  it('takes the write lock once, up front: while another process holds it, the group fails before any call ran', async () => {
    const { db, grouped, committed, note, turn } = setup('locked');
    db.$client.pragma('busy_timeout = 20');
    const writer = new Database(db.$client.name);
    writer.prepare('begin immediate').run();
    let ran = 0;
    const calls = ['a', 'b', 'c'].map((t) =>
      grouped(() => {
        ran++;
        note(t);
      }),
    );
    turn();
    for (const c of calls) await expect(c).rejects.toThrow(/locked/);
    expect(ran).toBe(0);
    writer.prepare('rollback').run();
    writer.close();
    const d = grouped(() => note('d'));
    turn();
    await d;
    expect(committed()).toEqual(['d']);
  });

  it("the project cache keeps a grouped write once committed, and forgets it when the group's commit fails", async () => {
    const states = playedStates(40).find((s) => s.length >= 3);
    if (!states) throw new Error('no project with three states');
    const [first, second, third] = states as [Project, Project, Project];
    const { db, repo, grouped, note, turn } = setup('cache');
    seedDatabase(db, { projects: 0 });
    transactional(db, repo)(() => insertAsCommitted(db, repo, first));

    const ok = grouped(() => writeAsCommitted(db, repo, second, first));
    turn();
    await expect(ok).resolves.toBe(true);
    expect(repo.get(first.regNo)).toBe(second);

    const lost = grouped(() => writeAsCommitted(db, repo, third, second));
    const failing = grouped(() => note('orphan', 7));
    turn();
    await expect(lost).rejects.toThrow(/FOREIGN KEY/);
    await expect(failing).rejects.toThrow(/FOREIGN KEY/);
    // Another connection then writes the same version with other content: a rolled-back object left in the cache
    // would match the stored version and be served in its place.
    const theirs = {
      ...third,
      history: [...second.history, { ...(third.history.at(-1) as Project['history'][number]), reason: 'theirs' }],
    } as Project;
    const conn = openDb(db.$client.name);
    conn.$client.transaction(() =>
      expect(writeAsCommitted(conn, new SqliteProjectRepo(conn), theirs, second)).toBe(true),
    )();
    conn.$client.close();
    expect(repo.get(first.regNo)).toEqual(theirs);
  });
});
