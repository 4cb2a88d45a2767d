/**
 * `npm run bench`: cost of one decision through the whole inbound pipeline (dedupe, parse, transition, audit,
 * outbox, delivery to the local platform), reported as a ratio against a baseline measured in the same run: the
 * bare SQLite work of the same transaction shape (claim + update + audit + outbox insert). The ratio is what to
 * watch across commits; absolute times on this 2-core, noisy machine are not.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config/env';
import { silentLogger } from '../src/shared/logger';

const N = Number(process.env.BENCH_N ?? 300);

function baseline(n: number): number {
  const db = new Database(':memory:');
  db.exec(`create table ev(id text primary key); create table p(id integer primary key, v integer, s text);
           create table a(id integer primary key, r text, t integer); create table o(id integer primary key, k text unique, j text, st text);`);
  db.prepare('insert into p values (1, 0, ?)').run('x');
  const tx = db.transaction((i: number) => {
    db.prepare('insert into ev values (?) on conflict do nothing').run(`e${i}`);
    db.prepare('update p set v = v + 1, s = ? where id = 1').run(JSON.stringify({ i }));
    db.prepare('insert into a (r, t) values (?, ?)').run('approve', i);
    for (let k = 0; k < 3; k++)
      db.prepare('insert into o (k, j, st) values (?, ?, ?)').run(`${i}-${k}`, '{}', 'pending');
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tx(i);
  const ms = performance.now() - t0;
  db.close();
  return ms / n;
}

async function pipeline(n: number): Promise<number> {
  const h = bootstrap(
    { ...loadConfig({}), databasePath: ':memory:', localUi: true, feishu: null },
    { logger: silentLogger, scheduler: false },
  );
  const local = h.local;
  if (!local) throw new Error('local platform is off');
  const register =
    '/register name=Bench customer=C kind=project region=north contract=HT signed=yes paid=yes req=https://r form=https://f';
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await local.say('wang.sales', register);
    await h.flush();
  }
  const ms = performance.now() - t0;
  await h.stop();
  return ms / n;
}

const base = baseline(N * 3);
const full = await pipeline(N);
const rss = process.memoryUsage().rss / 1024 / 1024;
process.stdout.write(
  `${JSON.stringify({ n: N, baselineMsPerTx: +base.toFixed(4), registerMsPerCommand: +full.toFixed(3), ratio: +(full / base).toFixed(1), rssMiB: +rss.toFixed(0) })}\n`,
);
