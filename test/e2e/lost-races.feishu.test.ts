import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, projects } from '../../src/store/schema';
import { startFeishuHandoff } from '../helpers/feishu-chat';
import { REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * Issue 10, finding 5, as found: 50 concurrent `/approve` commands from the holder, each a signed Feishu delivery
 * over real HTTP. One approval; the other 49 are told who handled the step and when — not "你不是当前步骤的处理人" —
 * and no `denied` audit row is written for them.
 */
describe('lost races over the Feishu webhook', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());

  it('50 concurrent /approve from the holder: one decision, 49 "already handled", no denied rows', async () => {
    const { chat, h } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const deliveries = Array.from({ length: 50 }, (_, i) =>
      chat.sign(chat.textEvent('li.lead', '/approve HO-2026-0001', `race-${i}`)),
    );
    const statuses = await Promise.all(deliveries.map((d) => chat.deliver('/feishu/events', d).then((r) => r.status)));
    await h.flush();
    expect(statuses).toEqual(Array(50).fill(200));
    const rows = h.db.select().from(auditLog).all();
    expect(rows.filter((r) => r.action === 'approve')).toHaveLength(1);
    expect(rows.filter((r) => r.action === 'denied')).toHaveLength(0);
    expect(h.db.select().from(projects).get()?.stepIndex).toBe(1);
    const texts = chat.texts('li.lead');
    expect(texts.filter((t) => t.includes('已同意'))).toHaveLength(1);
    expect(texts.filter((t) => /^该步骤已由 李主管 于 .+ 同意，无需重复处理。$/.test(t))).toHaveLength(49);
    expect(texts.filter((t) => t.includes('你不是当前步骤的处理人'))).toEqual([]);
  });
});
