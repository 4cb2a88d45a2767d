import { sql } from 'drizzle-orm';
import type { AuditEntry, AuditRepo } from '../app/ports';
import type { DB } from './db';
import { auditLog } from './schema';

export class SqliteAuditRepo implements AuditRepo {
  /** Prepared once: every decision appends a line. */
  private readonly insert;

  constructor(db: DB) {
    const p = (n: string) => sql.placeholder(n);
    this.insert = db
      .insert(auditLog)
      .values({
        regNo: p('regNo'),
        round: p('round'),
        stepIndex: p('stepIndex'),
        role: p('role'),
        action: p('action'),
        taskId: p('taskId'),
        actorId: p('actorId'),
        actorName: p('actorName'),
        reason: p('reason'),
        platform: p('platform'),
        at: p('at'),
        onBehalfOf: p('onBehalfOf'),
      })
      .prepare();
  }

  append(e: AuditEntry): void {
    this.insert.run({
      regNo: e.regNo,
      round: e.round,
      stepIndex: e.stepIndex,
      role: e.role,
      action: e.action,
      taskId: e.task,
      actorId: e.by,
      actorName: e.actorName,
      reason: e.reason,
      platform: e.platform,
      at: e.at,
      onBehalfOf: e.onBehalfOf ?? null,
    });
  }
}
