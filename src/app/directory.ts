/**
 * The directory: org users given by `email` and/or `mobile` get their platform ids from each running platform's
 * contact API. Answers are cached in SQLite; the org loaded into the store is the file with the cached ids filled in
 * (ids written in the file win). Until a person is resolved they are simply not reachable on that platform.
 *
 * `resolve` asks only what has no answer yet (start-up, a reloaded org file) or everything (`refresh`, the daily
 * job); e-mails first, then the mobiles of people still unresolved. Calls are paced per platform
 * (`ContactLookup.perSecond`); a failed call is retried (after the platform's `retryAfterMs` for a rate limit) up to
 * `maxAttempts` times, then its values are recorded as `failed` — an id found earlier is kept.
 */
import type { OrgFile } from '../config/org-file';
import type { UserId } from '../domain/org';
import { type ContactKind, type ContactLookup, type Platform, PlatformApiError } from '../platforms/types';
import type { Logger } from '../shared/logger';
import type { Clock } from './ports';

export type ContactStatus = 'found' | 'not_found' | 'failed';

export interface ContactAnswer {
  platform: Platform;
  kind: ContactKind;
  value: string;
  platformUserId: string | null;
  status: ContactStatus;
  error: string | null;
  checkedAt: Date;
}

export interface DirectoryCache {
  all(): ContactAnswer[];
  save(answers: ContactAnswer[]): void;
}

/** Someone given by e-mail/mobile who has no id on a running platform, and why. */
export interface Unresolved {
  userId: UserId;
  name: string;
  platform: Platform;
  /** not_found: the platform knows no such person; failed: the lookup failed (`error`); pending: not asked yet;
   * unsupported: only an e-mail, which this platform cannot look up (DingTalk); conflict: the id found is already
   * another user's (`error` names them). */
  reason: 'not_found' | 'failed' | 'pending' | 'unsupported' | 'conflict';
  email?: string;
  mobile?: string;
  error?: string;
}

export interface ResolveReport {
  /** Values asked, calls made, and the answers by status. */
  asked: number;
  calls: number;
  found: number;
  notFound: number;
  failed: number;
  unresolved: Unresolved[];
}

export interface DirectoryOptions {
  cache: DirectoryCache;
  /** The running platforms' contact APIs. */
  lookups: ReadonlyMap<Platform, ContactLookup>;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
}

const PLATFORM_ID_KEYS = ['feishu', 'dingtalk', 'wecom'] as const;
type IdPlatform = (typeof PLATFORM_ID_KEYS)[number];
const isIdPlatform = (p: Platform): p is IdPlatform => (PLATFORM_ID_KEYS as readonly string[]).includes(p);
/** Failed lookups in a row after which a platform's pass stops asking. */
export const GIVE_UP_AFTER = 3;
const cacheKey = (p: Platform, kind: ContactKind, value: string) => `${p}\u0000${kind}\u0000${value}`;

export class Directory {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: DirectoryOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The platforms whose contact API is used. */
  platforms(): IdPlatform[] {
    return [...this.opts.lookups.keys()].filter(isIdPlatform);
  }

  /** `org` with the platform ids found so far filled in where the file has none (pure read of the cache). */
  fill(org: OrgFile): OrgFile {
    return this.assign(org, this.answers()).org;
  }

  /** Everyone given by e-mail or mobile who has no id on a running platform (what the admin console lists). */
  unresolved(org: OrgFile): Unresolved[] {
    return this.assign(org, this.answers()).unresolved;
  }

  /** Asks the contact APIs what has no answer yet (`refresh`: everything) and caches the answers. */
  async resolve(org: OrgFile, opts: { refresh?: boolean } = {}): Promise<ResolveReport> {
    const refresh = opts.refresh ?? false;
    const tally = { asked: 0, calls: 0, found: 0, notFound: 0, failed: 0 };
    await Promise.all(
      this.platforms().map(async (p) => {
        const lookup = this.opts.lookups.get(p);
        if (!lookup) return;
        const streak = { failures: 0 };
        for (const kind of ['email', 'mobile'] as const) {
          if (!lookup.kinds.includes(kind)) continue;
          const answers = this.answers();
          const values = new Set<string>();
          for (const u of org.users) {
            const value = u[kind];
            if (u[p] || !value) continue;
            // Someone already found by e-mail is not asked again by mobile.
            if (kind === 'mobile' && u.email && answers.get(cacheKey(p, 'email', u.email))?.status === 'found')
              continue;
            const known = answers.get(cacheKey(p, kind, value));
            if (refresh || !known || known.status === 'failed') values.add(value);
          }
          await this.ask(p, lookup, kind, [...values], answers, tally, streak);
        }
      }),
    );
    const { unresolved } = this.assign(org, this.answers());
    return { ...tally, unresolved };
  }

  private async ask(
    p: Platform,
    lookup: ContactLookup,
    kind: ContactKind,
    values: string[],
    known: Map<string, ContactAnswer>,
    tally: { asked: number; calls: number; found: number; notFound: number; failed: number },
    streak: { failures: number; error?: string },
  ): Promise<void> {
    const pace = Math.ceil(1000 / Math.max(1, lookup.perSecond));
    const maxAttempts = this.opts.maxAttempts ?? 3;
    for (let i = 0; i < values.length; i += lookup.batch) {
      const chunk = values.slice(i, i + lookup.batch);
      tally.asked += chunk.length;
      let result: Map<string, string> | null = null;
      let error = '';
      // Lookups failing one after another (no permission, bad credentials) stop the platform's pass: the rest is
      // recorded as failed unasked — WeCom blocks the lookups for a day when too many of them fail.
      const giveUp = streak.failures >= GIVE_UP_AFTER;
      if (giveUp) error = `not asked after ${GIVE_UP_AFTER} failed lookups in a row (${streak.error ?? ''})`;
      for (let attempt = 1; attempt <= maxAttempts && !giveUp; attempt++) {
        if (tally.calls > 0) await this.sleep(pace);
        tally.calls++;
        try {
          result = await lookup.lookup(kind, chunk);
          break;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
          const retry = e instanceof PlatformApiError && !e.opts.permanent;
          if (!retry || attempt === maxAttempts) break;
          await this.sleep(e.opts.retryAfterMs ?? 1000);
        }
      }
      const at = this.opts.clock.now();
      const saved: ContactAnswer[] = chunk.map((value) => {
        const id = result?.get(value);
        if (result && id)
          return { platform: p, kind, value, platformUserId: id, status: 'found', error: null, checkedAt: at };
        if (result)
          return { platform: p, kind, value, platformUserId: null, status: 'not_found', error: null, checkedAt: at };
        const before = known.get(cacheKey(p, kind, value));
        // A failed lookup keeps the id found earlier (the person stays reachable); it is asked again next pass.
        if (before?.status === 'found') return { ...before, error, checkedAt: at };
        return { platform: p, kind, value, platformUserId: null, status: 'failed', error, checkedAt: at };
      });
      if (!result) {
        tally.failed += chunk.length;
        if (!giveUp) {
          streak.failures++;
          streak.error = error;
          this.opts.logger.warn('directory lookup failed', { platform: p, kind, values: chunk.length, error });
        }
      } else {
        streak.failures = 0;
        tally.found += saved.filter((a) => a.status === 'found').length;
        tally.notFound += saved.filter((a) => a.status === 'not_found').length;
      }
      this.opts.cache.save(saved);
    }
  }

  private answers(): Map<string, ContactAnswer> {
    return new Map(this.opts.cache.all().map((a) => [cacheKey(a.platform, a.kind, a.value), a]));
  }

  private assign(org: OrgFile, answers: Map<string, ContactAnswer>): { org: OrgFile; unresolved: Unresolved[] } {
    const unresolved: Unresolved[] = [];
    const users = org.users.map((u) => ({ ...u }));
    for (const p of this.platforms()) {
      const lookup = this.opts.lookups.get(p);
      if (!lookup) continue;
      const owner = new Map<string, UserId>();
      for (const u of users) if (u[p]) owner.set(u[p], u.id);
      for (const u of users) {
        if (u[p] || (!u.email && !u.mobile)) continue;
        const contact = { ...(u.email ? { email: u.email } : {}), ...(u.mobile ? { mobile: u.mobile } : {}) };
        const tried = (['email', 'mobile'] as const)
          .filter((k) => u[k] && lookup.kinds.includes(k))
          .map((k) => answers.get(cacheKey(p, k, u[k] as string)));
        const hit = tried.find((a) => a?.status === 'found' && a.platformUserId);
        const base = { userId: u.id, name: u.name, platform: p, ...contact };
        if (hit?.platformUserId) {
          const other = owner.get(hit.platformUserId);
          if (other === undefined) {
            u[p] = hit.platformUserId;
            owner.set(hit.platformUserId, u.id);
            continue;
          }
          unresolved.push({
            ...base,
            reason: 'conflict',
            error: `${p} id ${hit.platformUserId} is already ${other}'s`,
          });
          continue;
        }
        if (tried.length === 0) unresolved.push({ ...base, reason: 'unsupported' });
        else if (tried.some((a) => a === undefined)) unresolved.push({ ...base, reason: 'pending' });
        else if (tried.some((a) => a?.status === 'failed')) {
          const error = tried.find((a) => a?.status === 'failed')?.error ?? '';
          unresolved.push({ ...base, reason: 'failed', error });
        } else unresolved.push({ ...base, reason: 'not_found' });
      }
    }
    return { org: { ...org, users }, unresolved };
  }
}

const REASONS: Record<Unresolved['reason'], string> = {
  not_found: 'not found',
  failed: 'lookup failed',
  pending: 'not asked yet',
  unsupported: 'no lookup by e-mail on this platform; add a mobile or the id',
  conflict: 'id taken',
};

/** A mobile for logs: the first three and last four digits (138****0009). */
export const maskMobile = (m: string): string => (m.length > 7 ? `${m.slice(0, 3)}****${m.slice(-4)}` : '****');

/** One line per person: for `npm run process:check` in full, for the log with mobiles masked. */
export function describeUnresolved(list: Unresolved[], opts: { maskMobiles?: boolean } = {}): string[] {
  return list.map((u) => {
    const mobile = u.mobile && opts.maskMobiles ? maskMobile(u.mobile) : u.mobile;
    const by = [u.email, mobile].filter(Boolean).join(', ');
    return `${u.platform}: ${u.userId} (${u.name}; ${by}) — ${REASONS[u.reason]}${u.error ? `: ${u.error}` : ''}`;
  });
}
