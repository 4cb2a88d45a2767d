import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ConsoleQueries, ConsoleReader } from '../app/console-ports';

type Call = { name: string; args: unknown[] };
const require = createRequire(import.meta.url);
/** tsx's ESM API (`tsx/esm/api`; resolved through the CommonJS entry, the ESM file sits beside it). */
const tsxApi = () => pathToFileURL(require.resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');

/** The worker file: compiled beside this one in dist/, the TypeScript source under tsx and vitest. */
function workerFile(): { file: URL; ts: boolean } {
  const js = new URL('./console.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { file: js, ts: false };
  return { file: new URL('./console.worker.ts', import.meta.url), ts: true };
}

/**
 * The console's queries in a worker thread (src/store/console.worker.ts) with its own read-only connection: a
 * 10-second aggregate never holds the bot's thread. Exports (`rows`) stay on the bot's connection: they are paged
 * in short statements already.
 */
export class WorkerConsoleReader implements ConsoleReader {
  /** Started at the first query: a bot whose console is never opened never pays for it. */
  private worker: Worker | null = null;
  private next = 1;
  private readonly waiting = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  /** Set once the worker has failed or stopped: later calls fail at once instead of waiting forever. */
  private dead: Error | null = null;

  constructor(
    private readonly path: string,
    private readonly local: ConsoleQueries,
    /** Tests: a SharedArrayBuffer whose first Int32 holds every query in the worker while it is 0. */
    private readonly gate?: SharedArrayBuffer,
  ) {}

  private start(): Worker {
    const { file, ts } = workerFile();
    const workerData = { path: this.path, ...(this.gate ? { gate: this.gate } : {}) };
    // From the sources (tsx, vitest) the worker registers tsx's loader itself, then imports the TypeScript file.
    const worker = ts
      ? new Worker(
          `import(${JSON.stringify(tsxApi())}).then((t) => { t.register(); return import(${JSON.stringify(file.href)}); });`,
          { eval: true, workerData },
        )
      : new Worker(file, { workerData });
    worker.unref();
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) w?.ok(m.value);
      else w?.fail(new Error(m.error));
    });
    const failAll = (e: Error) => {
      this.dead ??= e;
      for (const w of this.waiting.values()) w.fail(e);
      this.waiting.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', () => failAll(new Error('console worker stopped')));
    return worker;
  }

  private call<T>(name: string, args: unknown[]): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<T>((ok, fail) => {
      this.waiting.set(id, { ok: ok as (v: unknown) => void, fail });
      this.worker ??= this.start();
      this.worker.postMessage({ id, name, args } satisfies Call & { id: number });
    });
  }

  stages = () => this.call<ReturnType<ConsoleQueries['stages']>>('stages', []);
  totals = () => this.call<ReturnType<ConsoleQueries['totals']>>('totals', []);
  held = (...a: Parameters<ConsoleQueries['held']>) => this.call<ReturnType<ConsoleQueries['held']>>('held', a);
  overdueByOwner = (now: number) => this.call<ReturnType<ConsoleQueries['overdueByOwner']>>('overdueByOwner', [now]);
  overdueList = (...a: Parameters<ConsoleQueries['overdueList']>) =>
    this.call<ReturnType<ConsoleQueries['overdueList']>>('overdueList', a);
  cycleTimes = (now: number) => this.call<ReturnType<ConsoleQueries['cycleTimes']>>('cycleTimes', [now]);
  approvalTimes = (now: number) => this.call<ReturnType<ConsoleQueries['approvalTimes']>>('approvalTimes', [now]);
  project = (regNo: string) => this.call<ReturnType<ConsoleQueries['project']>>('project', [regNo]);
  timeline = (regNo: string) => this.call<ReturnType<ConsoleQueries['timeline']>>('timeline', [regNo]);
  audit = (...a: Parameters<ConsoleQueries['audit']>) => this.call<ReturnType<ConsoleQueries['audit']>>('audit', a);
  auditCount = () => this.call<number>('auditCount', []);
  rows = (table: Parameters<ConsoleQueries['rows']>[0]) => this.local.rows(table);

  async close(): Promise<void> {
    this.dead ??= new Error('console worker stopped');
    await this.worker?.terminate();
  }
}

/** `:memory:` databases (tests): a worker cannot see them, so the same queries run in-thread behind the same promises. */
export function inlineConsoleReader(q: ConsoleQueries): ConsoleReader {
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    async (...a: A): Promise<R> =>
      f.apply(q, a);
  return {
    stages: wrap(q.stages),
    totals: wrap(q.totals),
    held: wrap(q.held),
    overdueByOwner: wrap(q.overdueByOwner),
    overdueList: wrap(q.overdueList),
    cycleTimes: wrap(q.cycleTimes),
    approvalTimes: wrap(q.approvalTimes),
    project: wrap(q.project),
    timeline: wrap(q.timeline),
    audit: wrap(q.audit),
    auditCount: wrap(q.auditCount),
    rows: (t) => q.rows(t),
    close: async () => {},
  };
}
