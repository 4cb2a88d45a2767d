import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../src/store/schema';
import { FakeClock } from '../helpers/fake-clock';
import { cardText, createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

describe('the simulator keeps its chats across a restart', () => {
  let h: ReturnType<typeof createTestHandoff> | undefined;
  afterEach(() => h?.stop());

  it('restores every conversation and keeps updating the old cards in place', async () => {
    const databasePath = join(mkdtempSync(join(tmpdir(), 'handoff-local-')), 'h.db');
    const clock = new FakeClock();
    h = createTestHandoff({ databasePath, clock });
    let chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const before = chat.messages('wang.sales').map((m) => m.id);
    const leadCard = chat.cards('li.lead')[0]?.id;
    await h.stop();

    h = createTestHandoff({ databasePath, clock });
    chat = new LocalChat(h);
    expect(chat.messages('wang.sales').map((m) => m.id)).toEqual(before);
    expect(
      chat.lastCard('wang.sales').blocks.some((b) => b.type === 'history' && b.entries[0]?.at instanceof Date),
    ).toBe(true);

    // li.lead approves on the card sent before the restart; every old copy is updated, new ids do not collide.
    await chat.click('li.lead', '同意', undefined, leadCard);
    expect(chat.buttons('li.lead')).toEqual(['更多操作']);
    expect(cardText(chat.lastCard('wang.sales'))).toContain('特批领导审批（北方）');
    expect(new Set(chat.messages('wang.sales').map((m) => m.id)).size).toBe(chat.messages('wang.sales').length);
    expect(
      h.db
        .select()
        .from(outbox)
        .all()
        .filter((r) => r.status !== 'sent'),
    ).toEqual([]);
  });
});
