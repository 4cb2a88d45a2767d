import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DB } from './db';

/**
 * WAL checkpoints off the bot's thread. By default SQLite checkpoints inside the commit that crosses 1,000 WAL pages:
 * that commit then copies the pages into the database file and, with `synchronous = NORMAL`, syncs the WAL and the
 * file (two fsyncs) while every card click waits (~9 % of the decision benchmark's CPU, and its latency spikes).
 * Here a worker thread with its own connection runs a PASSIVE checkpoint (never blocks a writer) every `everyMs`;
 * the bot's own connection keeps an automatic checkpoint only as a safety net, at `fallbackPages`, should the
 * worker fall behind or stop. The worker is plain JavaScript evaluated in place: it needs nothing but the driver.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let failing = null;
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failing = null;
  } catch (e) {
    // Told once per kind of failure, not twice a second while it lasts.
    const error = String((e && e.message) || e);
    if (error !== failing) parentPort.postMessage({ error });
    failing = error;
  }
};
const timer = setInterval(run, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface Checkpointer {
  /** Stops the worker (before the bot's connection closes, which then runs the last checkpoint itself). */
  stop(): Promise<void>;
}

export function startCheckpointer(
  db: DB,
  path: string,
  opts: { everyMs?: number; fallbackPages?: number; onError: (message: string) => void },
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, driver, everyMs: opts.everyMs ?? 500 } });
  worker.unref();
  db.$client.pragma(`wal_autocheckpoint = ${opts.fallbackPages ?? 10_000}`);
  let exited = false;
  const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallback = (why: string) => {
    if (exited) return;
    exited = true;
    // The worker is gone: the commits checkpoint again as SQLite does by default.
    db.$client.pragma('wal_autocheckpoint = 1000');
    opts.onError(why);
  };
  worker.on('message', (m: { error?: string }) => {
    if (m.error) opts.onError(`checkpoint failed: ${m.error}`);
  });
  worker.on('error', (e) => fallback(`checkpoint worker failed: ${e.message}`));
  worker.on('exit', (code) => {
    if (code !== 0) fallback(`checkpoint worker exited (${code})`);
    exited = true;
  });
  return {
    async stop() {
      if (exited) return;
      const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('stop');
      await Promise.race([stopped, gone]);
      exited = true;
      await worker.terminate();
    },
  };
}
