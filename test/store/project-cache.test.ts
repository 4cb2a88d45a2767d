import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import type { Project } from '../../src/domain/project';
import { openDb } from '../../src/store/db';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { transactional } from '../../src/store/transaction';
import { insertAsCommitted, playedStates, writeAsCommitted as write } from '../helpers/written-projects';

/** Three successive states of one project, as the domain produced them (the seed's play). */
function threeStates(): [Project, Project, Project] {
  const long = playedStates(40).find((s) => s.length >= 3);
  if (!long) throw new Error('no project with three states');
  return [long[0], long[1], long[2]] as [Project, Project, Project];
}

const dir = mkdtempSync(join(tmpdir(), 'project-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database holding `first`, its repo (the cache under test), the app's transaction, and a repo with no cache. */
function setup(name: string, first: Project) {
  const path = join(dir, `${name}.db`);
  const db = openDb(path);
  seedDatabase(db, { projects: 0 });
  const repo = new SqliteProjectRepo(db);
  const tx = transactional(db, repo);
  tx(() => insertAsCommitted(db, repo, first));
  return { db, repo, tx, fresh: () => new SqliteProjectRepo(db).get(first.regNo) };
}

describe('the project cache and the transaction that wrote it', () => {
  const [first, second, third] = threeStates();

  it('serves what a committed transaction wrote, without a reload', () => {
    const { db, repo, tx, fresh } = setup('committed', first);
    tx(() => expect(write(db, repo, second, first)).toBe(true));
    expect(repo.get(first.regNo)).toBe(second);
    expect(fresh()).toEqual(second);
  });

  /**
   * Another connection (a script, a second instance) then writes the same version number with other content: a
   * rolled-back object left in the cache would match the stored version and be served in its place.
   */
  const otherWriterWrites = (db: ReturnType<typeof openDb>) => {
    const other = { ...third, version: second.version, history: [...first.history, third.history.at(-1)] } as Project;
    const conn = openDb(db.$client.name);
    conn.$client.transaction(() => expect(write(conn, new SqliteProjectRepo(conn), other, first)).toBe(true))();
    conn.$client.close();
    return other;
  };

  it('forgets what a rolled-back transaction wrote or read after writing', () => {
    const { db, repo, tx, fresh } = setup('rolled-back', first);
    expect(() =>
      tx(() => {
        expect(write(db, repo, second, first)).toBe(true);
        expect(repo.get(first.regNo)).toBe(second);
        throw new Error('the commit fails');
      }),
    ).toThrow('the commit fails');
    const other = otherWriterWrites(db);
    expect(repo.get(first.regNo)).toEqual(other);
    expect(fresh()).toEqual(other);
  });

  it('forgets what a nested transaction wrote when it rolled back, even if the outer one commits', () => {
    const { db, repo, tx, fresh } = setup('nested', first);
    tx(() => {
      expect(() =>
        tx(() => {
          write(db, repo, second, first);
          throw new Error('inner fails');
        }),
      ).toThrow('inner fails');
    });
    expect(fresh()).toEqual(first);
    const other = otherWriterWrites(db);
    expect(repo.get(first.regNo)).toEqual(other);
  });

  it('reloads when another connection changed the project', () => {
    const { db, repo } = setup('other-writer', first);
    expect(repo.get(first.regNo)).toEqual(first);
    const other = openDb(db.$client.name);
    const theirs = new SqliteProjectRepo(other);
    other.$client.transaction(() => write(other, theirs, second, first))();
    other.$client.close();
    expect(repo.get(first.regNo)).toEqual(second);
  });

  it('keeps what it serves frozen: nothing can change a shared project in place', () => {
    const { db, repo, tx } = setup('frozen', first);
    tx(() => write(db, repo, second, first));
    const p = repo.get(first.regNo) as Project;
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.delivery)).toBe(true);
    expect(() => {
      (p as { state: string }).state = 'closed';
    }).toThrow(TypeError);
  });
});
