import { lt, sql } from 'drizzle-orm';
import type { InboundLog } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { inboundEvents } from './schema';

export class SqliteInboundLog implements InboundLog {
  private readonly insert;

  constructor(private readonly db: DB) {
    const p = (n: string) => sql.placeholder(n);
    this.insert = db
      .insert(inboundEvents)
      .values({ platform: p('platform'), eventId: p('eventId'), receivedAt: p('receivedAt') })
      .onConflictDoNothing()
      .prepare();
  }

  claim(platform: Platform, eventId: string, at: Date): boolean {
    return this.insert.run({ platform, eventId, receivedAt: at }).changes === 1;
  }

  purgeBefore(at: Date): number {
    return this.db.delete(inboundEvents).where(lt(inboundEvents.receivedAt, at)).run().changes;
  }
}
