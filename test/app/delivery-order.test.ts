import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxPayload } from '../../src/app/ports';
import { outbox } from '../../src/store/schema';
import { type FakeFeishu, startFakeFeishu } from '../helpers/fake-feishu';
import { ENCRYPT_KEY, feishuOrg, VERIFICATION_TOKEN } from '../helpers/feishu-chat';
import { createTestHandoff, virtualDelivery } from '../helpers/handoff';

const text = (to: string, t: string): OutboxPayload => ({
  op: 'send',
  target: { kind: 'user', id: to },
  view: { type: 'text', text: t },
  viewer: null,
});
const textsTo = (fake: FakeFeishu, to: string) =>
  fake.messagesTo(to).map((m) => String((m.content as { text?: unknown }).text));

/** Wraps the Feishu adapter to count its sends in flight (`warm`: skip the engine's lone first call). */
function countCalls(
  h: ReturnType<typeof createTestHandoff>,
  opts: { onStart?: (to: string) => void; warm?: boolean } = {},
) {
  const feishu = h.adapters.get('feishu');
  if (!feishu) throw new Error('no feishu');
  const calls = { inFlight: 0, maxInFlight: 0 };
  h.adapters.set('feishu', {
    platform: 'feishu',
    ackDeadlineMs: feishu.ackDeadlineMs,
    ...(opts.warm ? { warm: () => true } : {}),
    async send(to, content, key) {
      opts.onStart?.(to.id);
      calls.maxInFlight = Math.max(calls.maxInFlight, ++calls.inFlight);
      try {
        return await feishu.send(to, content, key);
      } finally {
        calls.inFlight--;
      }
    },
    update: (id, card) => feishu.update(id, card),
  });
  return calls;
}

describe('delivery engine: order per conversation, no head-of-line blocking', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function feishuHandoff() {
    const appId = 'cli_0000000000000order';
    const fake = await startFakeFeishu({ appId, appSecret: 's' });
    cleanup.push(() => fake.close());
    const v = virtualDelivery();
    const h = createTestHandoff({
      delivery: v,
      org: feishuOrg(),
      localUi: false,
      feishu: {
        appId,
        appSecret: 's',
        verificationToken: VERIFICATION_TOKEN,
        encryptKey: ENCRYPT_KEY,
        baseUrl: fake.baseUrl,
        mode: 'webhook',
      },
    });
    cleanup.push(() => h.stop());
    return { h, fake, v };
  }

  it('a 429 on a chat blocks that chat until its head is delivered; other chats go on; order is kept', async () => {
    const { h, fake } = await feishuHandoff();
    const at = h.clock.now();
    for (let i = 0; i < 6; i++) h.deps.outbox.enqueue('feishu', text('ou_a', `a${i}`), at);
    fake.failNext(1, { status: 429, resetSeconds: 2 });
    await h.flush();
    // a0 was refused: nothing of ou_a may be delivered before it, even though a1…a5 are due.
    expect(textsTo(fake, 'ou_a')).toEqual([]);
    const a0 = h.db
      .select()
      .from(outbox)
      .all()
      .find((r) => r.payloadJson.includes('"a0"'));
    expect(a0?.attempts).toBe(1);
    expect(a0?.nextAttemptAt.getTime()).toBe(at.getTime() + 2000);

    // Another person's messages are not held up by ou_a's blocked head.
    for (let i = 0; i < 3; i++) h.deps.outbox.enqueue('feishu', text('ou_b', `b${i}`), h.clock.now());
    fake.failNext(1, { status: 429, resetSeconds: 1 });
    await h.flush();
    h.clock.advance(1000);
    await h.flush();
    expect(textsTo(fake, 'ou_b')).toEqual(['b0', 'b1', 'b2']);
    expect(textsTo(fake, 'ou_a')).toEqual([]);

    h.clock.advance(1000);
    await h.flush();
    expect(textsTo(fake, 'ou_a')).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
    expect(h.deps.outbox.pendingCount()).toBe(0);
  });

  it('a dead head unblocks its conversation: the rows behind it are delivered', async () => {
    const { h, fake } = await feishuHandoff();
    h.deps.outbox.enqueue('feishu', text('ou_c', 'c0'), h.clock.now());
    h.deps.outbox.enqueue('feishu', text('ou_c', 'c1'), h.clock.now());
    fake.failNext(1, { status: 400, code: 230002, msg: 'bot not in chat' });
    await h.flush();
    expect(textsTo(fake, 'ou_c')).toEqual(['c1']);
    expect(
      h.db
        .select()
        .from(outbox)
        .all()
        .map((r) => r.status),
    ).toEqual(['dead', 'sent']);
  });

  it('sends to one person stay within 5 per second of the limiter clock; many people go concurrently', async () => {
    const { h, fake, v } = await feishuHandoff();
    const starts: { to: string; t: number }[] = [];
    const calls = countCalls(h, { onStart: (to) => starts.push({ to, t: v.elapsed() }) });
    for (let i = 0; i < 12; i++) h.deps.outbox.enqueue('feishu', text('ou_d', `d${i}`), h.clock.now());
    for (let i = 0; i < 12; i++) h.deps.outbox.enqueue('feishu', text(`ou_p${i}`, `p${i}`), h.clock.now());
    await h.flush();
    expect(textsTo(fake, 'ou_d')).toEqual(Array.from({ length: 12 }, (_, i) => `d${i}`));
    expect(fake.messages).toHaveLength(24);
    const toD = starts.filter((s) => s.to === 'ou_d').map((s) => s.t);
    // Any 6 consecutive sends to one person span at least a second: never more than 5 in a sliding second.
    for (let i = 5; i < toD.length; i++)
      expect((toD[i] as number) - (toD[i - 5] as number)).toBeGreaterThanOrEqual(1000);
    // The 12 other people were served concurrently, not one after the other.
    expect(calls.maxInFlight).toBeGreaterThan(5);
  });

  it('a pass reads heads a page at a time and still fills every free place', async () => {
    const { h, fake } = await feishuHandoff();
    const calls = countCalls(h, { warm: true });
    const repo = h.deps.outbox;
    const reads: number[] = [];
    const heads = repo.heads.bind(repo);
    repo.heads = (platform, now, limit, after) => {
      const rows = heads(platform, now, limit, after);
      reads.push(rows.length);
      return rows;
    };
    for (let i = 0; i < 40; i++) h.deps.outbox.enqueue('feishu', text(`ou_many${i}`, `m${i}`), h.clock.now());
    await h.flush();
    expect(fake.messages).toHaveLength(40);
    // 32 places (the engine's concurrency) were filled at once from pages of at most 16 heads.
    expect(calls.maxInFlight).toBe(32);
    expect(Math.max(...reads)).toBeLessThanOrEqual(16);
  });

  it('a call counts in the rate windows from when its request left, as the adapter reports it', async () => {
    const { h, v } = await feishuHandoff();
    const feishu = h.adapters.get('feishu');
    if (!feishu) throw new Error('no feishu');
    const starts: number[] = [];
    h.adapters.set('feishu', {
      platform: 'feishu',
      ackDeadlineMs: feishu.ackDeadlineMs,
      async send(to, content, key, hooks) {
        starts.push(v.elapsed());
        // The second request leaves 300 ms after its start (say, behind a busy moment of the process). Not the
        // first: that one also fetches the token and counts from its completion anyway.
        if (starts.length === 2) await v.sleep?.(300);
        hooks?.onDeparture?.();
        return feishu.send(to, content, key);
      },
      update: (id, card) => feishu.update(id, card),
    });
    for (let i = 0; i < 7; i++) h.deps.outbox.enqueue('feishu', text('ou_late', `l${i}`), h.clock.now());
    await h.flush();
    expect(starts).toHaveLength(7);
    // 5/s to one person, counted from the departures: the seventh waits a second after the second one left (300),
    // not after it started (0).
    expect(starts[6]).toBeGreaterThanOrEqual(1300);
  });

  it('interactive rows go before bulk rows queued earlier (a sweep does not hold up an approval card)', async () => {
    const h = createTestHandoff();
    cleanup.push(() => h.stop());
    const local = h.local;
    if (!local) throw new Error('no local');
    const order: string[] = [];
    h.adapters.set('local', {
      platform: 'local',
      ackDeadlineMs: local.ackDeadlineMs,
      send: (to, content, key) => {
        order.push(to.id);
        return local.send(to, content, key);
      },
      update: (id, card) => local.update(id, card),
    });
    const sweep = (to: string): OutboxPayload => ({
      op: 'send',
      target: { kind: 'user', id: to },
      view: { type: 'reminder', title: '验收资料逾期提醒', lines: ['x'] },
      viewer: null,
    });
    for (let i = 0; i < 40; i++) h.deps.outbox.enqueue('local', sweep(`bulk${i}`), h.clock.now());
    h.deps.outbox.enqueue('local', text('li.lead', '请处理'), h.clock.now());
    await h.flush();
    expect(order).toHaveLength(41);
    expect(order[0]).toBe('li.lead');
    expect(
      h.db
        .select()
        .from(outbox)
        .all()
        .map((r) => r.lane),
    ).toEqual([...Array(40).fill('bulk'), 'interactive']);
  });
});
