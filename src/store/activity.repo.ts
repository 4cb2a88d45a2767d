import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ActivityRepo } from '../app/ports';
import { ACTIVITY_ACTIONS, type Decision } from '../domain/project';
import type { DB } from './db';
import { toDecision } from './projects.repo';
import { auditLog, projectCc } from './schema';

/** The activity around a project's steps: who a holder copied (project_cc) and the audit lines of comments etc. */
export class SqliteActivityRepo implements ActivityRepo {
  constructor(private readonly db: DB) {}

  copied(regNo: string): string[] {
    return this.db
      .select({ userId: projectCc.userId })
      .from(projectCc)
      .where(eq(projectCc.regNo, regNo))
      .orderBy(asc(projectCc.addedAt))
      .all()
      .map((r) => r.userId);
  }

  addCopy(regNo: string, userId: string, addedBy: string, at: Date): boolean {
    const res = this.db.insert(projectCc).values({ regNo, userId, addedBy, addedAt: at }).onConflictDoNothing().run();
    return res.changes === 1;
  }

  activity(regNo: string): Decision[] {
    return this.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.regNo, regNo), inArray(auditLog.action, [...ACTIVITY_ACTIONS])))
      .orderBy(asc(auditLog.id))
      .all()
      .map(toDecision);
  }
}
