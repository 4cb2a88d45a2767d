import type { ActivityRepo } from '../app/ports';
import { ACTIVITY_ACTIONS, type Decision } from '../domain/project';
import type { DB } from './db';
import { DECISION_COLUMNS, decisionFromRaw, placeholders, type RawDecision } from './decision-rows';
import { projectCc } from './schema';

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
    return (this.s.copied.all(regNo) as { user_id: string }[]).map((r) => r.user_id);
  }

  addCopy(regNo: string, userId: string, addedBy: string, at: Date): boolean {
    const res = this.db.insert(projectCc).values({ regNo, userId, addedBy, addedAt: at }).onConflictDoNothing().run();
    return res.changes === 1;
  }

  activity(regNo: string): Decision[] {
    return (this.s.activity.all(regNo, ...ACTIVITY_ACTIONS) as RawDecision[]).map(decisionFromRaw);
  }
}

function prepare(db: DB) {
  const c = db.$client;
  return {
    copied: c.prepare('select user_id from project_cc where reg_no = ? order by added_at'),
    activity: c.prepare(
      `select ${DECISION_COLUMNS} from audit_log where reg_no = ? and action in (${placeholders(ACTIVITY_ACTIONS.length)})
       order by id`,
    ),
  };
}
