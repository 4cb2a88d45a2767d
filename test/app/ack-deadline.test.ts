import { afterEach, describe, expect, it } from 'vitest';
import { PROCESSING_REPLY } from '../../src/app/ack-deadline';
import type { AckReply, InboundEvent } from '../../src/platforms/types';
import { startFakeFeishu } from '../helpers/fake-feishu';
import {
  ENCRYPT_KEY,
  FeishuChat,
  feishuButtons,
  feishuCardText,
  feishuOrg,
  openIdOf,
  VERIFICATION_TOKEN,
} from '../helpers/feishu-chat';
import { createTestHandoff, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

describe('ack deadline', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('a click handled past the deadline is answered "处理中…" in time; the result arrives by message', async () => {
    const appId = 'cli_000000000000slow';
    const fake = await startFakeFeishu({ appId, appSecret: 's' });
    cleanup.push(() => fake.close());
    let slow = false;
    let release = () => {};
    let pending: Promise<AckReply> | null = null;
    const h = createTestHandoff({
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
      ack: {
        // Feishu's 3 s deadline minus this margin: the processing answer goes out after 50 ms.
        ackMarginMs: 2950,
        wrapInbound: (_p, handle) => async (ev: InboundEvent) => {
          if (!slow) return handle(ev);
          // A slow handler: it cannot finish before the test releases it, long after the ack went out.
          const gate = new Promise<void>((resolve) => {
            release = resolve;
          });
          pending = gate.then(() => handle(ev));
          return pending;
        },
      },
    });
    cleanup.push(() => h.stop());
    const { url } = await h.listen();
    const chat = new FeishuChat(fake, url, h.clock, () => h.flush());
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    const clicked = chat.cards('li.lead').at(-1)?.messageId;

    slow = true;
    const res = await chat.deliver('/feishu/cards', chat.sign(chat.clickEvent('li.lead', '同意')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ toast: { type: 'info', content: PROCESSING_REPLY.toast?.text } });
    expect(h.deps.projects.get('HO-2026-0001')?.stepIndex).toBe(0);

    const updatesBefore = fake.updates.length;
    release();
    const late = await (pending as Promise<AckReply> | null);
    expect(late?.toast?.type).toBe('success');
    await h.flush();
    // What the ack would have shown: the toast as a message to the clicker, the clicked card updated in place.
    expect(chat.texts('li.lead').at(-1)).toBe(late?.toast?.text);
    const patched = fake.updates.slice(updatesBefore).filter((u) => u.messageId === clicked);
    expect(patched.length).toBeGreaterThan(0);
    expect(feishuCardText(patched.at(-1)?.content)).toContain('李主管 同意');
    const live = feishuButtons(patched.at(-1)?.content).filter((b) => !b.disabled);
    expect(live.map((b) => b.label)).toEqual(['更多操作']);
    expect(fake.messagesTo(openIdOf('li.lead')).length).toBeGreaterThan(1);
  });

  it('a handler that answers in time is passed through unchanged', async () => {
    const h = createTestHandoff();
    cleanup.push(() => h.stop());
    const { withAckDeadline } = await import('../../src/app/ack-deadline');
    const lateCalls: AckReply[] = [];
    const reply: AckReply = { toast: { type: 'success', text: '已同意' } };
    const handler = withAckDeadline(async () => reply, {
      deadlineMs: 60_000,
      late: (_ev, r) => lateCalls.push(r),
      onError: () => {},
    });
    const ev: InboundEvent = {
      kind: 'cardAction',
      eventId: 'e1',
      actor: { platform: 'feishu', userId: 'ou_x' },
      chat: null,
      messageId: null,
      value: {},
    };
    expect(await handler(ev)).toBe(reply);
    expect(lateCalls).toEqual([]);
  });
});
