import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, outbox, projects } from '../../src/store/schema';
import type { FakeWecom } from '../helpers/fake-wecom';
import { COMMERCIAL_TYPED, createTestHandoff, REGISTER_NORTH_UNSIGNED, SETUP_TYPED } from '../helpers/handoff';
import { startFakeWecomFor, WecomChat, wecomConfig, withWecomIds } from '../helpers/wecom-chat';

describe('WeCom end to end: encrypted XML callbacks, template cards, fake WeCom API', () => {
  let fake: FakeWecom;
  let h: ReturnType<typeof createTestHandoff>;
  let chat: WecomChat;
  beforeEach(async () => {
    fake = await startFakeWecomFor();
    h = createTestHandoff({ org: withWecomIds(), localUi: false, wecom: wecomConfig(fake.baseUrl) });
    const { url } = await h.listen();
    chat = new WecomChat(fake, url, h.clock, () => h.flush());
  });
  afterEach(async () => {
    await h.stop();
    await fake.close();
  });

  it('runs the full special-approval chain with button cards', async () => {
    const res = await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(res.status).toBe(200);
    expect(await chat.waitForText('wang.sales', 'HO-2026-0001')).toContain('已登记');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    const leadCard = chat.cards('li.lead').at(-1)?.taskId;
    await chat.click('li.lead', '同意');
    // The clicked card is updated once, with the click's response code; the refresh of the project's copies does
    // not queue a second update of it (each code works once).
    expect(fake.updates.filter((u) => u.taskId === leadCard)).toHaveLength(1);
    const updatesQueued = h.db
      .select()
      .from(outbox)
      .all()
      .filter((r) => r.conversation === `msg:${leadCard}`);
    expect(updatesQueued).toHaveLength(1);
    await chat.click('yang.huiyu', '同意');
    expect(chat.cards('dai.juanxiang')).toHaveLength(0);
    // The commercial review's checklist cannot be ticked on a WeCom button card: the card says what to type.
    expect(chat.cardText('zhao.biz')).toContain('/approve HO-2026-0001');
    await chat.say('zhao.biz', `/approve HO-2026-0001 ${COMMERCIAL_TYPED}`);
    // The director's setup answers are typed on WeCom (the region's PM is the default).
    await chat.say('sun.director', `/approve HO-2026-0001 ${SETUP_TYPED}`);
    expect(h.db.select().from(projects).get()?.state).toBe('accepted');
    expect(chat.cardText('li.lead')).not.toContain('"同意"');
    expect(await chat.waitForText('sun.director', '已受理')).toContain('HO-2026-0001');
  });

  it('reject (typed, with the reason) → resubmit from the card → the chain restarts', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    // WeCom cards have no text input: the card tells the approver to type the rejection.
    expect(chat.cardText('li.lead')).toContain('/reject HO-2026-0001');
    await chat.say('li.lead', '/reject HO-2026-0001 缺少报价单');
    expect(chat.buttons('wang.sales')).toEqual(['重新提交', '撤回', '评论']);
    await chat.click('wang.sales', '重新提交');
    expect(chat.cards('li.lead')).toHaveLength(2);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
  });

  it('a wrong approver is refused with a message and audited', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('zhao.biz', '/approve HO-2026-0001');
    expect(await chat.waitForText('zhao.biz', '你不是当前步骤的处理人')).toContain('李主管');
    expect(
      h.db
        .select()
        .from(auditLog)
        .all()
        .map((a) => a.action),
    ).toEqual(['register', 'denied']);
  });
});
