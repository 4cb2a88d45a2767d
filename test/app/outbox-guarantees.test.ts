import { afterEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import type { OutboundContent, PlatformAdapter, SendTarget } from '../../src/platforms/types';
import { PlatformApiError } from '../../src/platforms/types';
import { outbox } from '../../src/store/schema';
import { startFakeFeishu } from '../helpers/fake-feishu';
import { ENCRYPT_KEY, VERIFICATION_TOKEN } from '../helpers/feishu-chat';
import { createTestHandoff, demoOrg, LocalChat, REGISTER_NORTH_UNSIGNED, virtualDelivery } from '../helpers/handoff';

/** Wraps an adapter; `beforeSend` runs when a send starts (e.g. the project changes while the card is on its way). */
class Hooked implements PlatformAdapter {
  readonly platform;
  readonly ackDeadlineMs = 3000;
  updates: string[] = [];
  constructor(
    private readonly inner: PlatformAdapter,
    private readonly beforeSend: (to: SendTarget, content: OutboundContent) => void,
  ) {
    this.platform = inner.platform;
  }
  async send(to: SendTarget, content: OutboundContent, key: string) {
    this.beforeSend(to, content);
    return this.inner.send(to, content, key);
  }
  async update(id: string, card: CardModel) {
    this.updates.push(id);
    return this.inner.update(id, card);
  }
}

describe('outbox guarantees', () => {
  let stop: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stop.reverse()) await s();
    stop = [];
  });

  it('a card whose project changed while it was on its way is queued again as an update', async () => {
    const h = createTestHandoff();
    stop.push(() => h.stop());
    const local = h.local;
    if (!local) throw new Error('no local');
    let bumped = false;
    const hooked = new Hooked(local, (_to, content) => {
      // The first project card leaving for li.lead: someone changes the project meanwhile.
      if (bumped || content.kind !== 'card') return;
      const p = h.deps.projects.get('HO-2026-0001');
      if (!p) return;
      bumped = true;
      expect(h.deps.projects.update({ ...p, version: p.version + 1 }, p)).toBe(true);
    });
    h.adapters.set('local', hooked);
    await local.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await h.flush();
    expect(bumped).toBe(true);
    const rows = h.db.select().from(outbox).all();
    const updates = rows.filter((r) => JSON.parse(r.payloadJson).op === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.status).toBe('sent');
    expect(hooked.updates).toEqual([updates[0]?.messageId]);
    const card = h.deps.cardMessages.forProject('HO-2026-0001').find((m) => m.messageId === hooked.updates[0]);
    expect(card).toBeDefined();
  });

  it('a card that did not change on its way is not updated again', async () => {
    const h = createTestHandoff();
    stop.push(() => h.stop());
    const local = h.local;
    if (!local) throw new Error('no local');
    const hooked = new Hooked(local, () => {});
    h.adapters.set('local', hooked);
    await local.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await h.flush();
    expect(hooked.updates).toEqual([]);
  });

  it('maxAttempts: a row failing every time is dead-lettered after that many attempts, not before', async () => {
    const h = createTestHandoff({ delivery: { ...virtualDelivery(), maxAttempts: 3 } });
    stop.push(() => h.stop());
    const local = h.local;
    if (!local) throw new Error('no local');
    let calls = 0;
    h.adapters.set(
      'local',
      new Hooked(local, () => {
        calls++;
        throw new PlatformApiError('service unavailable', 'local', { status: 503 });
      }),
    );
    await local.say('wang.sales', '/help');
    await h.flush();
    const row = () => h.db.select().from(outbox).all()[0];
    expect([calls, row()?.status, row()?.attempts]).toEqual([1, 'pending', 1]);
    h.clock.advance(1000);
    await h.flush();
    expect([calls, row()?.status, row()?.attempts]).toEqual([2, 'pending', 2]);
    h.clock.advance(2000);
    await h.flush();
    expect([calls, row()?.status, row()?.attempts]).toEqual([3, 'dead', 3]);
    h.clock.advance(600_000);
    await h.flush();
    expect(calls).toBe(3);
    expect(row()?.lastError).toBe('service unavailable');
  });

  it('stale version: a compare-and-set lost to someone else changes nothing and says so', async () => {
    const h = createTestHandoff();
    stop.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const before = h.deps.projects.get('HO-2026-0001');
    const rowsBefore = h.db.select().from(outbox).all().length;
    // Another writer got there first: every compare-and-set now fails.
    h.deps.projects.update = () => false;
    const ack = await chat.click('li.lead', '同意');
    expect(ack).toEqual({ toast: { type: 'warning', text: '该项目刚被其他人更新，请刷新卡片后重试。' } });
    expect(h.deps.projects.get('HO-2026-0001')).toEqual(before);
    expect(h.db.select().from(outbox).all()).toHaveLength(rowsBefore);
    expect(h.db.$client.prepare('select count(*) as n from audit_log').get()).toEqual({ n: 1 });
  });

  it('isolation: with one platform API hanging, the other platforms still deliver', async () => {
    const appId = 'cli_00000000000000down';
    const fake = await startFakeFeishu({ appId, appSecret: 's' });
    const org = demoOrg();
    for (const u of org.users) u.feishu = `ou_${u.id.replace('.', '_')}`;
    const h = createTestHandoff({
      org,
      feishu: {
        appId,
        appSecret: 's',
        verificationToken: VERIFICATION_TOKEN,
        encryptKey: ENCRYPT_KEY,
        baseUrl: fake.baseUrl,
        mode: 'webhook',
      },
    });
    stop.push(
      () => fake.close().catch(() => {}),
      () => h.stop(),
    );
    fake.failNext(100, { status: 0, hang: true });
    const chat = new LocalChat(h);
    const local = h.local;
    if (!local) throw new Error('no local');
    await local.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const feishuPass = h.delivery.kick('feishu');
    await h.delivery.kick('local');
    // Feishu calls are stuck in flight; the local platform got its reply and li.lead's card regardless.
    expect(chat.lastText('wang.sales')).toContain('已登记');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    const feishuRows = () =>
      h.db
        .select()
        .from(outbox)
        .all()
        .filter((r) => r.platform === 'feishu');
    expect(feishuRows().length).toBeGreaterThan(0);
    expect(feishuRows().every((r) => r.status === 'pending')).toBe(true);
    expect(feishuRows().some((r) => r.lockedUntil !== null)).toBe(true);
    // The API comes back (connections dropped): the leased rows are retried later, nothing was lost.
    await fake.close();
    await feishuPass;
    expect(feishuRows().every((r) => r.status === 'pending')).toBe(true);
    expect(feishuRows().some((r) => r.attempts === 1)).toBe(true);
  });
});
