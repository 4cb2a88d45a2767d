import { describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import type { Project } from '../../src/domain/project';
import { openDb } from '../../src/store/db';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { insertAsCommitted, playedStates, writeAsCommitted } from '../helpers/written-projects';

/**
 * What a commit writes reads back as the project the domain produced: every move the seed plays (approval steps,
 * rejections, resubmissions, withdrawals, delivery tasks of both kinds, documents, subflows), written as commit.ts
 * writes it (compare-and-set update of the previous state, one audit line), is equal to what a fresh repo loads.
 * The project cache serves the written object in place of a reload, so the two must never differ.
 */
describe('a written project reads back as written', () => {
  it('after every move of every kind', () => {
    const played = playedStates(120);
    const db = openDb(':memory:');
    // The same process version row as the played projects (a fresh database pins the standard process alike).
    seedDatabase(db, { projects: 0 });
    const writer = new SqliteProjectRepo(db);
    // Its own reads only: every move bumps the version, so each read below loads from the database.
    const reader = new SqliteProjectRepo(db);

    let moves = 0;
    const actions = new Set<string>();
    for (const states of played) {
      const [first, ...rest] = states as [Project, ...Project[]];
      db.$client.transaction(() => insertAsCommitted(db, writer, first))();
      expect(reader.get(first.regNo)).toEqual(first);
      let before = first;
      for (const next of rest) {
        db.$client.transaction(() => expect(writeAsCommitted(db, writer, next, before)).toBe(true))();
        expect(reader.get(next.regNo), `${next.regNo} v${next.version}`).toEqual(next);
        actions.add(next.history.at(-1)?.action ?? '');
        before = next;
        moves++;
      }
    }
    expect(moves).toBeGreaterThan(1000);
    for (const a of ['approve', 'reject', 'resubmit', 'withdraw', 'submit', 'doc', 'raise'])
      expect(actions, a).toContain(a);
  });
});
