import type { AuditEntry, AuditRepo } from '../app/ports';
import type { DB } from './db';
import { auditLog } from './schema';

export class SqliteAuditRepo implements AuditRepo {
  constructor(private readonly db: DB) {}

  append(e: AuditEntry): void {
    this.db
      .insert(auditLog)
      .values({
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
      })
      .run();
  }
}
