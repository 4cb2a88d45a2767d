import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteConsoleQueries } from './console.queries';

/**
 * The console's read queries off the bot's thread: its own read-only connection to the same file (WAL lets it read
 * while the bot writes). Requests are `{ id, name, args }` naming a SqliteConsoleQueries method; answers carry the
 * rows or the error's message.
 */
const data = workerData as { path: string; gate?: SharedArrayBuffer };
const conn = new Database(data.path, { readonly: true, fileMustExist: true });
/** Tests: each query waits, blocking this thread as a long query would, until the gate's first cell is not 0. */
const gate = data.gate ? new Int32Array(data.gate) : null;
conn.pragma('busy_timeout = 5000');
const q = new SqliteConsoleQueries({ $client: conn });
const call = q as unknown as Record<string, (...a: unknown[]) => unknown>;

parentPort?.on('message', (m: { id: number; name: string; args: unknown[] }) => {
  try {
    const f = call[m.name];
    if (typeof f !== 'function' || m.name === 'rows') throw new Error(`unknown console query ${m.name}`);
    if (gate) Atomics.wait(gate, 0, 0);
    parentPort?.postMessage({ id: m.id, ok: true, value: f.apply(q, m.args) });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort?.on('close', () => conn.close());
