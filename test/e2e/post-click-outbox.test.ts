import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlatformAdapter } from '../../src/platforms/types';
import { outbox } from '../../src/store/schema';
import { DingtalkChat, withDingtalkIds } from '../helpers/dingtalk-chat';
import { startFakeDingtalk } from '../helpers/fake-dingtalk';
import { createTestHandoff, demoOrg, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';
import { startFakeWecomFor, WecomChat, wecomConfig, wecomIdOf, withWecomIds } from '../helpers/wecom-chat';

/** An adapter whose process "dies" before any call reaches the platform. */
const dying = (platform: PlatformAdapter['platform']): PlatformAdapter => ({
  platform,
  ackDeadlineMs: 3000,
  send: () => Promise.reject(new Error('process died')),
  update: () => Promise.reject(new Error('process died')),
});

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'handoff-')), 'handoff.db');

describe('post-click messages go through the outbox', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('WeCom: the clicked card update and the result text survive a crash before delivery', async () => {
    const fake = await startFakeWecomFor();
    cleanup.push(() => fake.close());
    const databasePath = dbPath();
    const opts = { org: withWecomIds(), localUi: false, wecom: wecomConfig(fake.baseUrl), databasePath };
    const h1 = createTestHandoff(opts);
    const { url } = await h1.listen();
    const chat = new WecomChat(fake, url, h1.clock, () => h1.flush());
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    const updatesBefore = fake.updates.length;
    h1.adapters.set('wecom', dying('wecom'));
    const res = await chat.click('li.lead', '同意');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    // Nothing reached WeCom: the answer is in the outbox, not in a setImmediate that a crash would lose.
    expect(fake.updates.length).toBe(updatesBefore);
    expect(chat.texts('li.lead').some((t) => t.includes('已同意'))).toBe(false);
    const queued = h1.db
      .select()
      .from(outbox)
      .all()
      .filter((r) => r.status === 'pending' && r.conversation.includes(wecomIdOf('li.lead')));
    expect(queued.length).toBeGreaterThan(0);
    await h1.stop();

    const h2 = createTestHandoff({ ...opts, clock: h1.clock });
    cleanup.push(() => h2.stop());
    h2.clock.advance(120_000);
    await h2.flush();
    expect(chat.texts('li.lead').some((t) => t.includes('已同意'))).toBe(true);
    expect(fake.updates.length).toBeGreaterThan(updatesBefore);
    expect(chat.buttons('li.lead')).toEqual(['更多操作']);
    expect(h2.deps.outbox.pendingCount()).toBe(0);
  });

  it('WeCom: a card send retried after its answer was lost gets 42014 and counts as delivered', async () => {
    const fake = await startFakeWecomFor();
    cleanup.push(() => fake.close());
    const h = createTestHandoff({ org: withWecomIds(), localUi: false, wecom: wecomConfig(fake.baseUrl) });
    cleanup.push(() => h.stop());
    const { url } = await h.listen();
    const chat = new WecomChat(fake, url, h.clock, () => h.flush());
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    // li.lead's card reaches WeCom, but the answer is lost: the row is retried with the same task_id.
    fake.failNext(1, { lose: true });
    const before = fake.messages.length;
    await chat.say('li.lead', '/status HO-2026-0001');
    expect(fake.messages.length).toBe(before + 1);
    // The /status answer: the newest send (an update locking li.lead's older copy may follow it).
    const row = () =>
      h.db
        .select()
        .from(outbox)
        .all()
        .filter((r) => (JSON.parse(r.payloadJson) as { op: string }).op === 'send')
        .at(-1);
    expect(row()).toMatchObject({ status: 'pending', attempts: 1 });
    h.clock.advance(60_000);
    await h.flush();
    const retried = fake.requests.filter((r) => r.path === '/cgi-bin/message/send').at(-1);
    expect(retried?.body).toMatchObject({ msgtype: 'template_card' });
    expect(row()).toMatchObject({ status: 'sent', attempts: 1 });
    // WeCom refused the repeat (42014) and kept one card; the bot counts it delivered, not dead.
    expect(fake.messages.length).toBe(before + 1);
    expect(row()?.messageId).toBe(fake.messages.at(-1)?.taskId);
  });

  it('DingTalk: the click result message survives a crash before delivery', async () => {
    const app = { clientId: 'dingcrash', clientSecret: 'ding-secret' };
    const fake = await startFakeDingtalk(app);
    cleanup.push(() => fake.close());
    const databasePath = dbPath();
    const opts = {
      org: withDingtalkIds(demoOrg()),
      localUi: false,
      databasePath,
      dingtalk: {
        ...app,
        robotCode: 'dingrobot',
        cardTemplateId: 'tpl.schema',
        baseUrl: fake.baseUrl,
        mode: 'stream' as const,
        cardCallbackRouteKey: undefined,
      },
    };
    const h1 = createTestHandoff(opts);
    await h1.listen();
    await fake.connected();
    const chat = new DingtalkChat(fake, () => h1.flush());
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    h1.adapters.set('dingtalk', dying('dingtalk'));
    const ack = await chat.click('li.lead', '同意');
    expect(ack.code).toBe(200);
    expect(chat.texts('li.lead').some((t) => t.includes('已同意'))).toBe(false);
    await h1.stop();

    const h2 = createTestHandoff({ ...opts, clock: h1.clock });
    cleanup.push(() => h2.stop());
    h2.clock.advance(120_000);
    await h2.flush();
    expect(chat.texts('li.lead').some((t) => t.includes('已同意'))).toBe(true);
    expect(h2.deps.outbox.pendingCount()).toBe(0);
  });
});
