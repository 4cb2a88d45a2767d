import type { Statement } from 'better-sqlite3';
import { lt } from 'drizzle-orm';
import type { InboundLog } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { inboundEvents } from './schema';

export class SqliteInboundLog implements InboundLog {
  private readonly insert: Statement;

  constructor(private readonly db: DB) {
    // Plain prepared statement: every delivery claims its event id.
    this.insert = db.$client.prepare(
      'insert into inbound_events (platform, event_id, received_at) values (?, ?, ?) on conflict do nothing',
    );
  }

  claim(platform: Platform, eventId: string, at: Date): boolean {
    return this.insert.run(platform, eventId, at.getTime()).changes === 1;
  }

  purgeBefore(at: Date): number {
    return this.db.delete(inboundEvents).where(lt(inboundEvents.receivedAt, at)).run().changes;
  }
}
