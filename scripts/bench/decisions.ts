/**
 * Decisions over HTTP (issue 9): signed, encrypted Feishu card callbacks — the commercial reviewer approving, each
 * on another project — through the whole app (webhook route, verification, decryption, pipeline, transition,
 * outbox, the clicked card re-rendered inline; the outbox delivering to a local fake Feishu meanwhile), against a
 * bare Koa route doing the same verify + decrypt + one SQLite transaction. Each server runs compiled in its own
 * process, as deployed: the product is `node --max-semi-space-size=4 dist/src/main.js` (NODE_FLAGS, the start
 * command's) configured by environment alone, on a database seeded
 * by scripts/bench/decision-server.ts; the bare one is scripts/bench/bare-decision-server.mjs. This process generates
 * the load and hosts the fake Feishu. Measured for both: throughput saturated at 16 connections, p99 latency at a
 * steady 100 decisions/s, and the server's RSS (VmRSS, no forced GC) after every decision of the run (warm-up +
 * saturated + paced: 10k by default).
 * BENCH_CPU_PROF=dir writes a CPU profile of the product server there (node --cpu-prof); BENCH_NODE_FLAGS adds Node
 * flags to the product server (e.g. `--trace-gc`; its stdout goes to the server log); BENCH_MEM_DETAIL=1 prints the
 * server's memory map summary (/proc smaps_rollup) and thread count where RSS is read; BENCH_KEEP_LOG=prefix keeps
 * each server's log as prefix-<mode>.log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NODE_FLAGS } from '../../src/heap-settings';
import { startFakeFeishu } from '../../test/helpers/fake-feishu';
import { cardActionEvent, type Delivery, signAndEncrypt } from '../../test/helpers/feishu-deliveries';
import { COMMERCIAL_FORM } from '../../test/helpers/handoff';
import {
  APP,
  BENCH_ENCRYPT_KEY,
  BENCH_VERIFICATION_TOKEN,
  cardIdOf,
  REVIEWER_OPEN_ID,
  regNoOf,
} from './decision-shared';
import type { BenchContext, BenchRow, Scenario } from './runner';
import { buildIfStale, freePort, untilHealthy } from './startup';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'dist/src/main.js');
const BARE = join(ROOT, 'scripts/bench/bare-decision-server.mjs');
const CONNECTIONS = 16;
const RATE = 100;

interface Server {
  mode: 'product' | 'bare';
  child: ChildProcess;
  port: number;
  dir: string;
}

/** Runs a child to completion; throws with its exit code. */
async function runToEnd(args: string[]): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${args.join(' ')} exited (${code})`);
}

/**
 * product: the compiled app as `npm start` runs it (`node ${NODE_FLAGS} dist/src/main.js`, environment only) on a
 * database seeded beforehand by another process; bare: bare-decision-server.mjs. Both answer /healthz when ready.
 */
async function startServer(mode: 'product' | 'bare', fakeUrl: string, projects: number): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), `handoff-bench-${mode}-`));
  const port = await freePort();
  let args: string[];
  let env: NodeJS.ProcessEnv;
  if (mode === 'product') {
    await runToEnd(['--import', 'tsx', 'scripts/bench/decision-server.ts', 'seed', dir, String(projects)]);
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
    const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    args = [...prof, ...NODE_FLAGS, ...flags, MAIN];
    env = {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: join(dir, 'handoff.db'),
      ORG_FILE: join(dir, 'org.yaml'),
      FEISHU_APP_ID: APP.appId,
      FEISHU_APP_SECRET: APP.appSecret,
      FEISHU_VERIFICATION_TOKEN: BENCH_VERIFICATION_TOKEN,
      FEISHU_ENCRYPT_KEY: BENCH_ENCRYPT_KEY,
      FEISHU_BASE_URL: fakeUrl,
      FEISHU_MODE: 'webhook',
    };
  } else {
    args = [BARE, String(port), String(projects), BENCH_ENCRYPT_KEY, BENCH_VERIFICATION_TOKEN];
    env = { PATH: process.env.PATH };
  }
  // The server's log goes to a file, as to journald in production (a pipe to this busy process would slow it).
  const log = join(dir, 'server.log');
  const fd = openSync(log, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.once('exit', (code) => {
    if (code) process.stderr.write(`bench: decisions: ${mode} server exited (${code}); its log:\n${tail(log)}\n`);
  });
  await untilHealthy(child, port, t0, 60_000);
  return { mode, child, port, dir };
}

const tail = (file: string) => readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');

/**
 * CPU time the server process has used (user + system, all its threads), in ms. Less disturbed than throughput by
 * other processes on a shared machine: waiting for a core costs wall time, not CPU time. `mainThread`: the main
 * thread's alone (the one every request runs on, which bounds the throughput), without V8's compiler and GC helper
 * threads, whose share varies from run to run with how much code is still being optimized.
 */
function cpuMsOf(s: Server, mainThread = false): number {
  // Fields after the command name, which is in parentheses: utime and stime are the 12th and 13th (clock ticks).
  const path = mainThread ? `/proc/${s.child.pid}/task/${s.child.pid}/stat` : `/proc/${s.child.pid}/stat`;
  const stat = readFileSync(path, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times (100 on every mainstream architecture). */
const CLOCK_TICKS = 100;

/** The server's resident set as the kernel counts it (VmRSS), read from outside: no GC forced, as in production. */
function rssOf(s: Server): number {
  const line = readFileSync(`/proc/${s.child.pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  const kb = Number(line?.replace(/\D+/g, ''));
  if (!(kb > 0)) throw new Error(`no VmRSS for pid ${s.child.pid}`);
  if (process.env.BENCH_MEM_DETAIL) {
    const status = readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
    const threads = status.split('\n').find((l) => l.startsWith('Threads:'));
    const rollup = readFileSync(`/proc/${s.child.pid}/smaps_rollup`, 'utf8');
    process.stderr.write(`bench: decisions: pid ${s.child.pid} ${threads}\n${rollup}`);
  }
  return kb * 1024;
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    await exited;
  }
  const keep = process.env.BENCH_KEEP_LOG;
  if (keep) copyFileSync(join(s.dir, 'server.log'), `${keep}-${s.mode}.log`);
  rmSync(s.dir, { recursive: true, force: true });
}

/** Signed deliveries approving projects [from, to), stamped now (the server checks freshness). */
function deliveries(from: number, to: number): Delivery[] {
  const out: Delivery[] = [];
  const now = Date.now();
  for (let i = from; i < to; i++) {
    const envelope = cardActionEvent({
      openId: REVIEWER_OPEN_ID,
      messageId: cardIdOf(i),
      chatId: 'oc_zhao_biz',
      value: { v: 1, type: 'approve', regNo: regNoOf(i), round: 1, step: 0 },
      name: 'approve_form',
      formValue: { ...COMMERCIAL_FORM },
      createTime: now,
    });
    out.push(
      signAndEncrypt(envelope, {
        encryptKey: BENCH_ENCRYPT_KEY,
        verificationToken: BENCH_VERIFICATION_TOKEN,
        timestamp: Math.floor(now / 1000),
      }),
    );
  }
  return out;
}

/** POSTs one delivery; resolves with the latency (ms) and whether the answer was a success toast. */
function post(agent: Agent, port: number, d: Delivery): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  return new Promise((ok, fail) => {
    const req = request(
      { agent, host: '127.0.0.1', port, method: 'POST', path: '/feishu/cards', headers: d.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const success = res.statusCode === 200 && /"type":"success"/.test(body);
          ok({ ms: performance.now() - t0, ok: success });
        });
      },
    );
    req.on('error', fail);
    req.end(d.body);
  });
}

/** Keeps `connections` requests in flight until all are sent; returns decisions per second and failures. */
async function saturate(port: number, ds: Delivery[], connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < ds.length) {
        const d = ds[next++] as Delivery;
        if (!(await post(agent, port, d)).ok) failed++;
      }
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return { perSecond: (ds.length / ms) * 1000, failed };
}

/** Sends at a steady `rate` (open loop: a slow answer does not delay the next send); returns p50/p99 ms. */
async function paced(port: number, ds: Delivery[], rate: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const t0 = performance.now();
  const calls: Promise<{ ms: number; ok: boolean }>[] = [];
  for (let i = 0; i < ds.length; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(post(agent, port, ds[i] as Delivery));
  }
  const got = await Promise.all(calls);
  agent.destroy();
  const ms = got.map((g) => g.ms).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] as number;
  return { p50: q(0.5), p99: q(0.99), failed: got.filter((g) => !g.ok).length };
}

async function measure(mode: 'product' | 'bare', fakeUrl: string, saturated: number, PACED: number) {
  const WARMUP = Math.min(500, Math.ceil(saturated / 4));
  const total = WARMUP + saturated + PACED;
  const s = await startServer(mode, fakeUrl, total);
  const log = (what: string) => process.stderr.write(`bench: decisions: ${mode}: ${what}\n`);
  try {
    log(`listening, ${total} projects seeded`);
    const warm = await saturate(s.port, deliveries(0, WARMUP), CONNECTIONS);
    log(`warm-up done (${warm.perSecond.toFixed(0)}/s, ${warm.failed} failed)`);
    const batch = deliveries(WARMUP, WARMUP + saturated);
    const cpu0 = cpuMsOf(s);
    const main0 = cpuMsOf(s, true);
    const sat = await saturate(s.port, batch, CONNECTIONS);
    const cpuPerDecision = (cpuMsOf(s) - cpu0) / saturated;
    const mainCpuPerDecision = (cpuMsOf(s, true) - main0) / saturated;
    log(`saturated: ${sat.perSecond.toFixed(0)}/s`);
    await new Promise((r) => setTimeout(r, 500));
    const pace = await paced(s.port, deliveries(WARMUP + saturated, total), RATE);
    log(`paced: p99 ${pace.p99.toFixed(1)} ms`);
    const rss = rssOf(s);
    const failed = sat.failed + pace.failed;
    if (failed > 0) throw new Error(`${mode}: ${failed} decisions were not accepted`);
    return {
      perSecond: sat.perSecond,
      cpuPerDecision,
      mainCpuPerDecision,
      p50: pace.p50,
      p99: pace.p99,
      rssMb: rss / 2 ** 20,
      total,
    };
  } finally {
    await stopServer(s);
  }
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const saturated = ctx.size('decisions');
  const PACED = ctx.size('paced');
  await buildIfStale();
  const fake = await startFakeFeishu(APP, {});
  // The reviewer's cards the seed records, as if the bot had sent them: the card updates after each decision
  // then succeed as in real use instead of failing with "message not found".
  for (let i = 0; i < Math.min(500, Math.ceil(saturated / 4)) + saturated + PACED; i++) {
    const content = {};
    fake.messages.push({
      messageId: cardIdOf(i),
      receive_id_type: 'open_id',
      receive_id: REVIEWER_OPEN_ID,
      msg_type: 'interactive',
      content,
      uuid: undefined,
    });
  }
  try {
    const bare = await measure('bare', fake.baseUrl, saturated, PACED);
    const product = await measure('product', fake.baseUrl, saturated, PACED);
    const scenario = 'decisions: signed Feishu card callbacks over HTTP';
    type Measured = Awaited<ReturnType<typeof measure>>;
    /** One figure of both servers, product ÷ bare; `target` with whether the product's value meets it. */
    const row = (metric: string, unit: string, key: keyof Measured, target?: [string, (v: number) => boolean]) => ({
      scenario,
      metric,
      unit,
      value: product[key],
      baseline: bare[key],
      ratio: product[key] / bare[key],
      ...(target ? { target: target[0], ok: target[1](product[key]) } : {}),
    });
    return [
      row(`throughput, ${CONNECTIONS} connections (${saturated})`, '/s', 'perSecond', [
        '>= 0.5× bare',
        (v) => v >= 0.5 * bare.perSecond,
      ]),
      row(`server CPU time per decision, saturated (${saturated})`, 'ms', 'cpuPerDecision'),
      row(`of which the main thread, saturated (${saturated})`, 'ms', 'mainCpuPerDecision'),
      row(`p50 at ${RATE}/s (${PACED})`, 'ms', 'p50'),
      row(`p99 at ${RATE}/s (${PACED})`, 'ms', 'p99', ['<= 25 ms', (v) => v <= 25]),
      row(`server RSS after ${product.total} decisions`, 'MB', 'rssMb', ['<= 150 MB', (v) => v <= 150]),
    ];
  } finally {
    await fake.close();
  }
}

export const decisionScenarios: Scenario[] = [
  {
    name: 'decisions',
    sizes: {
      decisions: { full: 8500, quick: 2000, help: 'decisions in the saturated run (RSS is read after all)' },
      paced: { full: 1000, quick: 500, help: 'decisions sent at 100/s for the p99' },
    },
    run,
  },
];
