import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/store/checkpointer';
import { openDb } from '../../src/store/db';

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`never: ${what}`);
};

describe('checkpointer', () => {
  it('checkpoints the WAL from its own thread while the bot commits without checkpointing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handoff-ckpt-')), 'h.db');
    const db = openDb(path);
    const errors: string[] = [];
    const c = startCheckpointer(db, path, { everyMs: 50, onError: (m) => errors.push(m) });
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    db.$client.exec('create table t (x text)');
    const before = statSync(path).size;
    const ins = db.$client.prepare('insert into t values (?)');
    // ~2 MB in 200 commits: far under the bot's own threshold (10,000 pages), so only the worker moves them.
    for (let i = 0; i < 200; i++) db.$client.transaction(() => ins.run('x'.repeat(10_000)))();
    await until('the database file received the WAL pages', () => statSync(path).size > before + 1_000_000);
    await c.stop();
    expect(errors).toEqual([]);
    expect(db.$client.prepare('select count(*) n from t').get()).toEqual({ n: 200 });
    db.$client.close();
  });

  it('a worker that cannot start hands checkpoints back to the commits and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-ckpt-'));
    const db = openDb(join(dir, 'h.db'));
    const errors: string[] = [];
    const c = startCheckpointer(db, join(dir, 'missing.db'), { onError: (m) => errors.push(m) });
    await until('the failure was reported', () => errors.length > 0);
    expect(errors[0]).toMatch(/checkpoint worker failed/);
    expect(db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await c.stop();
    db.$client.close();
  });
});
