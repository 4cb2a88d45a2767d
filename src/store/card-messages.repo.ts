import type { CardMessage, CardMessageRepo } from '../app/ports';
import type { Platform } from '../platforms/types';
import type { DB } from './db';

interface Row {
  reg_no: string;
  platform: string;
  message_id: string;
  viewer_id: string | null;
  kind: CardMessage['kind'];
  banner: string | null;
  rendered_version: number;
}

export class SqliteCardMessageRepo implements CardMessageRepo {
  /** Plain prepared statements: every click and every card sent records or reads these. */
  private readonly s;

  constructor(db: DB) {
    const c = db.$client;
    this.s = {
      record: c.prepare(
        `insert into card_messages (reg_no, platform, message_id, viewer_id, kind, banner, rendered_version, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (platform, message_id) do update set rendered_version = excluded.rendered_version`,
      ),
      forProject: c.prepare(
        `select reg_no, platform, message_id, viewer_id, kind, banner, rendered_version from card_messages
         where reg_no = ? order by id`,
      ),
    };
  }

  record(m: CardMessage, at: Date): void {
    this.s.record.run(m.regNo, m.platform, m.messageId, m.viewerId, m.kind, m.banner, m.renderedVersion, at.getTime());
  }

  forProject(regNo: string): CardMessage[] {
    return (this.s.forProject.all(regNo) as Row[]).map((r) => ({
      regNo: r.reg_no,
      platform: r.platform as Platform,
      messageId: r.message_id,
      viewerId: r.viewer_id,
      kind: r.kind,
      banner: r.banner,
      renderedVersion: r.rendered_version,
    }));
  }
}
