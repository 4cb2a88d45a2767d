import { describe, expect, it } from 'vitest';
import { tick } from '../../src/jobs/housekeeping.job';
import { inboundEvents, outbox } from '../../src/store/schema';
import { createTestHandoff, LocalChat } from '../helpers/handoff';

const DAY = 86_400_000;

describe('housekeeping job', () => {
  it('forgets old event ids and old delivered messages, and keeps dead letters and recent rows', async () => {
    const h = createTestHandoff();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', '/help');
    h.deps.outbox.enqueue(
      'feishu',
      { op: 'send', target: { kind: 'user', id: 'x' }, view: { type: 'text', text: 'x' }, viewer: null },
      h.clock.now(),
    );
    await h.flush(); // no Feishu adapter here: that row is dead-lettered
    expect(tick(h.deps, h.clock.now())).toEqual({ events: 0, outbox: 0 });

    h.clock.advance(8 * DAY);
    await chat.say('wang.sales', '/mine');
    expect(tick(h.deps, h.clock.now())).toEqual({ events: 1, outbox: 0 });
    expect(h.db.select().from(inboundEvents).all()).toHaveLength(1);

    h.clock.advance(25 * DAY);
    expect(tick(h.deps, h.clock.now())).toEqual({ events: 1, outbox: 1 });
    expect(
      h.db
        .select()
        .from(outbox)
        .all()
        .map((r) => r.status)
        .sort(),
    ).toEqual(['dead', 'sent']);
    await h.stop();
  });
});
