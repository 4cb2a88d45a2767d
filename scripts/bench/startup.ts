/**
 * Bench scenario: start-up time to healthy of the compiled build (goal <= 2 s on the 2-core machine). Spawns
 * `node dist/src/main.js` on a fresh temp database and a free port and polls GET /healthz until it answers 200.
 * Baseline, measured in the same run: a bare `node` process that serves /healthz with node:http — the floor any
 * Node server pays (process start, one listen). Run alone with `tsx scripts/bench/startup.ts` after `npm run build`.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NODE_FLAGS } from '../../src/heap-settings';
import type { BenchContext, BenchRow, Scenario } from './runner';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/main.js');

export interface BenchResult {
  name: string;
  value: number;
  baseline: number;
  ratio: number;
  unit: string;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

export async function untilHealthy(child: ChildProcess, port: number, t0: number, timeoutMs = 30_000): Promise<number> {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  while (performance.now() - t0 < timeoutMs) {
    if (exited) throw new Error(`process exited before /healthz answered (exit ${child.exitCode})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`/healthz did not answer within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Milliseconds from spawn to the first 200 on /healthz. */
async function timeToHealthy(args: string[], env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    return await untilHealthy(child, port, t0);
  } finally {
    await stop(child);
  }
}

const BARE_SERVER = `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json');
  s.end('{"status":"ok"}'); }).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function benchStartup(RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3)): Promise<BenchResult> {
  if (!existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'handoff-startup-'));
  const values: number[] = [];
  const baselines: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const port = await freePort();
      baselines.push(await timeToHealthy(['-e', BARE_SERVER], { ...process.env, PORT: String(port) }, port));
      const appPort = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        PORT: String(appPort),
        HOST: '127.0.0.1',
        DATABASE_PATH: join(dir, `run-${i}.db`),
        LOG_LEVEL: 'warn',
      };
      values.push(await timeToHealthy([...NODE_FLAGS, MAIN], env, appPort));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const value = median(values);
  const baseline = median(baselines);
  return {
    name: 'startup to /healthz (compiled, fresh database)',
    value: +value.toFixed(0),
    baseline: +baseline.toFixed(0),
    ratio: +(value / baseline).toFixed(1),
    unit: 'ms',
  };
}

/** Builds dist/ when it is older than the sources (what `npm start` does). */
export async function buildIfStale(): Promise<void> {
  const build = spawn(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise((r) => build.once('exit', r));
  if (code !== 0) throw new Error(`build failed (${code})`);
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  await buildIfStale();
  const r = await benchStartup(ctx.size('runs'));
  return [
    {
      scenario: 'start-up to healthy',
      metric: r.name,
      unit: r.unit,
      value: r.value,
      baseline: r.baseline,
      ratio: r.ratio,
      target: '<= 2000 ms',
      ok: r.value <= 2000,
    },
  ];
}

export const startupScenarios: Scenario[] = [
  { name: 'startup', sizes: { runs: { full: 5, quick: 3, help: 'start-ups measured (the median is reported)' } }, run },
];

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const r = await benchStartup();
  process.stdout.write(`${JSON.stringify({ ...r, goalMs: 2000, ok: r.value <= 2000 })}\n`);
}
