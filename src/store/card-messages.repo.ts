import { asc, eq } from 'drizzle-orm';
import type { CardMessage, CardMessageRepo } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { cardMessages } from './schema';

export class SqliteCardMessageRepo implements CardMessageRepo {
  constructor(private readonly db: DB) {}

  record(m: CardMessage, at: Date): void {
    this.db
      .insert(cardMessages)
      .values({ ...m, createdAt: at })
      .onConflictDoUpdate({
        target: [cardMessages.platform, cardMessages.messageId],
        set: { renderedVersion: m.renderedVersion },
      })
      .run();
  }

  forProject(regNo: string): CardMessage[] {
    return this.db
      .select()
      .from(cardMessages)
      .where(eq(cardMessages.regNo, regNo))
      .orderBy(asc(cardMessages.id))
      .all()
      .map((r) => ({
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
