import { count, sql } from 'drizzle-orm';
import type { ReminderRepo } from '../app/ports';
import type { DB } from './db';
import { reminders } from './schema';

export class SqliteReminderRepo implements ReminderRepo {
  constructor(private readonly db: DB) {}

  claim(key: string, userId: string, regNo: string | null, kind: string, at: Date): boolean {
    return (
      this.db.insert(reminders).values({ key, userId, regNo, kind, sentAt: at }).onConflictDoNothing().run().changes ===
      1
    );
  }

  countPrefix(prefix: string): number {
    return (
      this.db
        .select({ n: count() })
        .from(reminders)
        .where(sql`substr(${reminders.key}, 1, ${prefix.length}) = ${prefix}`)
        .get()?.n ?? 0
    );
  }
}
