import { and, eq } from 'drizzle-orm';
import type { OrgRepo } from '../app/ports';
import { type OrgFile, regionsOf } from '../config/org-file';
import { ANY_REGION, type OrgView, type Role, type UserId } from '../domain/org';
import type { Platform } from '../platforms/types';
import type { DB } from './db';
import { identities, orgChats, regions, roleMembers, users } from './schema';

const CHAT_PLATFORMS = ['feishu', 'dingtalk', 'wecom'] as const;

export class SqliteOrgRepo implements OrgRepo {
  private cached: OrgView | null = null;

  /** With `delegations`, every view carries the delegations running at `now()` (OrgView.delegates). */
  constructor(
    private readonly db: DB,
    private readonly delegations?: { active(now: Date): Record<UserId, UserId> },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Replaces the directory with the file's content in one transaction (idempotent: loading the same file twice
   * leaves the same rows). Every user also gets a `local` identity equal to their id, for the local simulator.
   */
  load(org: OrgFile): void {
    this.db.transaction((tx) => {
      for (const t of [identities, roleMembers, orgChats, regions, users]) tx.delete(t).run();
      for (const u of org.users) {
        tx.insert(users).values({ id: u.id, name: u.name }).run();
        tx.insert(identities).values({ platform: 'local', platformUserId: u.id, userId: u.id }).run();
        for (const p of CHAT_PLATFORMS) {
          const pid = u[p];
          if (pid) tx.insert(identities).values({ platform: p, platformUserId: pid, userId: u.id }).run();
        }
      }
      for (const [role, members] of Object.entries(org.roles)) {
        const byRegion = Array.isArray(members) ? { [ANY_REGION]: members } : (members ?? {});
        for (const [region, list] of Object.entries(byRegion)) {
          for (const userId of new Set(list)) tx.insert(roleMembers).values({ role, region, userId }).run();
        }
      }
      for (const r of regionsOf(org))
        tx.insert(regions)
          .values({ id: r, name: org.region_names?.[r] ?? r })
          .run();
      for (const [purpose, ids] of Object.entries(org.chats ?? {})) {
        for (const p of CHAT_PLATFORMS) {
          const chatId = ids[p];
          if (chatId) tx.insert(orgChats).values({ purpose, platform: p, chatId }).run();
        }
        tx.insert(orgChats).values({ purpose, platform: 'local', chatId: purpose }).run();
      }
    });
    this.cached = null;
  }

  view(): OrgView {
    const base = this.directory();
    const delegates = this.delegations?.active(this.now());
    return delegates && Object.keys(delegates).length ? { ...base, delegates } : base;
  }

  private directory(): OrgView {
    if (this.cached) return this.cached;
    const view: OrgView = { users: {}, members: {}, regions: [], regionNames: {} };
    for (const u of this.db.select().from(users).all()) view.users[u.id] = { name: u.name };
    for (const m of this.db.select().from(roleMembers).all()) {
      const role = m.role as Role;
      const byRegion = view.members[role] ?? {};
      view.members[role] = byRegion;
      byRegion[m.region] = [...(byRegion[m.region] ?? []), m.userId];
    }
    for (const r of this.db.select().from(regions).all()) {
      view.regions.push(r.id);
      view.regionNames[r.id] = r.name;
    }
    this.cached = view;
    return view;
  }

  userByIdentity(platform: Platform, platformUserId: string): UserId | null {
    const row = this.db
      .select({ userId: identities.userId })
      .from(identities)
      .where(and(eq(identities.platform, platform), eq(identities.platformUserId, platformUserId)))
      .get();
    return row?.userId ?? null;
  }

  identitiesOf(userId: UserId): { platform: Platform; platformUserId: string }[] {
    return this.db
      .select({ platform: identities.platform, platformUserId: identities.platformUserId })
      .from(identities)
      .where(eq(identities.userId, userId))
      .all() as { platform: Platform; platformUserId: string }[];
  }

  chatPurposes(platform: Platform): string[] {
    const rows = this.db
      .selectDistinct({ purpose: orgChats.purpose })
      .from(orgChats)
      .where(eq(orgChats.platform, platform))
      .all();
    return rows.map((r) => r.purpose);
  }

  chats(purpose: string): { platform: Platform; chatId: string }[] {
    return this.db
      .select({ platform: orgChats.platform, chatId: orgChats.chatId })
      .from(orgChats)
      .where(eq(orgChats.purpose, purpose))
      .all() as { platform: Platform; chatId: string }[];
  }
}
