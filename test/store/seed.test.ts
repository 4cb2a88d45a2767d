import { describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { PROJECT_STATES } from '../../src/domain/project';
import { openDb } from '../../src/store/db';
import { SqliteDeliveryRepo } from '../../src/store/delivery.repo';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { SqliteWorkQueries } from '../../src/store/work-queries.repo';

describe('seed', () => {
  it('fills every stage through the store; today and the new repo both read the projects', () => {
    const db = openDb(':memory:');
    const now = new Date('2026-12-01T00:00:00Z');
    const s = seedDatabase(db, { projects: 400, now, batch: 150 });
    expect(Object.values(s.byState).reduce((a, b) => a + b, 0)).toBe(400);
    for (const st of PROJECT_STATES) expect(s.byState[st], st).toBeGreaterThan(0);
    const regNos = db.$client.prepare('select reg_no, state from projects').all() as {
      reg_no: string;
      state: string;
    }[];
    expect(regNos).toHaveLength(400);
    const today = new SqliteProjectRepo(db);
    const delivery = new SqliteDeliveryRepo(db);
    for (const { reg_no, state } of regNos) {
      const p = today.get(reg_no);
      expect(p?.state).toBe(state);
      expect(p?.history[0]?.action).toBe('register');
      const d = delivery.load(reg_no);
      if (state === 'accepted') expect(d?.tasks.filter((t) => t.state === 'open')).toHaveLength(1);
      if (state === 'closed') expect(d?.closedAt).not.toBeNull();
      if (state === 'in_approval') expect(d?.tasks).toEqual([]);
    }
    const overdue = new SqliteWorkQueries(db).overdueDocuments(now, null, 10_000);
    expect(overdue.length).toBeGreaterThan(100);
    expect(new SqliteWorkQueries(db).heldSteps([{ role: 'commercial_reviewer', region: '*' }]).length).toBeGreaterThan(
      0,
    );
  });
});
