import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/store/schema';
import { feishuCardText, startFeishuHandoff } from '../helpers/feishu-chat';
import { COMMERCIAL_FORM, COMMERCIAL_OK, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

const REG = 'HO-2026-0001';

describe('operations around a step on Feishu (real SDK, real HTTP, signed and encrypted deliveries)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());
  const audit = (action: 'comment' | 'cc' | 'urge' | 'approve') =>
    env.h.db.select().from(auditLog).where(eq(auditLog.action, action)).all();

  it('a CC copy is PATCHed in place; a comment from the card reaches the holder as literal text', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '抄送', { cc_person: '冯产品' });
    const [copy] = chat.cards('feng.prod');
    expect(copy && feishuCardText(copy.card)).toContain('李主管 把此项目抄送给你');
    expect(chat.buttons('feng.prod')).toEqual([]);
    const patchesBefore = fake.updates.filter((u) => u.messageId === copy?.messageId).length;

    await chat.click('li.lead', '同意');
    expect(chat.cards('feng.prod')).toHaveLength(1);
    expect(fake.updates.filter((u) => u.messageId === copy?.messageId).length).toBeGreaterThan(patchesBefore);
    expect(feishuCardText(chat.lastCard('feng.prod'))).toContain('特批领导审批（北方）');

    const text = '<at id=all></at> 请看 [链接](https://evil.example)';
    const ack = (await chat.click('yang.huiyu', '评论', { comment_text: text })) as { toast: { type: string } };
    expect(ack.toast.type).toBe('success');
    // The holder's card (the clicked copy) and the CC copy show the comment, escaped: no mention, no link.
    for (const u of ['yang.huiyu', 'feng.prod']) {
      const raw = JSON.stringify(chat.lastCard(u));
      expect(raw).not.toContain('<at id=all>');
      expect(raw).not.toContain('](https://evil.example)');
      expect(feishuCardText(chat.lastCard(u))).toContain('评论');
    }
    expect(audit('comment').map((r) => r.reason)).toEqual([text]);

    // A comment by command notifies the current holder with a new card.
    const before = chat.cards('yang.huiyu').length;
    await chat.say('feng.prod', `/comment ${REG} 产品侧没问题`);
    expect(chat.lastText('feng.prod')).toContain('已通知当前处理人 杨辉玉（杨总）');
    expect(chat.cards('yang.huiyu')).toHaveLength(before + 1);
    expect(feishuCardText(chat.lastCard('yang.huiyu'))).toContain('评论：冯产品：产品侧没问题');
  });

  it('urge is limited to once per step per day; batch approve from /mine approves each step once', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('北方智慧园区', '北方二期'));
    await chat.say('wang.sales', `/催促 ${REG}`);
    expect(chat.lastText('wang.sales')).toBe('已催办「销售主管审批」（李主管）。');
    expect(feishuCardText(chat.lastCard('li.lead'))).toContain('催办：登记人 王销售 催促你尽快处理「销售主管审批」');
    await chat.say('wang.sales', `/urge ${REG}`);
    expect(chat.lastText('wang.sales')).toContain('每个步骤每天只能催办一次，请明天再试');
    expect(audit('urge')).toHaveLength(1);

    await chat.say('li.lead', '/mine');
    const ack = (await chat.click('li.lead', '全部同意（2 项）')) as { toast: { content: string } };
    expect(ack.toast.content).toBe('批量同意：已同意 2 项。');
    expect(chat.lastText('li.lead')).toBe('• HO-2026-0001 销售主管审批：已同意\n• HO-2026-0002 销售主管审批：已同意');
    expect(audit('approve').map((r) => [r.regNo, r.actorId, r.platform])).toEqual([
      ['HO-2026-0001', 'li.lead', 'feishu'],
      ['HO-2026-0002', 'li.lead', 'feishu'],
    ]);
    // A second click on the same /mine card finds nothing left.
    const again = (await chat.click('li.lead', '全部同意（2 项）')) as { toast: { type: string; content: string } };
    expect(again.toast).toEqual({ type: 'error', content: '你目前没有待审批的步骤。' });
    expect(audit('approve')).toHaveLength(2);
    await chat.click('yang.huiyu', '同意');
    await chat.click('zhao.biz', COMMERCIAL_OK, { ...COMMERCIAL_FORM, comment: '' });
    expect(feishuCardText(chat.lastCard('li.lead'))).toContain('抄送：「项目总监审核并立项」已开始');
  });
});
