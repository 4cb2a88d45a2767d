import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projects } from '../../src/store/schema';
import { startDingtalkHandoff } from '../helpers/dingtalk-chat';
import { REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

describe('DingTalk: withdraw asks first, as a second step (its buttons have no confirmation)', () => {
  let env: Awaited<ReturnType<typeof startDingtalkHandoff>>;
  beforeEach(async () => {
    env = await startDingtalkHandoff();
  });
  afterEach(() => env.stop());

  it('撤回 sends a confirmation card; only its button withdraws', async () => {
    const { chat, h } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('wang.sales', '撤回');
    expect(h.db.select().from(projects).get()?.state).toBe('in_approval');
    expect(chat.cards('wang.sales').at(-1)?.params.title).toBe('确认撤回？');
    expect(chat.buttons('wang.sales')).toEqual(['确认撤回']);
    expect(chat.body('wang.sales')).toContain('撤回后审批结束');
    await chat.click('wang.sales', '确认撤回');
    expect(h.db.select().from(projects).get()?.state).toBe('withdrawn');
    expect(await chat.waitForText('wang.sales', '已撤回')).toContain('HO-2026-0001');
  });
});
