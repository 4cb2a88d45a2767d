import { eq, sql } from 'drizzle-orm';
import type { MessageLog, OutboundContent, StoredMessage } from '../platforms/types';
import type { DB } from './db';
import { localMessages } from './schema';

/** Card history entries carry Dates; JSON turns them into ISO strings, which this turns back. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const revive = (_k: string, v: unknown) => (typeof v === 'string' && ISO.test(v) ? new Date(v) : v);

export class SqliteMessageLog implements MessageLog {
  constructor(private readonly db: DB) {}

  recent(limit: number): StoredMessage[] {
    // rowid = insertion order (several messages can share a millisecond).
    const rows = this.db.select().from(localMessages).orderBy(sql`rowid desc`).limit(limit).all();
    return rows.reverse().map((r) => ({
      id: r.id,
      conversation: r.conversation,
      from: r.from,
      content: JSON.parse(r.contentJson, revive) as OutboundContent,
      at: r.at,
      updatedAt: r.updatedAt,
      key: r.key,
    }));
  }

  insert(m: StoredMessage): void {
    this.db
      .insert(localMessages)
      .values({ ...m, contentJson: JSON.stringify(m.content) })
      .onConflictDoNothing()
      .run();
  }

  update(id: string, content: OutboundContent, updatedAt: Date): void {
    this.db
      .update(localMessages)
      .set({ contentJson: JSON.stringify(content), updatedAt })
      .where(eq(localMessages.id, id))
      .run();
  }
}
