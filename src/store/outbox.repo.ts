import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import type { OutboxPayload, OutboxRepo, OutboxRow } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { outbox } from './schema';

export class SqliteOutboxRepo implements OutboxRepo {
  /** Rows this process leased and has not yet marked sent or failed (released on shutdown). */
  private readonly held = new Set<number>();
  private leasing = true;

  constructor(private readonly db: DB) {}

  /** Shutdown: lease nothing more, so the running pass ends after the rows it already holds. */
  stopLeasing(): void {
    this.leasing = false;
  }

  /** Shutdown, after the grace period: clears the lease of every row still held, so the next start sends it at once. */
  releaseHeld(): number {
    const ids = [...this.held];
    this.held.clear();
    if (ids.length === 0) return 0;
    return this.db
      .update(outbox)
      .set({ lockedUntil: null })
      .where(and(inArray(outbox.id, ids), eq(outbox.status, 'pending')))
      .run().changes;
  }

  heldCount(): number {
    return this.held.size;
  }

  enqueue(platform: Platform, payload: OutboxPayload, at: Date): void {
    this.db
      .insert(outbox)
      .values({
        key: randomUUID(),
        platform,
        payloadJson: JSON.stringify(payload),
        status: 'pending',
        nextAttemptAt: at,
        createdAt: at,
      })
      .run();
  }

  lease(now: Date, leaseUntil: Date, limit: number): OutboxRow[] {
    if (!this.leasing) return [];
    return this.db.transaction((tx) => {
      const rows = tx
        .select()
        .from(outbox)
        .where(
          and(
            eq(outbox.status, 'pending'),
            lte(outbox.nextAttemptAt, now),
            or(isNull(outbox.lockedUntil), lte(outbox.lockedUntil, now)),
          ),
        )
        .orderBy(asc(outbox.id))
        .limit(limit)
        .all();
      for (const r of rows) {
        tx.update(outbox).set({ lockedUntil: leaseUntil }).where(eq(outbox.id, r.id)).run();
        this.held.add(r.id);
      }
      return rows.map((r) => ({
        id: r.id,
        key: r.key,
        platform: r.platform as Platform,
        payload: JSON.parse(r.payloadJson) as OutboxPayload,
        attempts: r.attempts,
      }));
    });
  }

  markSent(id: number, messageId: string | null, at: Date): void {
    this.held.delete(id);
    this.db
      .update(outbox)
      .set({ status: 'sent', messageId, sentAt: at, lockedUntil: null, lastError: null })
      .where(eq(outbox.id, id))
      .run();
  }

  markFailed(id: number, error: string, nextAttemptAt: Date | null): void {
    this.held.delete(id);
    const row = this.db.select({ attempts: outbox.attempts }).from(outbox).where(eq(outbox.id, id)).get();
    this.db
      .update(outbox)
      .set({
        attempts: (row?.attempts ?? 0) + 1,
        lastError: error.slice(0, 1000),
        lockedUntil: null,
        ...(nextAttemptAt ? { nextAttemptAt } : { status: 'dead' as const }),
      })
      .where(eq(outbox.id, id))
      .run();
  }

  purgeSentBefore(at: Date): number {
    return this.db
      .delete(outbox)
      .where(and(eq(outbox.status, 'sent'), lt(outbox.sentAt, at)))
      .run().changes;
  }

  pendingCount(): number {
    return this.db.select({ n: count() }).from(outbox).where(eq(outbox.status, 'pending')).get()?.n ?? 0;
  }
}
