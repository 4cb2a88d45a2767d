import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { parseOrgFile } from '../../src/config/org-file';
import { SqliteConsoleQueries } from '../../src/store/console.queries';
import { WorkerConsoleReader } from '../../src/store/console-reader';
import { CONSOLE_ORG } from '../helpers/admin-console';
import { createTestHandoff, LocalChat } from '../helpers/handoff';

/** How long the worker thread may take on a busy machine (vi.waitFor's 1 s default is too short under load). */
const WORKER_WAIT = { timeout: 15_000, interval: 20 };
let h: ReturnType<typeof createTestHandoff> | null = null;
let dir = '';
afterEach(async () => {
  await h?.stop();
  h = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function fileHandoff() {
  dir = mkdtempSync(join(tmpdir(), 'handoff-console-worker-'));
  const path = join(dir, 'h.db');
  h = createTestHandoff({ org: parseOrgFile(CONSOLE_ORG, 'console-org.yaml'), databasePath: path });
  seedDatabase(h.db, { projects: 60, now: h.clock.now() });
  return { h, path };
}

describe('console queries in a worker thread', () => {
  it('a file database gets a worker with its own connection that sees the bot’s writes', async () => {
    const { h } = fileHandoff();
    expect(h.deps.console).toBeInstanceOf(WorkerConsoleReader);
    const local = new SqliteConsoleQueries(h.db);
    expect(await h.deps.console?.totals()).toEqual(local.totals());
    const now = h.clock.now().getTime();
    expect(await h.deps.console?.cycleTimes(now)).toEqual(local.cycleTimes(now));
    await expect(h.deps.console?.project('HO-2099-999999')).resolves.toBeNull();
  });

  it('while an aggregate holds the worker, a command is answered; /stats follows when the worker is done', async () => {
    const { h, path } = fileHandoff();
    const gate = new SharedArrayBuffer(4);
    const reader = new WorkerConsoleReader(path, new SqliteConsoleQueries(h.db), gate);
    await h.deps.console?.close();
    h.deps.console = reader;
    const chat = new LocalChat(h);

    await chat.say('sun.director', '/stats');
    expect(chat.lastText('sun.director')).toContain('正在统计');
    // The worker is blocked inside its first query (as a 10-second scan would hold it): the bot still answers.
    const before = chat.texts('wang.sales').length;
    await chat.say('wang.sales', '/help');
    expect(chat.texts('wang.sales')).toHaveLength(before + 1);
    await h.flush();
    expect(chat.lastText('sun.director')).toContain('正在统计');

    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    await vi.waitFor(async () => {
      await h.flush();
      expect(chat.lastText('sun.director')).toContain('项目统计');
    }, WORKER_WAIT);
  });

  it('a stopped worker fails its callers at once instead of leaving them waiting', async () => {
    const { h } = fileHandoff();
    await h.deps.console?.close();
    await expect(h.deps.console?.totals()).rejects.toThrow();
  });
});
