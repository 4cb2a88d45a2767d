import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db';
import { outbox } from '../../src/store/schema';
import { createTestHandoff, LocalChat } from '../helpers/handoff';
import { databaseBefore } from '../helpers/migrations';

describe('migration outbox_lanes', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('gives rows queued before it a conversation and a lane, and they are still delivered', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'handoff-')), 'old.db');
    const old = databaseBefore('outbox_lanes', path);
    const columns = (old.prepare('pragma table_info(outbox)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('conversation');
    const insert = old.prepare(
      `insert into outbox (key, platform, payload_json, status, attempts, next_attempt_at, created_at)
       values (?, 'local', ?, 'pending', 0, ?, ?)`,
    );
    const t = new Date('2026-03-02T01:00:00Z').getTime();
    const reply = { op: 'send', target: { kind: 'user', id: 'wang.sales' }, view: { type: 'text', text: '旧回复' } };
    const sweep = {
      op: 'send',
      target: { kind: 'user', id: 'wang.sales' },
      view: { type: 'reminder', title: '旧提醒', lines: ['第一条'] },
      viewer: 'wang.sales',
    };
    const nudge = {
      op: 'send',
      target: { kind: 'chat', id: 'dm:li.lead' },
      view: { type: 'text', text: '旧催办' },
      viewer: null,
      urgent: true,
    };
    insert.run('k1', JSON.stringify({ ...reply, viewer: null }), t, t);
    insert.run('k2', JSON.stringify(sweep), t, t);
    insert.run('k3', JSON.stringify(nudge), t, t);
    old.close();

    const db = openDb(path);
    const rows = db.select().from(outbox).all();
    expect(rows.map((r) => [r.key, r.conversation, r.lane])).toEqual([
      ['k1', 'user:wang.sales', 'interactive'],
      ['k2', 'user:wang.sales', 'bulk'],
      ['k3', 'chat:dm:li.lead', 'bulk'],
    ]);
    db.$client.close();

    const h = createTestHandoff({ databasePath: path });
    stop = () => h.stop();
    await h.flush();
    expect(h.deps.outbox.pendingCount()).toBe(0);
    const chat = new LocalChat(h);
    expect(chat.texts('wang.sales')[0]).toBe('旧回复');
    expect(chat.messages('wang.sales')).toHaveLength(2);
  });
});
