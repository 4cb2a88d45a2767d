/**
 * The bare baseline of the decision benchmark: `node scripts/bench/bare-decision-server.mjs <port> <projects>`
 * (after `npm run build`). A Koa route doing what any card callback must — read the body, verify the signature
 * and freshness, decrypt, check the token — and one SQLite transaction of the decision's shape (claim the event,
 * compare-and-set the project, one audit row, two outbox rows) on prepared statements. Plain JavaScript on the
 * compiled verify code (dist/), like the product it is compared with; stops on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import Database from 'better-sqlite3';
import Koa from 'koa';
import { readRawBody } from '../../dist/src/http/middleware/raw-body.js';
import { checkToken, decrypt, SIGNATURE_HEADERS, verifySignature } from '../../dist/src/platforms/feishu/verify.js';
import { checkFreshness } from '../../dist/src/shared/verify.js';

const [portArg, projectsArg, encryptKey, verificationToken] = process.argv.slice(2);
const projects = Number(projectsArg);
const regNoOf = (i) => `HO-2026-${String(i + 1).padStart(6, '0')}`;
const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-bare-'));

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
const out = db.prepare("insert into outbox (platform, payload, status, created_at) values ('feishu', ?, 'pending', ?)");
const decide = db.transaction((eventId, regNo, actor) => {
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
  const h = (k) => {
    const v = ctx.headers[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const timestamp = h(SIGNATURE_HEADERS.timestamp);
  verifySignature({
    timestamp,
    nonce: h(SIGNATURE_HEADERS.nonce),
    signature: h(SIGNATURE_HEADERS.signature),
    rawBody: raw,
    encryptKey,
  });
  checkFreshness(timestamp, new Date());
  const envelope = JSON.parse(decrypt(JSON.parse(raw.toString('utf8')).encrypt, encryptKey));
  checkToken(envelope, verificationToken);
  const ok = decide(envelope.header.event_id, envelope.event.action.value.regNo, envelope.event.operator.open_id);
  ctx.type = 'application/json';
  ctx.body = { toast: { type: ok ? 'success' : 'error', content: ok ? '已受理' : '已处理' } };
});
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});
const app = new Koa();
app.use(router.routes());
const server = app.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  server.closeAllConnections();
});
