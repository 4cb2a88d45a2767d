import Router from '@koa/router';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap';
import { errorMiddleware } from '../../src/http/middleware/error';
import { mountWebhook } from '../../src/http/routes/webhook';
import type { WebhookInbound } from '../../src/platforms/types';
import { VerificationError } from '../../src/shared/errors';
import { silentLogger } from '../../src/shared/logger';
import { createMetrics } from '../../src/shared/metrics';
import { startFeishuHandoff } from '../helpers/feishu-chat';
import { createTestHandoff, demoOrg, LocalChat, REGISTER_NORTH_UNSIGNED, testConfig } from '../helpers/handoff';
import { parsePrometheus, sampleValue } from '../helpers/prometheus';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('/metrics', () => {
  it('parses as Prometheus text, and decisions, outbox, platform calls and sweeps move', async () => {
    const h = createTestHandoff();
    stops.push(() => h.stop());
    const { url } = await h.listen();
    const chat = new LocalChat(h);

    const before = parsePrometheus((await scrape(url)).text);
    expect(sampleValue(before, 'handoff_decisions_total', { action: 'approve' })).toBeUndefined();
    expect(sampleValue(before, 'handoff_outbox_oldest_pending_age_seconds')).toBe(0);

    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await h.remind();

    const res = await scrape(url);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const after = parsePrometheus(res.text);
    expect(sampleValue(after, 'handoff_decisions_total', { action: 'approve' })).toBe(1);
    const sent = sampleValue(after, 'handoff_outbox_rows', { platform: 'local', status: 'sent' }) ?? 0;
    expect(sent).toBeGreaterThan(0);
    expect(sampleValue(after, 'handoff_outbox_depth', { platform: 'local' }) ?? 0).toBe(0);
    // Every delivered row was one successful send or update call to the platform.
    const calls = (op: string) =>
      sampleValue(after, 'handoff_platform_calls_total', { platform: 'local', op, result: 'ok' }) ?? 0;
    expect(calls('send')).toBeGreaterThan(0);
    expect(calls('update')).toBeGreaterThan(0);
    expect(calls('send') + calls('update')).toBe(sent);
    expect(sampleValue(after, 'handoff_reminder_sweeps_total', { result: 'ok' })).toBe(1);
    expect(sampleValue(after, 'handoff_process_resident_memory_bytes') ?? 0).toBeGreaterThan(0);
  });

  it('reports the age of the oldest row still waiting', async () => {
    const h = createTestHandoff();
    stops.push(() => h.stop());
    const { url } = await h.listen();
    h.deps.outbox.enqueue(
      'local',
      { op: 'send', target: { kind: 'user', id: 'x' }, view: { type: 'mine' }, viewer: null },
      h.clock.now(),
    );
    h.clock.advance(90_000);
    const s = parsePrometheus((await scrape(url)).text);
    expect(sampleValue(s, 'handoff_outbox_oldest_pending_age_seconds')).toBe(90);
    expect(sampleValue(s, 'handoff_outbox_depth', { platform: 'local' })).toBe(1);
  });

  it('without METRICS_TOKEN answers only direct loopback requests', async () => {
    const h = createTestHandoff();
    stops.push(() => h.stop());
    const { url } = await h.listen();
    expect((await scrape(url)).status).toBe(200);
    const proxied = await scrape(url, { 'x-forwarded-for': '203.0.113.7' });
    expect(proxied.status).toBe(403);
    expect(proxied.text).toContain('METRICS_TOKEN');
  });

  it('with METRICS_TOKEN requires the bearer token, from anywhere', async () => {
    const h = bootstrap(testConfig({ metricsToken: 's3cret-metrics' }), {
      logger: silentLogger,
      org: demoOrg(),
      scheduler: false,
    });
    stops.push(() => h.stop());
    const { url } = await h.listen();
    expect((await scrape(url)).status).toBe(403);
    expect((await scrape(url, { authorization: 'Bearer wrong' })).status).toBe(403);
    const ok = await scrape(url, { authorization: 'Bearer s3cret-metrics', 'x-forwarded-for': '203.0.113.7' });
    expect(ok.status).toBe(200);
    expect(parsePrometheus(ok.text).length).toBeGreaterThan(10);
  });
});

describe('Feishu webhook metrics, end to end', () => {
  it('counts signed deliveries, forged ones and the API calls to the fake Feishu server', async () => {
    const f = await startFeishuHandoff();
    stops.push(() => f.stop());
    expect((await f.chat.say('wang.sales', REGISTER_NORTH_UNSIGNED)).status).toBe(200);
    const forged = f.chat.sign(f.chat.textEvent('wang.sales', '/help'));
    const tampered = await f.chat.deliver('/feishu/events', { ...forged, body: `${forged.body} ` });
    expect(tampered.status).toBe(401);

    const s = parsePrometheus((await scrape(f.url)).text);
    const inbound = (result: string) =>
      sampleValue(s, 'handoff_inbound_deliveries_total', { platform: 'feishu', transport: 'webhook', result });
    expect(inbound('ok')).toBe(1);
    expect(inbound('rejected')).toBe(1);
    expect(sampleValue(s, 'handoff_ack_latency_seconds_count', { platform: 'feishu', transport: 'webhook' })).toBe(2);
    const sends = sampleValue(s, 'handoff_platform_calls_total', { platform: 'feishu', op: 'send', result: 'ok' });
    expect(sends).toBe(f.fake.messages.length);
    expect(sends).toBeGreaterThan(0);
  });
});

describe('webhook route metrics', () => {
  it('counts each delivery by result and observes its ack latency', async () => {
    const metrics = createMetrics({
      decisionsByAction: () => [],
      outboxByStatus: () => [],
      oldestPendingAgeSeconds: () => 0,
    });
    const adapter: WebhookInbound = {
      parseHttp: async (raw: { headers: Record<string, string | undefined> }) => {
        if (raw.headers['x-forged']) throw new VerificationError('bad signature');
        return { kind: 'ignored', reason: 'test' };
      },
      httpReply: () => ({ body: { ok: true } }),
    } as unknown as WebhookInbound;
    const app = new Koa();
    const router = new Router();
    mountWebhook(
      router,
      ['/hook'],
      adapter,
      async () => ({}),
      ['POST'],
      (result, seconds) => metrics.inbound('feishu', 'webhook', result, seconds),
    );
    app.use(errorMiddleware(silentLogger));
    app.use(router.routes());
    const server = app.listen(0, '127.0.0.1');
    stops.push(() => new Promise((r) => server.close(r)));
    await new Promise((r) => server.once('listening', r));
    const addr = server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    expect((await fetch(`${base}/hook`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await fetch(`${base}/hook`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect((await fetch(`${base}/hook`, { method: 'POST', body: '{}', headers: { 'x-forged': '1' } })).status).toBe(
      401,
    );

    const s = parsePrometheus(await metrics.render());
    const inbound = (result: string) =>
      sampleValue(s, 'handoff_inbound_deliveries_total', { platform: 'feishu', transport: 'webhook', result });
    expect(inbound('ok')).toBe(2);
    expect(inbound('rejected')).toBe(1);
    expect(sampleValue(s, 'handoff_ack_latency_seconds_count', { platform: 'feishu', transport: 'webhook' })).toBe(3);
    expect(sampleValue(s, 'handoff_ack_latency_seconds_bucket', { platform: 'feishu', le: '+Inf' })).toBe(3);
  });
});

describe('Prometheus parser (test helper)', () => {
  it('refuses what is not exposition format', () => {
    expect(() => parsePrometheus('# TYPE a counter\na_total 1\n')).not.toThrow();
    expect(() => parsePrometheus('b 1\n')).toThrow(/without a TYPE/);
    expect(() => parsePrometheus('# TYPE a gauge\na{x=1} 1\n')).toThrow(/not a Prometheus sample/);
    expect(() => parsePrometheus('# TYPE a gauge\na one\n')).toThrow(/not a Prometheus sample/);
  });
});
