import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import { backoffMs } from '../../src/app/dispatch-outbox';
import {
  type InboundEvent,
  type OutboundContent,
  type PlatformAdapter,
  PlatformApiError,
  type SendTarget,
} from '../../src/platforms/types';
import { outbox } from '../../src/store/schema';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/** Wraps an adapter and fails its next `n` sends the way a rate-limited platform does. */
class Flaky implements PlatformAdapter {
  readonly platform;
  readonly ackDeadlineMs = 3000;
  failures = 0;
  constructor(
    private readonly inner: PlatformAdapter,
    public failNext: number,
    private readonly error: () => Error = () =>
      new PlatformApiError('rate limited', 'local', { status: 429, retryAfterMs: 2000 }),
  ) {
    this.platform = inner.platform;
  }
  async send(to: SendTarget, content: OutboundContent, key: string) {
    if (this.failNext > 0) {
      this.failNext--;
      this.failures++;
      throw this.error();
    }
    return this.inner.send(to, content, key);
  }
  update(id: string, card: CardModel) {
    return this.inner.update(id, card);
  }
}

describe('transactional outbox', () => {
  let h: ReturnType<typeof createTestHandoff> | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('backs off exponentially and never earlier than the platform asked', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(0, 5000)).toBe(5000);
    expect(backoffMs(30)).toBe(600_000);
  });

  it('a rate-limited send is retried after the delay the platform gave, and posts once', async () => {
    h = createTestHandoff();
    const chat = new LocalChat(h);
    const local = h.local;
    if (!local) throw new Error('no local');
    const flaky = new Flaky(local, 1);
    h.adapters.set('local', flaky);
    await local.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await h.flush();
    expect(flaky.failures).toBe(1);
    const pending = h.db
      .select()
      .from(outbox)
      .all()
      .filter((r) => r.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]?.attempts).toBe(1);
    expect(pending[0]?.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + 2000);

    h.clock.advance(1999);
    await h.flush();
    expect(
      h.db
        .select()
        .from(outbox)
        .all()
        .filter((r) => r.status === 'pending'),
    ).toHaveLength(1);
    h.clock.advance(1);
    await h.flush();
    expect(
      h.db
        .select()
        .from(outbox)
        .all()
        .every((r) => r.status === 'sent'),
    ).toBe(true);
    expect(chat.texts('wang.sales').filter((t) => t.includes('已登记'))).toHaveLength(1);
  });

  it('a permanent failure is dead-lettered without retries', async () => {
    h = createTestHandoff();
    const local = h.local;
    if (!local) throw new Error('no local');
    h.adapters.set(
      'local',
      new Flaky(local, 1, () => new PlatformApiError('bad', 'local', { status: 400, permanent: true })),
    );
    await local.say('wang.sales', '/help');
    await h.flush();
    const rows = h.db.select().from(outbox).all();
    expect(rows.map((r) => r.status)).toEqual(['dead']);
    expect(rows[0]?.lastError).toBe('bad');
  });

  it('a crash between commit and send loses nothing: the next start drains the outbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-'));
    const databasePath = join(dir, 'handoff.db');
    h = createTestHandoff({ databasePath });
    const local = h.local;
    if (!local) throw new Error('no local');
    // Every send fails: the state change commits, the messages stay in the outbox.
    h.adapters.set('local', new Flaky(local, 1_000, () => new Error('process died')));
    await local.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await h.flush();
    await h.stop();

    h = createTestHandoff({ databasePath });
    const chat = new LocalChat(h);
    expect(h.deps.outbox.pendingCount()).toBe(3);
    h.clock.advance(60_000);
    await h.listen();
    await h.flush();
    expect(h.deps.outbox.pendingCount()).toBe(0);
    expect(chat.lastText('wang.sales')).toContain('已登记，项目实施登记号 HO-2026-0001');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
  });

  it('a redelivered event changes nothing the second time', async () => {
    h = createTestHandoff();
    const handle = h.pipelines.get('local');
    if (!handle) throw new Error('no handler');
    const ev: InboundEvent = {
      kind: 'message',
      eventId: 'evt-1',
      actor: { platform: 'local', userId: 'wang.sales' },
      chat: { chatId: 'dm:wang.sales', type: 'p2p' },
      messageId: 'm1',
      text: REGISTER_NORTH_UNSIGNED,
    };
    await handle(ev);
    await handle(ev);
    await h.flush();
    expect(h.deps.projects.get('HO-2026-0001')).not.toBeNull();
    expect(h.deps.projects.get('HO-2026-0002')).toBeNull();
    expect(new LocalChat(h).texts('wang.sales').filter((t) => t.includes('已登记'))).toHaveLength(1);
  });
});
