/**
 * One registration through the whole inbound pipeline on the local platform (dedupe, parse, transition, audit,
 * outbox, delivery), against the bare SQLite work of the same transaction shape (claim + update + audit + 3 outbox
 * inserts) on prepared statements.
 */
import Database from 'better-sqlite3';
import { bootstrap } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/env';
import { silentLogger } from '../../src/shared/logger';
import type { BenchContext, BenchRow, Scenario } from './runner';

function baseline(n: number): number {
  const db = new Database(':memory:');
  db.exec(`create table ev(id text primary key); create table p(id integer primary key, v integer, s text);
           create table a(id integer primary key, r text, t integer); create table o(id integer primary key, k text unique, j text, st text);`);
  db.prepare('insert into p values (1, 0, ?)').run('x');
  const ev = db.prepare('insert into ev values (?) on conflict do nothing');
  const up = db.prepare('update p set v = v + 1, s = ? where id = 1');
  const au = db.prepare('insert into a (r, t) values (?, ?)');
  const ob = db.prepare('insert into o (k, j, st) values (?, ?, ?)');
  const tx = db.transaction((i: number) => {
    ev.run(`e${i}`);
    up.run(JSON.stringify({ i }));
    au.run('approve', i);
    for (let k = 0; k < 3; k++) ob.run(`${i}-${k}`, '{}', 'pending');
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

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const N = ctx.size('commands');
  const base = baseline(N * 3);
  const full = await pipeline(N);
  return [
    {
      scenario: 'register through the pipeline (local)',
      metric: `time per command (${N})`,
      unit: 'ms',
      value: full,
      baseline: base,
      ratio: full / base,
    },
  ];
}

export const registerScenarios: Scenario[] = [
  { name: 'register', sizes: { commands: { full: 300, quick: 100, help: 'registrations typed in a row' } }, run },
];
