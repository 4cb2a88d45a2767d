/**
 * The directory part of `npm run process:check`: who of the org file is given by e-mail/mobile and what the
 * platforms answered so far, read (read-only, never migrated) from the bot's database. Platforms: those configured in
 * the environment (FEISHU_APP_ID, DINGTALK_CLIENT_ID, WECOM_CORP_ID) plus those with answers in the database.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { type ContactAnswer, Directory, describeUnresolved } from '../src/app/directory';
import type { OrgFile } from '../src/config/org-file';
import { CONTACT_KINDS, type ContactLookup, type Platform } from '../src/platforms/types';
import { silentLogger } from '../src/shared/logger';
import type { DB } from '../src/store/db';
import { SqliteDirectoryCache } from '../src/store/directory-cache.repo';
import * as schema from '../src/store/schema';

const ENV_KEYS = { feishu: 'FEISHU_APP_ID', dingtalk: 'DINGTALK_CLIENT_ID', wecom: 'WECOM_CORP_ID' } as const;

function cachedAnswers(dbPath: string): ContactAnswer[] {
  if (dbPath === ':memory:' || !existsSync(dbPath)) return [];
  const sqlite = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'directory_cache'").get();
    return table ? new SqliteDirectoryCache(drizzle(sqlite, { schema }) as DB).all() : [];
  } finally {
    sqlite.close();
  }
}

export function directoryStatus(org: OrgFile, dbPath: string, env: NodeJS.ProcessEnv): string[] {
  const given = org.users.filter((u) => u.email || u.mobile);
  if (given.length === 0) return [];
  const answers = cachedAnswers(dbPath);
  const platforms = (Object.keys(CONTACT_KINDS) as (keyof typeof CONTACT_KINDS)[]).filter(
    (p) => env[ENV_KEYS[p]] || answers.some((a) => a.platform === p),
  );
  if (platforms.length === 0) {
    return [
      `directory: ${given.length} people given by e-mail/mobile; no platform configured (FEISHU_*, DINGTALK_*, WECOM_*), so they are reachable in the simulator only`,
    ];
  }
  const notAsked: ContactLookup['lookup'] = () => Promise.reject(new Error('process:check asks no platform'));
  const lookups = new Map<Platform, ContactLookup>(
    platforms.map((p) => [p, { kinds: CONTACT_KINDS[p], batch: 1, perSecond: 1, lookup: notAsked }]),
  );
  const directory = new Directory({
    cache: { all: () => answers, save: () => {} },
    lookups,
    clock: { now: () => new Date() },
    logger: silentLogger,
  });
  const unresolved = describeUnresolved(directory.unresolved(org));
  const source = answers.length ? `answers from ${dbPath}` : `no answers yet in ${dbPath}: the bot asks at start-up`;
  return [
    `directory (${platforms.join(', ')}; ${source}): ${given.length} people given by e-mail/mobile, ${unresolved.length} not reachable`,
    ...unresolved.map((l) => `  - ${l}`),
  ];
}
