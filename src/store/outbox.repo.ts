import type { Statement } from 'better-sqlite3';
import { and, count, eq, inArray, lt } from 'drizzle-orm';
import { conversationOf, type Lane, laneOf } from '../app/delivery/lanes';
import type { OutboxPayload, OutboxRepo, OutboxRow } from '../app/ports';
import type { Platform } from '../platforms/types';
import { timeOrderedId } from '../shared/time-ordered-id';
import type { DB } from './db';
import { outbox } from './schema';

interface RawRow {
  id: number;
  key: string;
  platform: string;
  payload_json: string;
  attempts: number;
  conversation: string;
  lane: string;
}

export class SqliteOutboxRepo implements OutboxRepo {
  private readonly headsStmt: Statement;
  private readonly insertStmt: Statement;
  private readonly sentStmt: Statement;
  private readonly claimStmt: Statement;
  private readonly wakeStmt: Statement;
  private readonly promoteStmt: Statement;

  constructor(private readonly db: DB) {
    // Hot path of the delivery engine: plain prepared statements, built once.
    // Reads conversation heads only (the partial index holds one row per conversation with pending rows), in id
    // order per lane, so it stops after `limit` heads however deep the backlog behind them.
    this.headsStmt = db.$client.prepare(
      `select id, key, platform, payload_json, attempts, conversation, lane
       from outbox indexed by outbox_heads
       where platform = ? and status = 'pending' and head = 1 and lane = ? and id > ? and next_attempt_at <= ?
         and (locked_until is null or locked_until <= ?)
       order by id limit ?`,
    );
    this.insertStmt = db.$client.prepare(
      `insert into outbox (key, platform, payload_json, status, next_attempt_at, created_at, conversation, lane, head)
       values (:key, :platform, :payload, 'pending', :at, :at, :conversation, :lane, not exists (
         select 1 from outbox where platform = :platform and status = 'pending' and conversation = :conversation))
       returning head`,
    );
    this.promoteStmt = db.$client.prepare(
      `update outbox set head = 1 where id = (
         select n.id from outbox o join outbox n on n.platform = o.platform and n.conversation = o.conversation
         where o.id = ? and n.status = 'pending' order by n.id limit 1)`,
    );
    this.sentStmt = db.$client.prepare(
      `update outbox set status = 'sent', message_id = ?, sent_at = ?, locked_until = null, last_error = null
       where id = ?`,
    );
    this.claimStmt = db.$client.prepare(
      `update outbox set locked_until = ? where id = ? and status = 'pending'
         and (locked_until is null or locked_until <= ?)`,
    );
    this.wakeStmt = db.$client.prepare(
      `select min(case when next_attempt_at > ? then next_attempt_at else locked_until end) as at from outbox
       where platform = ? and status = 'pending' and (next_attempt_at > ? or locked_until > ?)`,
    );
  }

  /** Rows this process leased and has not yet marked sent or failed (released on shutdown). */
  private readonly held = new Set<number>();
  private leasing = true;

  /** Shutdown: lease nothing more, so the running passes end after the rows they already hold. */
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

  /**
   * Platforms a row was queued for since the last takeQueued() that became its conversation's head (a rolled-back
   * row only costs a needless wake-up). A row queued behind a pending head needs no wake-up: the head's delivery
   * (or death) makes it the head and wakes the engine, and waking it per commit only re-read the same blocked heads
   * (issue 9: one read of the heads per decision under a backlog, the hottest statement of the decision profile).
   */
  private readonly queued = new Set<Platform>();

  /** The platforms a new conversation head was queued for since the last call, for the engine to wake only those. */
  takeQueued(): Platform[] {
    const out = [...this.queued];
    this.queued.clear();
    return out;
  }

  enqueue(platform: Platform, payload: OutboxPayload, at: Date, opts: { lane?: Lane } = {}): void {
    const t = at.getTime();
    const lane = opts.lane ?? laneOf(payload);
    const row = this.insertStmt.get({
      key: timeOrderedId(t),
      platform,
      payload: JSON.stringify(payload),
      at: t,
      conversation: conversationOf(payload),
      lane,
    }) as { head: number };
    if (row.head) this.queued.add(platform);
  }

  /**
   * The head row (lowest id still pending) of each conversation of `platform`, when it is due and not leased:
   * interactive before bulk, then oldest first. A later row never shows while an earlier one of its conversation is
   * pending, even when that one waits for a retry, so order holds across retries and processes. `after` (the last row
   * of the previous page) continues from there, so a caller reads only as many heads as it can use.
   */
  heads(platform: Platform, now: Date, limit: number, after?: Pick<OutboxRow, 'lane' | 'id'>): OutboxRow[] {
    const t = now.getTime();
    const rows: RawRow[] = [];
    if (after?.lane !== 'bulk')
      rows.push(...(this.headsStmt.all(platform, 'interactive', after?.id ?? 0, t, t, limit) as RawRow[]));
    if (rows.length < limit) {
      const from = after?.lane === 'bulk' ? after.id : 0;
      rows.push(...(this.headsStmt.all(platform, 'bulk', from, t, t, limit - rows.length) as RawRow[]));
    }
    // The payload is parsed when first read: the engine looks at many heads and launches few of them.
    return rows.map((r) => {
      let payload: OutboxPayload | undefined;
      return {
        id: r.id,
        key: r.key,
        platform: r.platform as Platform,
        get payload(): OutboxPayload {
          payload ??= JSON.parse(r.payload_json) as OutboxPayload;
          return payload;
        },
        attempts: r.attempts,
        conversation: r.conversation,
        lane: r.lane as Lane,
      };
    });
  }

  /** Compare-and-set lease: false when another dispatcher took the row (or it is no longer pending). */
  claim(id: number, now: Date, leaseUntil: Date): boolean {
    if (!this.leasing) return false;
    const t = now.getTime();
    const won = this.claimStmt.run(leaseUntil.getTime(), id, t).changes === 1;
    if (won) this.held.add(id);
    return won;
  }

  /** When the earliest pending row of `platform` that is not due yet (or is leased) becomes deliverable. */
  nextWakeAt(platform: Platform, now: Date): Date | null {
    const t = now.getTime();
    const r = this.wakeStmt.get(t, platform, t, t) as { at: number | null } | undefined;
    return r?.at ? new Date(r.at) : null;
  }

  markSent(id: number, messageId: string | null, at: Date): void {
    this.held.delete(id);
    this.leave(() => this.sentStmt.run(messageId, at.getTime(), id), id);
  }

  /** A head leaves `pending` (sent or dead): in the same transaction the next row of its conversation becomes head. */
  private leave(change: () => void, id: number): void {
    this.db.$client.transaction(() => {
      change();
      this.promoteStmt.run(id);
    })();
  }

  markFailed(id: number, error: string, nextAttemptAt: Date | null): void {
    this.held.delete(id);
    const row = this.db.select({ attempts: outbox.attempts }).from(outbox).where(eq(outbox.id, id)).get();
    const update = () =>
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
    // A retried row stays its conversation's head (later rows wait for it); a dead one hands over to the next.
    if (nextAttemptAt) update();
    else this.leave(update, id);
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
