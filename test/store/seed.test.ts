import { describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { seedOrg } from '../../scripts/seed/people';
import { loadConfig } from '../../src/config/env';
import { checkOrgAgainstProcess, isWarning } from '../../src/config/org-process';
import { processHash } from '../../src/config/process-hash';
import { loadCurrentProcess } from '../../src/config/processes';
import { PROJECT_STATES } from '../../src/domain/project';
import { openDb } from '../../src/store/db';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { SqliteWorkQueries } from '../../src/store/work-queries.repo';

describe('seed', () => {
  it('plays projects on the current standard process to every stage, stored as the app stores them', () => {
    const db = openDb(':memory:');
    const now = new Date('2026-12-01T00:00:00Z');
    const s = seedDatabase(db, { projects: 600, now, batch: 150 });
    const c = db.$client;
    expect(Object.values(s.byState).reduce((a, b) => a + b, 0)).toBe(600);
    for (const st of PROJECT_STATES) expect(s.byState[st], st).toBeGreaterThan(5);

    // Pinned to the version the app gives the standard process (by content hash), not the legacy version 1.
    const def = loadCurrentProcess(loadConfig({}));
    const pinned = c.prepare('select id from process_versions where hash = ?').get(processHash(def)) as { id: number };
    expect(s.processVersion).toBe(pinned.id);
    expect(pinned.id).toBeGreaterThan(1);
    expect(c.prepare('select distinct process_version v from projects').all()).toEqual([{ v: pinned.id }]);

    const rows = c.prepare('select reg_no, state, version from projects order by id').all() as {
      reg_no: string;
      state: string;
      version: number;
    }[];
    // Numbers allocated by the app's counter, in registration order.
    expect(rows[0]?.reg_no).toMatch(/^HO-2025-0001$/);
    const repo = new SqliteProjectRepo(db);
    const kinds = new Set<string>();
    for (const { reg_no, state, version } of rows) {
      const p = repo.get(reg_no);
      if (!p) throw new Error(reg_no);
      expect(p.state).toBe(state);
      // One audit line per commit: the version is the number of decisions, the first one the registration.
      expect(p.history).toHaveLength(version);
      expect(p.history[0]?.action).toBe('register');
      const open = p.delivery.tasks.filter((t) => t.state === 'open' && t.subflow === null);
      if (state === 'in_approval') expect(p.delivery.tasks).toEqual([]);
      if (state === 'accepted') expect(open.length, reg_no).toBeGreaterThan(0);
      if (state === 'closed') expect(p.delivery.closedAt).not.toBeNull();
      if (state === 'accepted' || state === 'closed') kinds.add(p.facts.kind);
      // Time runs forward and never past now.
      const times = p.history.map((d) => d.at.getTime());
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(times.at(-1)).toBeLessThanOrEqual(now.getTime());
    }
    expect(kinds).toEqual(new Set(['project', 'saas']));

    // Every approval step and a spread of delivery tasks (both kinds, customisation branches, 外采) are held now.
    const steps = c.prepare("select distinct step_role r from projects where state = 'in_approval'").all();
    expect(steps.map((r) => (r as { r: string }).r).sort()).toEqual(
      ['commercial_reviewer', 'project_director', 'sales_lead', 'special_approver', 'after_sales_support'].sort(),
    );
    const held = (
      c
        .prepare(
          "select distinct t.def_id d from tasks t join projects p using (reg_no) where t.state = 'open' and t.subflow_no is null and p.state = 'accepted'",
        )
        .all() as { d: string }[]
    ).map((r) => r.d);
    expect(held.length).toBeGreaterThan(20);
    for (const id of ['requirements', 'req_list', 'custom_estimate', 'assign', 'pickup', 'pickup_issue', 'acceptance'])
      expect(held, id).toContain(id);
    expect(held).toContain('handover_request');
    expect(held).toContain('takeover');
    const done = (c.prepare("select distinct def_id d from tasks where state = 'done'").all() as { d: string }[]).map(
      (r) => r.d,
    );
    for (const id of ['outsourcing', 'platform_ops', 'custom_accept', 'cs_handover', 'integration', 'handover_review'])
      expect(done, id).toContain(id);
    expect(c.prepare("select count(*) n from tasks where state in ('rejected', 'superseded')").get()).not.toEqual({
      n: 0,
    });

    // Subflows of every kind, some finished, some open.
    const subflows = c.prepare('select kind, state, count(*) n from subflows group by kind, state').all() as {
      kind: string;
      state: string;
    }[];
    for (const kind of ['defect', 'support', 'cloud_order', 'change']) {
      expect(
        subflows.filter((r) => r.kind === kind).map((r) => r.state),
        kind,
      ).toEqual(expect.arrayContaining(['open', 'done']));
    }

    const work = new SqliteWorkQueries(db);
    expect(work.overdueDocuments(now, null, 10_000).length).toBeGreaterThan(100);
    expect(work.heldSteps([{ role: 'commercial_reviewer', region: '*' }]).length).toBeGreaterThan(0);
  });

  it('its organisation staffs every role of the process', () => {
    const problems = checkOrgAgainstProcess(seedOrg().file, [loadCurrentProcess(loadConfig({}))]);
    expect(problems.filter((p) => !isWarning(p))).toEqual([]);
  });
});
