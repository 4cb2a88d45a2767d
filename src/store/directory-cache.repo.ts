import type { ContactAnswer, DirectoryCache } from '../app/directory';
import type { ContactKind, Platform } from '../platforms/types';
import type { DB } from './db';
import { directoryCache } from './schema';

/** The directory's answers over SQLite (table directory_cache). */
export class SqliteDirectoryCache implements DirectoryCache {
  constructor(private readonly db: DB) {}

  all(): ContactAnswer[] {
    return this.db
      .select()
      .from(directoryCache)
      .all()
      .map((r) => ({
        platform: r.platform as Platform,
        kind: r.kind,
        value: r.value,
        platformUserId: r.platformUserId,
        status: r.status,
        error: r.error,
        checkedAt: r.checkedAt,
      }));
  }

  save(answers: ContactAnswer[]): void {
    if (answers.length === 0) return;
    this.db.transaction((tx) => {
      for (const a of answers) {
        const row = {
          platform: a.platform,
          kind: a.kind as ContactKind,
          value: a.value,
          platformUserId: a.platformUserId,
          status: a.status,
          error: a.error,
          checkedAt: a.checkedAt,
        };
        tx.insert(directoryCache)
          .values(row)
          .onConflictDoUpdate({
            target: [directoryCache.platform, directoryCache.kind, directoryCache.value],
            set: {
              platformUserId: row.platformUserId,
              status: row.status,
              error: row.error,
              checkedAt: row.checkedAt,
            },
          })
          .run();
      }
    });
  }
}
