/**
 * The server side of the decision benchmark, run as its own process (so its RSS and CPU are its own):
 * `node --import tsx scripts/bench/decision-server.ts <product|bare> <fakeFeishuUrl> <projects>`.
 * - product: the whole app in Feishu webhook mode (encrypted, signed) with `projects` projects waiting for the
 *   commercial review, each with the reviewer's card recorded (so a click re-renders it inline, as in real use).
 * - bare: a Koa route doing the same verify + decrypt + token check and one SQLite transaction of the same shape
 *   (claim the event, compare-and-set the project, one audit row, two outbox rows) on prepared statements.
 * Tells the parent `{ port }` when listening; answers `rss` and `stop` messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import Database from 'better-sqlite3';
import Koa from 'koa';
import { readRawBody } from '../../src/http/middleware/raw-body';
import { checkToken, decrypt, SIGNATURE_HEADERS, verifySignature } from '../../src/platforms/feishu/verify';
import { checkFreshness } from '../../src/shared/verify';
import { BENCH_ENCRYPT_KEY, BENCH_VERIFICATION_TOKEN, regNoOf } from './decision-shared';

const [mode, fakeUrl, projectsArg] = process.argv.slice(2);
const projects = Number(projectsArg);
const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-decisions-'));
const send = (m: unknown) => process.send?.(m);

async function product(): Promise<{ port: number; stop: () => Promise<void> }> {
  // Imported here, so the bare server's RSS carries none of the app.
  const { bootstrap } = await import('../../src/bootstrap');
  const { silentLogger } = await import('../../src/shared/logger');
  const { testConfig } = await import('../../test/helpers/handoff');
  const { seedAwaitingReview } = await import('./decision-seed');
  const { APP, benchFeishuOrg } = await import('./decision-shared');
  const h = bootstrap(
    testConfig({
      databasePath: join(dir, 'handoff.db'),
      localUi: false,
      feishu: {
        ...APP,
        verificationToken: BENCH_VERIFICATION_TOKEN,
        encryptKey: BENCH_ENCRYPT_KEY,
        baseUrl: fakeUrl as string,
        mode: 'webhook',
      },
    }),
    { logger: silentLogger, scheduler: false, org: await benchFeishuOrg() },
  );
  seedAwaitingReview(h.deps, projects);
  const { server } = await h.listen();
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    stop: () => h.stop(),
  };
}

async function bare(): Promise<{ port: number; stop: () => Promise<void> }> {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`create table events(platform text, id text, at integer, primary key (platform, id));
    create table projects(reg_no text primary key, state text, version integer);
    create table audit(id integer primary key, reg_no text, action text, actor text, at integer);
    create table outbox(id integer primary key, platform text, payload text, status text, created_at integer);`);
  const ins = db.prepare("insert into projects values (?, 'in_approval', 1)");
  db.transaction(() => {
    for (let i = 0; i < projects; i++) ins.run(regNoOf(i));
  })();
  const claim = db.prepare("insert into events values ('feishu', ?, ?) on conflict do nothing");
  const cas = db.prepare(
    "update projects set state = 'accepted', version = version + 1 where reg_no = ? and version = ?",
  );
  const audit = db.prepare("insert into audit (reg_no, action, actor, at) values (?, 'approve', ?, ?)");
  const out = db.prepare(
    "insert into outbox (platform, payload, status, created_at) values ('feishu', ?, 'pending', ?)",
  );
  const decide = db.transaction((eventId: string, regNo: string, actor: string) => {
    const at = Date.now();
    if (claim.run(eventId, at).changes === 0) return false;
    if (cas.run(regNo, 1).changes === 0) return false;
    audit.run(regNo, actor, at);
    out.run(JSON.stringify({ op: 'send', regNo, to: actor }), at);
    out.run(JSON.stringify({ op: 'send', regNo, to: 'next' }), at);
    return true;
  });
  const router = new Router();
  router.post('/feishu/cards', async (ctx) => {
    const raw = await readRawBody(ctx, 1024 * 1024);
    const h = (k: string) => {
      const v = ctx.headers[k];
      return Array.isArray(v) ? v[0] : v;
    };
    const timestamp = h(SIGNATURE_HEADERS.timestamp);
    verifySignature({
      timestamp,
      nonce: h(SIGNATURE_HEADERS.nonce),
      signature: h(SIGNATURE_HEADERS.signature),
      rawBody: raw,
      encryptKey: BENCH_ENCRYPT_KEY,
    });
    checkFreshness(timestamp, new Date());
    const body = JSON.parse(raw.toString('utf8')) as { encrypt: string };
    const envelope = JSON.parse(decrypt(body.encrypt, BENCH_ENCRYPT_KEY)) as {
      header: { event_id: string };
      event: { operator: { open_id: string }; action: { value: { regNo: string } } };
    };
    checkToken(envelope, BENCH_VERIFICATION_TOKEN);
    const ok = decide(envelope.header.event_id, envelope.event.action.value.regNo, envelope.event.operator.open_id);
    ctx.type = 'application/json';
    ctx.body = { toast: { type: ok ? 'success' : 'error', content: ok ? '已受理' : '已处理' } };
  });
  const app = new Koa();
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    stop: async () => {
      await new Promise((r) => server.close(r));
      db.close();
    },
  };
}

if (mode === 'product' || mode === 'bare') {
  const s = mode === 'product' ? await product() : await bare();
  process.on('message', async (m: unknown) => {
    if (m === 'rss') {
      // Read as it stands (the outbox backlog is in SQLite; draining it at the platform's 50/s takes minutes).
      globalThis.gc?.();
      send({ rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
    } else if (m === 'stop') {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  send({ port: s.port });
}
