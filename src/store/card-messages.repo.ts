import { asc, eq, sql } from 'drizzle-orm';
import type { CardMessage, CardMessageRepo } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { cardMessages } from './schema';

export class SqliteCardMessageRepo implements CardMessageRepo {
  /** Prepared once: every click and every card sent records or reads these. */
  private readonly s;

  constructor(db: DB) {
    const p = (n: string) => sql.placeholder(n);
    this.s = {
      record: db
        .insert(cardMessages)
        .values({
          regNo: p('regNo'),
          platform: p('platform'),
          messageId: p('messageId'),
          viewerId: p('viewerId'),
          kind: p('kind'),
          banner: p('banner'),
          renderedVersion: p('renderedVersion'),
          createdAt: p('createdAt'),
        })
        .onConflictDoUpdate({
          target: [cardMessages.platform, cardMessages.messageId],
          set: { renderedVersion: sql`excluded.rendered_version` },
        })
        .prepare(),
      forProject: db
        .select()
        .from(cardMessages)
        .where(eq(cardMessages.regNo, p('regNo')))
        .orderBy(asc(cardMessages.id))
        .prepare(),
    };
  }

  record(m: CardMessage, at: Date): void {
    this.s.record.run({
      regNo: m.regNo,
      platform: m.platform,
      messageId: m.messageId,
      viewerId: m.viewerId,
      kind: m.kind,
      banner: m.banner,
      renderedVersion: m.renderedVersion,
      createdAt: at,
    });
  }

  forProject(regNo: string): CardMessage[] {
    return this.s.forProject.all({ regNo }).map((r) => ({
      regNo: r.regNo,
      platform: r.platform as Platform,
      messageId: r.messageId,
      viewerId: r.viewerId,
      kind: r.kind,
      banner: r.banner,
      renderedVersion: r.renderedVersion,
    }));
  }
}
