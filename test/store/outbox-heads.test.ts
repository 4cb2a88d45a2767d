import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxPayload } from '../../src/app/ports';
import { openDb } from '../../src/store/db';
import { SqliteOutboxRepo } from '../../src/store/outbox.repo';
import { createTestHandoff, LocalChat } from '../helpers/handoff';
import { databaseBefore } from '../helpers/migrations';

const text = (user: string, t: string): OutboxPayload => ({
  op: 'send',
  target: { kind: 'user', id: user },
  view: { type: 'text', text: t },
  viewer: null,
});
const at = new Date('2026-12-01T09:00:00Z');
const later = new Date(at.getTime() + 60_000);

/** Heads as the engine sees them: conversation → the text of its head row. */
function heads(repo: SqliteOutboxRepo, now = at) {
  return Object.fromEntries(
    repo
      .heads('local', now, 100)
      .map((r) => [r.conversation, (r.payload as { view: { text: string } }).view.text] as const),
  );
}

/** At most one head per conversation among pending rows, and it is the lowest pending id (the invariant). */
function invariantHolds(db: Database.Database): void {
  const wrong = db
    .prepare(
      `select conversation from outbox o where status = 'pending' and head <> (id = (
         select min(id) from outbox p where p.platform = o.platform and p.conversation = o.conversation
           and p.status = 'pending'))`,
    )
    .all();
  expect(wrong).toEqual([]);
}

describe('outbox conversation heads', () => {
  it('the lowest pending row of each conversation is its head, through sends, retries and dead letters', () => {
    const db = openDb(':memory:');
    const repo = new SqliteOutboxRepo(db);
    for (const [u, t] of [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['b', 'b2'],
      ['a', 'a3'],
      ['c', 'c1'],
    ] as const)
      repo.enqueue('local', text(u, t), at);
    expect(heads(repo)).toEqual({ 'user:a': 'a1', 'user:b': 'b1', 'user:c': 'c1' });
    invariantHolds(db.$client);

    const ids = Object.fromEntries(repo.heads('local', at, 100).map((r) => [r.conversation, r.id]));
    repo.markSent(ids['user:a'] as number, 'm1', at);
    // A retry keeps the row at its conversation's head: b2 waits (and b is not due until the retry time).
    repo.markFailed(ids['user:b'] as number, 'rate limited', later);
    expect(heads(repo)).toEqual({ 'user:a': 'a2', 'user:c': 'c1' });
    expect(heads(repo, later)).toEqual({ 'user:a': 'a2', 'user:b': 'b1', 'user:c': 'c1' });
    // Dead: the next row of the conversation takes over.
    repo.markFailed(ids['user:b'] as number, 'refused', null);
    expect(heads(repo)).toEqual({ 'user:a': 'a2', 'user:b': 'b2', 'user:c': 'c1' });
    // A new row behind a pending head is not a head; in a drained conversation it is.
    repo.markSent(ids['user:c'] as number, 'm2', at);
    repo.enqueue('local', text('c', 'c2'), at);
    repo.enqueue('local', text('a', 'a4'), at);
    expect(heads(repo)).toEqual({ 'user:a': 'a2', 'user:b': 'b2', 'user:c': 'c2' });
    invariantHolds(db.$client);
    db.$client.close();
  });

  it('pages through the heads: interactive first, then bulk, each once', () => {
    const db = openDb(':memory:');
    const repo = new SqliteOutboxRepo(db);
    for (let i = 0; i < 5; i++) repo.enqueue('local', text(`b${i}`, `bulk${i}`), at, { lane: 'bulk' });
    for (let i = 0; i < 5; i++) repo.enqueue('local', text(`i${i}`, `int${i}`), at);
    const seen: string[] = [];
    let after: ReturnType<SqliteOutboxRepo['heads']>[number] | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = repo.heads('local', at, 3, after);
      seen.push(...page.map((r) => (r.payload as { view: { text: string } }).view.text));
      if (page.length < 3) break;
      after = page.at(-1);
    }
    expect(seen).toEqual([...[0, 1, 2, 3, 4].map((i) => `int${i}`), ...[0, 1, 2, 3, 4].map((i) => `bulk${i}`)]);
    db.$client.close();
  });

  it('asks for a wake-up only when a queued row became its conversation head', () => {
    const db = openDb(':memory:');
    const repo = new SqliteOutboxRepo(db);
    repo.enqueue('local', text('a', 'a1'), at);
    expect(repo.takeQueued()).toEqual(['local']);
    expect(repo.takeQueued()).toEqual([]);
    // Behind a pending head: that head's delivery is what makes it deliverable, no wake-up now.
    repo.enqueue('local', text('a', 'a2'), at);
    repo.enqueue('feishu', text('a', 'f1'), at);
    expect(repo.takeQueued()).toEqual(['feishu']);
    repo.enqueue('local', text('a', 'a3'), at);
    expect(repo.takeQueued()).toEqual([]);
    repo.enqueue('local', text('b', 'b1'), at);
    expect(repo.takeQueued()).toEqual(['local']);
    // Once a's rows are all gone, the next one is a head again.
    for (const t of ['a1', 'a2', 'a3']) {
      const head = repo.heads('local', at, 100).find((r) => r.conversation === 'user:a');
      if (!head) throw new Error(`no head for a before ${t}`);
      expect((head.payload as { view: { text: string } }).view.text).toBe(t);
      repo.markSent(head.id, `m-${t}`, at);
    }
    repo.enqueue('local', text('a', 'a4'), at);
    expect(repo.takeQueued()).toEqual(['local']);
    invariantHolds(db.$client);
  });

  it("finds a conversation's pending rows through the index of pending rows alone (sent rows leave it)", () => {
    const db = openDb(':memory:');
    const repo = new SqliteOutboxRepo(db);
    for (let i = 0; i < 50; i++) repo.enqueue('local', text(`u${i % 5}`, `t${i}`), at);
    for (const r of repo.heads('local', at, 100)) repo.markSent(r.id, `m${r.id}`, at);
    const plan = (sql: string) =>
      (db.$client.prepare(`explain query plan ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    // The insert's "is a row of this conversation still pending?" and the promotion of the next row when one leaves.
    expect(
      plan(`select 1 from outbox where platform = 'local' and status = 'pending' and conversation = 'user:u1'`),
    ).toContain('USING COVERING INDEX outbox_pending_conversation');
    expect(
      plan(`select n.id from outbox o join outbox n on n.platform = o.platform and n.conversation = o.conversation
            where o.id = 7 and n.status = 'pending' order by n.id limit 1`),
    ).toContain('INDEX outbox_pending_conversation');
    const indexed = db.$client.prepare(
      `select count(*) n from outbox indexed by outbox_pending_conversation where status = 'pending'`,
    );
    expect((indexed.get() as { n: number }).n).toBe(45);
    expect(repo.pendingCount()).toBe(45);
    invariantHolds(db.$client);
    db.$client.close();
  });
});

describe('migration outbox_heads', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('marks the lowest pending row of each conversation queued before it, and delivery keeps each order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handoff-')), 'old.db');
    const old = databaseBefore('outbox_heads', path);
    const insert = old.prepare(
      `insert into outbox (key, platform, payload_json, status, attempts, next_attempt_at, created_at, conversation,
         lane) values (?, 'local', ?, ?, 0, ?, ?, ?, 'interactive')`,
    );
    const t = new Date('2026-01-05T01:00:00Z').getTime(); // before the test clock: every row is due
    const rows: [string, string, string, string][] = [
      ['k1', 'wang.sales', 'sent', '已发送'],
      ['k2', 'wang.sales', 'pending', '第一条'],
      ['k3', 'li.lead', 'dead', '死信'],
      ['k4', 'wang.sales', 'pending', '第二条'],
      ['k5', 'li.lead', 'pending', '给李'],
      ['k6', 'wang.sales', 'pending', '第三条'],
    ];
    for (const [key, user, status, t2] of rows)
      insert.run(key, JSON.stringify(text(user, t2)), status, t, t, `user:${user}`);
    old.close();

    const db = openDb(path);
    const flagged = db.$client.prepare('select key from outbox where head = 1 order by id').all();
    expect(flagged).toEqual([{ key: 'k2' }, { key: 'k5' }]);
    invariantHolds(db.$client);
    db.$client.close();

    const h = createTestHandoff({ databasePath: path });
    stop = () => h.stop();
    await h.flush();
    expect(h.deps.outbox.pendingCount()).toBe(0);
    const chat = new LocalChat(h);
    expect(chat.texts('wang.sales')).toEqual(['第一条', '第二条', '第三条']);
    expect(chat.texts('li.lead')).toEqual(['给李']);
  });
});
