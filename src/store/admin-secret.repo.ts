import { randomBytes } from 'node:crypto';
import type { DB } from './db';

/** The console's cookie key when ADMIN_SESSION_SECRET is unset: generated once, kept in platform_state. */
export function storedSessionSecret(db: DB): string {
  const c = db.$client;
  c.prepare(
    "insert into platform_state (platform, key, value) values ('admin', 'session_secret', ?) on conflict do nothing",
  ).run(randomBytes(32).toString('base64url'));
  const row = c.prepare("select value from platform_state where platform = 'admin' and key = 'session_secret'").get() as
    | { value: string }
    | undefined;
  if (!row) throw new Error('admin session secret could not be stored');
  return row.value;
}
