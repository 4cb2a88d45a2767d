import { lt } from 'drizzle-orm';
import type { InboundLog } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { inboundEvents } from './schema';

export class SqliteInboundLog implements InboundLog {
  constructor(private readonly db: DB) {}

  claim(platform: Platform, eventId: string, at: Date): boolean {
    const res = this.db.insert(inboundEvents).values({ platform, eventId, receivedAt: at }).onConflictDoNothing().run();
    return res.changes === 1;
  }

  purgeBefore(at: Date): number {
    return this.db.delete(inboundEvents).where(lt(inboundEvents.receivedAt, at)).run().changes;
  }
}
