import type { DB } from './db';
import type { SqliteProjectRepo } from './projects.repo';

/**
 * The app's transaction (AppDeps.tx): better-sqlite3's own (BEGIN, a savepoint when nested, rollback on throw), made
 * once — drizzle's wrapper builds a transaction object per call, which the decision path paid on every click. It
 * tells the project repo how each one ended, so that its cache keeps what a transaction read and wrote only once the
 * outermost one committed, and nothing of one that rolled back (a nested one included).
 */
export function transactional(db: DB, projects: SqliteProjectRepo): <T>(fn: () => T) => T {
  const inTx = db.$client.transaction((fn: () => unknown) => fn());
  return <T>(fn: () => T): T => {
    const outermost = !db.$client.inTransaction;
    try {
      const out = inTx(fn) as T;
      if (outermost) projects.committed();
      return out;
    } catch (e) {
      projects.rolledBack();
      throw e;
    }
  };
}
