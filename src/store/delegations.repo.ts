import type Database from 'better-sqlite3';
import type { Delegation, DelegationRepo } from '../app/ports';
import type { UserId } from '../domain/org';
import type { DB } from './db';

type Row = {
  id: number;
  user_id: string;
  delegate_id: string;
  starts_at: number;
  ends_at: number;
  set_by: string;
  ended_at: number | null;
};

const toDelegation = (r: Row): Delegation => ({
  id: r.id,
  user: r.user_id,
  delegate: r.delegate_id,
  from: new Date(r.starts_at),
  until: new Date(r.ends_at),
  setBy: r.set_by,
});

/**
 * Delegations (代理) in SQLite. A row runs from `starts_at` to `ends_at` unless ended on demand (`ended_at`); setting
 * a new one for a person ends the one running or planned. Rows are kept: they are the record of who stood in for whom.
 */
export class SqliteDelegationRepo implements DelegationRepo {
  private readonly s: ReturnType<typeof prepare>;

  constructor(db: DB) {
    this.s = prepare(db.$client);
  }

  set(d: Omit<Delegation, 'id'>, at: Date): Delegation {
    this.s.endFor.run(at.getTime(), d.setBy, d.user, at.getTime());
    const id = Number(
      this.s.insert.run(d.user, d.delegate, d.from.getTime(), d.until.getTime(), d.setBy, at.getTime()).lastInsertRowid,
    );
    return { ...d, id };
  }

  /** Ends the person's running or planned delegation; false when there was none. */
  end(user: UserId, by: UserId, at: Date): boolean {
    return this.s.endFor.run(at.getTime(), by, user, at.getTime()).changes > 0;
  }

  /** The person's delegation running at `now` or planned after it. */
  of(user: UserId, now: Date): Delegation | null {
    const r = this.s.of.get(user, now.getTime()) as Row | undefined;
    return r ? toDelegation(r) : null;
  }

  /** Delegations running at `now`: person → delegate. */
  active(now: Date): Record<UserId, UserId> {
    const out: Record<UserId, UserId> = {};
    for (const r of this.s.active.all(now.getTime(), now.getTime()) as Row[]) out[r.user_id] = r.delegate_id;
    return out;
  }
}

function prepare(c: Database.Database) {
  return {
    insert: c.prepare(
      `insert into delegations (user_id, delegate_id, starts_at, ends_at, set_by, created_at)
       values (?, ?, ?, ?, ?, ?)`,
    ),
    endFor: c.prepare(
      `update delegations set ended_at = ?, ended_by = ?
       where user_id = ? and ended_at is null and ends_at > ?`,
    ),
    of: c.prepare(
      `select * from delegations where user_id = ? and ended_at is null and ends_at > ? order by starts_at limit 1`,
    ),
    active: c.prepare(
      `select * from delegations where ended_at is null and starts_at <= ? and ends_at > ? order by id`,
    ),
  };
}
