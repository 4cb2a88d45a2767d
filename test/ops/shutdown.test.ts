import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db';
import { SqliteOutboxRepo } from '../../src/store/outbox.repo';
import { freePort } from '../helpers/free-port';

/** The simulator API answers scripts (no Origin header) only with the admin's token. */
const TOKEN = 'shutdown-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

import { REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'handoff-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function healthy(child: ChildProcess, url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited early (${child.exitCode})`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('not healthy in time');
}

describe('graceful shutdown of the start command', () => {
  it('SIGTERM to `npm start` stops the server with exit 0, the project stored and no lease held', async () => {
    const port = await freePort();
    const databasePath = join(dir, 'handoff.db');
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: databasePath,
        LOG_LEVEL: 'info',
        LOCAL_UI_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a failed run can clean up a server the signal did not reach
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await healthy(child, url, 90_000); // the start command compiles first
      // An open event stream (the simulator page) must not hold the shutdown up.
      const events = new AbortController();
      const stream = await fetch(`${url}/api/local/events`, { signal: events.signal, headers: AUTH });
      expect(stream.status).toBe(200);
      const said = await fetch(`${url}/api/local/say`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH },
        body: JSON.stringify({ userId: 'wang.sales', text: REGISTER_NORTH_UNSIGNED }),
      });
      expect(said.status).toBe(200);

      const t0 = Date.now();
      child.kill('SIGTERM');
      const result = await Promise.race([
        exited,
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`no exit in 5 s:\n${output}`)), 5000)),
      ]);
      expect(result, output).toEqual({ code: 0, signal: null });
      expect(Date.now() - t0).toBeLessThan(5000);
      events.abort();
    } finally {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone: every process in it exited
      }
    }
    expect(output).toContain('"msg":"stopped"');
    // Nothing else is still listening: the port is free again.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const db = new Database(databasePath, { readonly: true });
    const project = db.prepare('select reg_no from projects').all();
    const leased = db.prepare("select count(*) as n from outbox where status = 'pending' and locked_until is not null");
    const pending = db.prepare("select count(*) as n from outbox where status = 'pending'");
    const sent = db.prepare("select count(*) as n from outbox where status = 'sent'");
    expect(project).toEqual([{ reg_no: 'HO-2026-0001' }]);
    expect(leased.get()).toEqual({ n: 0 });
    expect(pending.get()).toEqual({ n: 0 }); // the registration's messages were delivered before exit
    expect((sent.get() as { n: number }).n).toBeGreaterThan(0);
    db.close();
  }, 120_000);
});

describe('outbox leases at shutdown', () => {
  it('releases the rows this process still holds and leases nothing more', () => {
    const db = openDb(':memory:');
    const repo = new SqliteOutboxRepo(db);
    const now = new Date('2026-12-01T10:00:00Z');
    const send = (i: number) => ({
      op: 'send',
      target: { kind: 'user', id: `u${i}` },
      view: { type: 'mine' },
      viewer: null,
    });
    for (let i = 0; i < 3; i++) repo.enqueue('local', send(i) as never, now);
    const until = new Date(now.getTime() + 60_000);
    const lease = (r: SqliteOutboxRepo, n: number) =>
      r.heads('local', now, n).filter((row) => r.claim(row.id, now, until));
    const rows = lease(repo, 2);
    expect(rows).toHaveLength(2);
    repo.markSent(rows[0]?.id ?? 0, 'm1', now);
    expect(repo.heldCount()).toBe(1);
    repo.stopLeasing();
    expect(lease(repo, 10)).toEqual([]);
    expect(repo.releaseHeld()).toBe(1);
    const locked = db.$client.prepare('select id from outbox where locked_until is not null').all();
    expect(locked).toEqual([]);
    // Released, not dropped: a fresh dispatcher (the next start) can lease the unsent rows at once.
    expect(lease(new SqliteOutboxRepo(db), 10)).toHaveLength(2);
    db.$client.close();
  });
});
