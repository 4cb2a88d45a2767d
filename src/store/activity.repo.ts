import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { ActivityRepo } from '../app/ports';
import { ACTIVITY_ACTIONS, type Decision } from '../domain/project';
import type { DB } from './db';
import { toDecision } from './projects.repo';
import { auditLog, projectCc } from './schema';

/**
 * The activity around a project's steps: who a holder copied (project_cc) and the audit lines of comments etc.
 * Both reads run on every project-card render, so they are prepared once (the decision path's hot spot otherwise).
 */
export class SqliteActivityRepo implements ActivityRepo {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: DB) {
    this.s = prepare(db);
  }

  copied(regNo: string): string[] {
    return this.s.copied.all({ regNo }).map((r) => r.userId);
  }

  addCopy(regNo: string, userId: string, addedBy: string, at: Date): boolean {
    const res = this.db.insert(projectCc).values({ regNo, userId, addedBy, addedAt: at }).onConflictDoNothing().run();
    return res.changes === 1;
  }

  activity(regNo: string): Decision[] {
    return this.s.activity.all({ regNo }).map(toDecision);
  }
}

function prepare(db: DB) {
  const regNo = sql.placeholder('regNo');
  return {
    copied: db
      .select({ userId: projectCc.userId })
      .from(projectCc)
      .where(eq(projectCc.regNo, regNo))
      .orderBy(asc(projectCc.addedAt))
      .prepare(),
    activity: db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.regNo, regNo), inArray(auditLog.action, [...ACTIVITY_ACTIONS])))
      .orderBy(asc(auditLog.id))
      .prepare(),
  };
}
