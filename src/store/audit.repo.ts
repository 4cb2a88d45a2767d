import type { Statement } from 'better-sqlite3';
import type { AuditEntry, AuditRepo } from '../app/ports';
import type { DB } from './db';

export class SqliteAuditRepo implements AuditRepo {
  /** A plain prepared statement: every decision appends a line. */
  private readonly insert: Statement;

  constructor(db: DB) {
    this.insert = db.$client.prepare(
      `insert into audit_log (reg_no, round, step_index, role, action, task_id, actor_id, actor_name, reason, platform,
         at, on_behalf_of)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  append(e: AuditEntry): void {
    this.insert.run(
      e.regNo,
      e.round,
      e.stepIndex,
      e.role,
      e.action,
      e.task,
      e.by,
      e.actorName,
      e.reason,
      e.platform,
      e.at.getTime(),
      e.onBehalfOf ?? null,
    );
  }
}
