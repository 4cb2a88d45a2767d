/**
 * Projects as the domain produces them and as a commit writes them, for the store tests: the states the seed plays
 * (every move of every kind), written like src/app/commit.ts writes (the project through the repo, the decision
 * as one audit line — a project's history is its audit log).
 */
import { seedDatabase } from '../../scripts/seed/fill';
import { seedOrg } from '../../scripts/seed/people';
import { displayName } from '../../src/domain/org';
import type { Project } from '../../src/domain/project';
import { SqliteAuditRepo } from '../../src/store/audit.repo';
import { type DB, openDb } from '../../src/store/db';
import type { SqliteProjectRepo } from '../../src/store/projects.repo';

/** Every state each of `projects` seeded projects passed through, registration first. */
export function playedStates(projects: number): (readonly Project[])[] {
  const played: (readonly Project[])[] = [];
  seedDatabase(openDb(':memory:'), { projects, now: new Date('2026-12-01T00:00:00Z'), played: (s) => played.push(s) });
  return played;
}

const { org } = seedOrg();

function audit(db: DB, p: Project, d: Project['history'][number]): void {
  new SqliteAuditRepo(db).append({ ...d, regNo: p.regNo, actorName: displayName(org, d.by), platform: 'local' });
}

/** Registers `p` as the registration's commit does. */
export function insertAsCommitted(db: DB, repo: SqliteProjectRepo, p: Project): void {
  repo.insert(p);
  for (const d of p.history) audit(db, p, d);
}

/** Writes `next` over `before` as a commit does: compare-and-set, then its audit line. False when the CAS lost. */
export function writeAsCommitted(db: DB, repo: SqliteProjectRepo, next: Project, before: Project): boolean {
  if (!repo.update(next, before)) return false;
  audit(db, next, next.history.at(-1) as Project['history'][number]);
  return true;
}
