import { afterEach, describe, expect, it } from 'vitest';
import { projects } from '../../src/store/schema';
import { startFakeFeishuWs } from '../helpers/fake-feishu-ws';
import { feishuOrg, openIdOf } from '../helpers/feishu-chat';
import { cardActionEvent, textMessageEvent } from '../helpers/feishu-deliveries';
import { createTestHandoff, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';
import { parsePrometheus, sampleValue } from '../helpers/prometheus';

describe('FEISHU_MODE=ws', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('runs the same pipeline over the long connection: commands and card clicks, acked on the socket', async () => {
    const ws = await startFakeFeishuWs();
    cleanup.push(() => ws.close());
    const h = createTestHandoff({
      org: feishuOrg(),
      localUi: false,
      feishu: {
        appId: 'cli_0123456789abcdef',
        appSecret: 'ws-secret',
        verificationToken: undefined,
        encryptKey: undefined,
        baseUrl: ws.baseUrl,
        mode: 'ws',
      },
    });
    cleanup.push(() => h.stop());
    const { url } = await h.listen();
    await ws.connected();
    // No webhook routes in ws mode.
    expect((await fetch(`${url}/feishu/events`, { method: 'POST', body: '{}' })).status).toBe(404);

    const ack = await ws.push(
      textMessageEvent({
        openId: openIdOf('wang.sales'),
        chatId: 'oc_x',
        chatType: 'p2p',
        text: REGISTER_NORTH_UNSIGNED,
      }),
    );
    expect(ack.code).toBe(200);
    expect(
      h.db
        .select()
        .from(projects)
        .all()
        .map((p) => p.regNo),
    ).toEqual(['HO-2026-0001']);

    const click = await ws.push(
      cardActionEvent({
        openId: openIdOf('li.lead'),
        messageId: 'om_unknown',
        chatId: 'oc_y',
        value: { v: 1, type: 'approve', regNo: 'HO-2026-0001', round: 1, step: 0 },
      }),
    );
    expect(click).toMatchObject({ code: 200, data: { toast: { type: 'success' } } });
    expect(h.db.select().from(projects).get()?.stepIndex).toBe(1);
    // Both events were counted and timed on the long-connection transport.
    const metrics = parsePrometheus(await h.metrics.render());
    const labels = { platform: 'feishu', transport: 'ws' };
    expect(sampleValue(metrics, 'handoff_inbound_deliveries_total', { ...labels, result: 'ok' })).toBe(2);
    expect(sampleValue(metrics, 'handoff_ack_latency_seconds_count', labels)).toBe(2);
  });
});
