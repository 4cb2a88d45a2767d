import { describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { currentStep, type Project } from '../../src/domain/project';
import type { DB } from '../../src/store/db';
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
      expectDenormalized(db, first);
      let before = first;
      for (const next of rest) {
        db.$client.transaction(() => expect(writeAsCommitted(db, writer, next, before)).toBe(true))();
        expect(reader.get(next.regNo), `${next.regNo} v${next.version}`).toEqual(next);
        expectDenormalized(db, next);
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

/** The columns the worklists and the console read instead of the domain's project: as the project implies them. */
function expectDenormalized(db: DB, p: Project): void {
  const row = db.$client
    .prepare('select step_role, step_region, step_held, outsourcing, updated_at, state from projects where reg_no = ?')
    .get(p.regNo);
  const step = currentStep(p);
  const outsourcing = p.delivery.approvalAnswers.commercial_reviewer?.outsourcing;
  expect(row, `${p.regNo} v${p.version}`).toEqual({
    step_role: step?.role ?? null,
    step_region: step ? (step.region ?? '*') : null,
    step_held: step?.hold ? 1 : 0,
    outsourcing: typeof outsourcing === 'boolean' ? Number(outsourcing) : null,
    updated_at: (p.history.at(-1)?.at ?? p.createdAt).getTime(),
    state: p.state,
  });
  const holds = db.$client
    .prepare('select user_id from holds where reg_no = ? and task_no = 0 order by user_id')
    .all(p.regNo)
    .map((r) => (r as { user_id: string }).user_id);
  expect(holds, `${p.regNo} v${p.version} holds`).toEqual([...new Set(step?.hold?.now ?? [])].sort());
}
