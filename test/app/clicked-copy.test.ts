import { afterEach, describe, expect, it } from 'vitest';
import { createPipeline } from '../../src/app/pipeline';
import type { DeferredAck } from '../../src/platforms/types';
import { outbox } from '../../src/store/schema';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * A decision refreshes every live copy of the project's card, but the one clicked: the click's answer shows that
 * one (inline, or by the update the platform's deferred answer queues). When the answer does not show it after all,
 * the copy is updated like the others — never left stale, never updated twice.
 */
describe('the clicked copy is updated once', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  /** li.lead approves from their card through a pipeline whose platform answers as `deferred` says. */
  async function approveThrough(opts: { answersClickedCard: boolean; deferred?: DeferredAck }) {
    const h = createTestHandoff();
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = chat.cards('li.lead').at(-1);
    const approve = card?.card.actions.find((a) => a.label === '同意');
    if (!card || !approve) throw new Error('li.lead has no card to approve');
    const before = h.db.select().from(outbox).all().length;
    const pipeline = createPipeline(h.deps, 'local', {
      answersClickedCard: opts.answersClickedCard,
      ...(opts.deferred ? { deferredAck: () => opts.deferred as DeferredAck } : {}),
    });
    const reply = await pipeline({
      kind: 'cardAction',
      eventId: `click-${Math.random()}`,
      actor: { platform: 'local', userId: 'li.lead' },
      chat: { chatId: 'dm:li.lead', type: 'p2p' },
      messageId: card.id,
      value: approve.value,
    });
    const queued = h.db
      .select()
      .from(outbox)
      .all()
      .slice(before)
      .filter((r) => r.conversation === `msg:${card.id}`);
    return { reply, queued };
  }

  it('answered inline: the refresh leaves the clicked copy out', async () => {
    const { reply, queued } = await approveThrough({ answersClickedCard: true });
    expect(reply.toast?.type).toBe('success');
    expect(reply.card).toBeDefined();
    expect(queued).toHaveLength(0);
  });

  it('answered by a deferred update: that one update, not a second', async () => {
    const { queued } = await approveThrough({ answersClickedCard: true, deferred: { updateCard: true } });
    expect(queued).toHaveLength(1);
  });

  it('a deferred answer that cannot update the card: the copy is refreshed like the others', async () => {
    const { queued } = await approveThrough({ answersClickedCard: true, deferred: {} });
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0]?.payloadJson ?? '{}')).toMatchObject({ op: 'update', view: { type: 'project' } });
  });

  it('a platform whose answer may not show the card (DingTalk): the copy is refreshed as well', async () => {
    const { reply, queued } = await approveThrough({ answersClickedCard: false });
    expect(reply.card).toBeDefined();
    expect(queued).toHaveLength(1);
  });
});
