import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../src/platforms/types';
import { auditLog } from '../../src/store/schema';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * Deliveries that arrive together share one commit (group commit): they must still behave as if handled one after
 * the other — a double tap approves once, a redelivery changes nothing — and one that fails must not take the
 * others down with it.
 */
describe('deliveries handled in one group commit', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  async function twoProjects() {
    const h = createTestHandoff();
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('HT-2026-001', 'HT-2026-002'));
    const cards = chat.cards('li.lead').slice(-2);
    const clicks = cards.map((c) => {
      const approve = c.card.actions.find((a) => a.label === '同意');
      if (!approve) throw new Error('li.lead has no 同意 button');
      return { messageId: c.id, value: approve.value };
    });
    const pipeline = h.pipelines.get('local');
    if (!pipeline || clicks.length !== 2) throw new Error('no local pipeline or not two cards');
    const click = (eventId: string, i: 0 | 1): InboundEvent => ({
      kind: 'cardAction',
      eventId,
      actor: { platform: 'local', userId: 'li.lead' },
      chat: { chatId: 'dm:li.lead', type: 'p2p' },
      ...(clicks[i] as { messageId: string; value: unknown }),
    });
    const approvals = () =>
      h.db
        .select()
        .from(auditLog)
        .all()
        .filter((r) => r.action === 'approve' && r.actorId === 'li.lead')
        .map((r) => r.regNo);
    return { h, pipeline, click, approvals };
  }

  it('a double tap and a redelivery in the same turn: one approval, the tap told it is done, the copy ignored', async () => {
    const { pipeline, click, approvals } = await twoProjects();
    const [first, tap, again] = await Promise.all([
      pipeline(click('tap-1', 0)),
      pipeline(click('tap-2', 0)),
      pipeline(click('tap-1', 0)),
    ]);
    expect(first.toast?.type).toBe('success');
    expect(tap.toast?.type).not.toBe('success');
    expect(tap.toast?.text).toMatch(/^该步骤已由 李主管 于 .+ 同意，无需重复处理。$/);
    expect(again).toEqual({});
    expect(approvals()).toHaveLength(1);
  });

  it('one delivery that fails rolls back alone; the others of its group commit', async () => {
    const { h, pipeline, click, approvals } = await twoProjects();
    const append = h.deps.audit.append.bind(h.deps.audit);
    let failed = false;
    h.deps.audit.append = (entry) => {
      if (entry.action === 'approve' && !failed) {
        failed = true;
        append(entry);
        throw new Error('the audit log refused the line');
      }
      append(entry);
    };
    const results = await Promise.allSettled([pipeline(click('p-1', 0)), pipeline(click('p-2', 1))]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: 'the audit log refused the line' } });
    expect(results[1]).toMatchObject({ status: 'fulfilled', value: { toast: { type: 'success' } } });
    // Only the second project's approval is kept; the first one's half-written line rolled back with it.
    const kept = approvals();
    expect(kept).toHaveLength(1);
    // The failed click was not claimed: the platform's redelivery of it goes through, on the other project.
    const redelivered = await pipeline(click('p-1', 0));
    expect(redelivered.toast?.type).toBe('success');
    const after = approvals();
    expect(after).toHaveLength(2);
    expect(after[0]).toBe(kept[0]);
    expect(after[1]).not.toBe(kept[0]);
  });
});
