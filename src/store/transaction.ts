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

/** The most deliveries one commit takes (~0.5 ms of work each). */
export const MAX_GROUP = 32;

interface Queued {
  fn: () => unknown;
  resolve(value: unknown): void;
  reject(e: unknown): void;
}

/**
 * Group commit (AppDeps.txGrouped): `fn` runs in a savepoint of a transaction shared with every other grouped call
 * queued in the same turn of the event loop, and the promise settles after their one COMMIT. A commit writes every
 * page the transaction changed to the WAL; the inbound deliveries that arrive together (a burst of card clicks)
 * touch many of the same pages (the tails of the outbox and the audit log, the index edges), which one commit then
 * writes once (issue 9: 22 pages per decision committed alone, 3 in groups of 16).
 *
 * The whole group runs synchronously in one callback: nothing else on this connection (the delivery engine, a job)
 * can run in between, so no one ever sees a grouped write before it is committed. A `fn` that throws is rolled back
 * to its savepoint alone and its promise rejects; the others go on. If SQLite rolled the whole transaction back
 * (a full disk, an I/O error) or the COMMIT fails, every call of the group rejects: none of them took effect.
 * A group takes at most MAX_GROUP calls; more queued in the same turn go in the next one.
 */
export function groupedTransactions(
  db: DB,
  projects: SqliteProjectRepo,
  schedule: (run: () => void) => void = setImmediate,
): <T>(fn: () => T) => Promise<T> {
  const client = db.$client;
  const inSavepoint = client.transaction((fn: () => unknown) => fn());
  // IMMEDIATE: the write lock is taken once, up front. Deferred, each delivery's first write would wait for a lock
  // another process holds (busy_timeout, one after the other), or fail for good once that process had committed
  // since the group's first read (SQLITE_BUSY_SNAPSHOT).
  const begin = client.prepare('BEGIN IMMEDIATE');
  const commit = client.prepare('COMMIT');
  const rollback = client.prepare('ROLLBACK');
  const queue: Queued[] = [];

  /** Runs items from `from` in one transaction; returns where the next group starts. */
  const runGroup = (items: Queued[], from: number): number => {
    begin.run();
    const done: [Queued, unknown][] = [];
    let i = from;
    for (; i < items.length; i++) {
      const item = items[i] as Queued;
      try {
        done.push([item, inSavepoint(item.fn)]);
      } catch (e) {
        projects.rolledBack();
        item.reject(e);
        if (!client.inTransaction) {
          // SQLite ended the whole transaction: what the group did before is gone too.
          for (const [d] of done) d.reject(e);
          return i + 1;
        }
      }
    }
    try {
      commit.run();
    } catch (e) {
      if (client.inTransaction) rollback.run();
      projects.rolledBack();
      for (const [d] of done) d.reject(e);
      return i;
    }
    projects.committed();
    for (const [d, value] of done) d.resolve(value);
    return i;
  };

  const run = () => {
    // At most MAX_GROUP per turn: the replies of a group leave once its callback returns, so the first delivery of
    // a flood is not kept waiting for the last; the rest run in the next turn.
    const items = queue.splice(0, MAX_GROUP);
    if (queue.length > 0) schedule(run);
    let next = 0;
    while (next < items.length) {
      try {
        next = runGroup(items, next);
      } catch (e) {
        // BEGIN itself failed (another process kept the write lock past busy_timeout): nothing of the rest ran, and
        // the platforms redeliver.
        for (const item of items.slice(next)) item.reject(e);
        return;
      }
    }
  };

  return <T>(fn: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queue.length === 0) schedule(run);
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
    });
}
