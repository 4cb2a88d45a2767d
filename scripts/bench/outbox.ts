/**
 * Outbox delivery against a fake Feishu whose calls take 150 ms and which enforces the documented im/v1/messages
 * limits (50/s and 1000/min per app, 5/s per person, 5/s per message), answering 429 beyond them. The bare baseline is a raw
 * HTTP client paced exactly at the limit (what a perfect sender could do), measured against the same fake.
 */
import type { OutboxPayload } from '../../src/app/ports';
import { feishuHandoff, sleep, tenantToken } from './feishu-setup';
import type { BenchContext, BenchRow, Scenario } from './runner';

const LIMITS = { app: 50, appPerMinute: 1000, perReceiver: 5, perMessage: 5 };
const LATENCY = 150;

const text = (to: string, t: string): OutboxPayload => ({
  op: 'send',
  target: { kind: 'user', id: to },
  view: { type: 'text', text: t },
  viewer: null,
});

/** Raw POSTs paced `spacingMs` apart (starts), each to `to(i)`: the bare sender. Returns elapsed ms and 429s. */
async function bare(baseUrl: string, n: number, spacingMs: number, to: (i: number) => string) {
  const token = await tenantToken(baseUrl);
  let refused = 0;
  const t0 = performance.now();
  const calls: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = t0 + i * spacingMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    calls.push(
      fetch(`${baseUrl}/open-apis/im/v1/messages?receive_id_type=open_id`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ receive_id: to(i), msg_type: 'text', content: JSON.stringify({ text: `b${i}` }) }),
      }).then((r) => {
        if (r.status === 429) refused++;
        return r.arrayBuffer().then(() => {});
      }),
    );
  }
  await Promise.all(calls);
  return { ms: performance.now() - t0, refused };
}

async function manyPeople(ctx: BenchContext): Promise<BenchRow[]> {
  const MANY = ctx.size('messages');
  const s = await feishuHandoff({ latencyMs: LATENCY, limits: LIMITS });
  try {
    const base = await bare(s.fake.baseUrl, MANY, 1000 / LIMITS.app + 0.5, (i) => `ou_bare_${i}`);
    const baseRate = (MANY / base.ms) * 1000;
    const refusedBefore = await s.fake.rateLimited();
    await sleep(1100);
    const at = s.h.deps.clock.now();
    for (let i = 0; i < MANY; i++) s.h.deps.outbox.enqueue('feishu', text(`ou_many_${i}`, `m${i}`), at);
    const t0 = performance.now();
    await s.h.flush();
    const ms = performance.now() - t0;
    const rate = (MANY / ms) * 1000;
    const self429 = (await s.fake.rateLimited()) - refusedBefore;
    return [
      {
        scenario: 'outbox: replies to many people',
        metric: `${MANY} msgs throughput`,
        unit: 'msg/s',
        value: rate,
        baseline: baseRate,
        ratio: rate / baseRate,
        target: '>= 45 msg/s',
        ok: rate >= 45,
      },
      {
        scenario: 'outbox: replies to many people',
        metric: 'self-inflicted 429s',
        unit: '',
        value: self429,
        baseline: base.refused,
        ratio: null,
        target: '= 0',
        ok: self429 === 0,
      },
    ];
  } finally {
    await s.stop();
  }
}

async function onePerson(): Promise<BenchRow[]> {
  const s = await feishuHandoff({ latencyMs: LATENCY, limits: LIMITS });
  try {
    const base = await bare(s.fake.baseUrl, 20, 1000 / LIMITS.perReceiver + 2, () => 'ou_bare_one');
    await sleep(1100);
    const refusedBefore = await s.fake.rateLimited();
    const at = s.h.deps.clock.now();
    for (let i = 0; i < 20; i++) s.h.deps.outbox.enqueue('feishu', text('ou_one', String(i).padStart(2, '0')), at);
    const t0 = performance.now();
    await s.h.flush();
    const ms = performance.now() - t0;
    const got = (await s.fake.messagesTo('ou_one')).map((m) => String((m.content as { text: string }).text));
    const inOrder = got.join(',') === Array.from({ length: 20 }, (_, i) => String(i).padStart(2, '0')).join(',');
    const self429 = (await s.fake.rateLimited()) - refusedBefore;
    return [
      {
        scenario: 'outbox: 20 replies to one person',
        metric: 'time to deliver all',
        unit: 'ms',
        value: ms,
        baseline: base.ms,
        ratio: ms / base.ms,
        target: 'in order, no 429',
        ok: inOrder && self429 === 0 && got.length === 20,
      },
      {
        scenario: 'outbox: 20 replies to one person',
        metric: 'self-inflicted 429s',
        unit: '',
        value: self429,
        baseline: base.refused,
        ratio: null,
        target: '= 0',
        ok: self429 === 0,
      },
    ];
  } finally {
    await s.stop();
  }
}

async function sweep(): Promise<BenchRow[]> {
  const s = await feishuHandoff({ latencyMs: LATENCY, limits: LIMITS });
  try {
    // Baseline: the same approval card on an idle outbox.
    const idleAt = performance.now();
    s.h.deps.outbox.enqueue('feishu', text('ou_idle', '请处理'), s.h.deps.clock.now());
    void s.h.delivery.kick();
    const idle = (await s.fake.arrival('ou_idle')) - idleAt;
    await s.h.flush();
    await sleep(1100);

    const at = s.h.deps.clock.now();
    const reminder: OutboxPayload['view'] = { type: 'reminder', title: '验收资料逾期提醒', lines: ['资料逾期'] };
    for (let i = 0; i < 500; i++) {
      const target = { kind: 'user' as const, id: `ou_sweep_${i % 250}` };
      s.h.deps.outbox.enqueue('feishu', { op: 'send', target, view: reminder, viewer: null }, at);
    }
    const sweepDone = s.h.delivery.kick();
    await sleep(1000);
    const cardAt = performance.now();
    s.h.deps.outbox.enqueue('feishu', text('ou_approver', '请处理：商务审核'), s.h.deps.clock.now());
    void s.h.delivery.kick();
    const delay = (await s.fake.arrival('ou_approver')) - cardAt;
    await sweepDone;
    await s.h.flush();
    return [
      {
        scenario: 'outbox: approval card during a 500-reminder sweep',
        metric: 'card delay',
        unit: 'ms',
        value: delay,
        baseline: idle,
        ratio: delay / idle,
        target: '<= 1000 ms',
        ok: delay <= 1000,
      },
    ];
  } finally {
    await s.stop();
  }
}

export const outboxScenarios: Scenario[] = [
  {
    name: 'outbox-many',
    sizes: { messages: { full: 240, quick: 240, help: 'replies to as many different people' } },
    run: manyPeople,
  },
  { name: 'outbox-one', run: onePerson },
  { name: 'outbox-sweep', run: sweep },
];
