import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardText,
  createTestHandoff,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  SETUP_FORM,
} from '../helpers/handoff';

describe('approval chain through the local platform', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let chat: LocalChat;
  beforeEach(() => {
    h = createTestHandoff();
    chat = new LocalChat(h);
  });
  afterEach(() => h.stop());

  it('walks an unsigned north project through the special chain to the project director', async () => {
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.lastText('wang.sales')).toContain('HO-2026-0001');
    expect(cardText(chat.lastCard('wang.sales'))).toContain('销售主管审批');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);

    await chat.click('li.lead', '同意');
    // Only 更多操作 is left: the lead may revoke the approval (撤销同意) until 杨总 acts.
    expect(chat.buttons('li.lead')).toEqual(['更多操作']);
    // The banner no longer asks the lead to act: it says who holds the step now (issue 11, "banners lie").
    const lead = chat.lastCard('li.lead').blocks[0];
    expect(lead).toEqual({
      type: 'ask',
      todo: false,
      text: '无需你操作。目前由 杨辉玉（杨总） 处理「特批领导审批（北方）」。',
    });
    expect(cardText(chat.lastCard('yang.huiyu'))).toContain('特批领导审批（北方）');
    expect(chat.cards('dai.juanxiang')).toHaveLength(0);

    await chat.click('yang.huiyu', '同意');
    const biz = chat.lastCard('zhao.biz');
    // The checklist is the form itself: one tick per item, next to the 外采 choice.
    expect(biz.forms[0]?.fields.filter((f) => f.name.startsWith('check_'))).toHaveLength(4);
    await chat.click('zhao.biz', COMMERCIAL_OK, { ...COMMERCIAL_FORM, outsourcing: 'yes', comment: '需外采 OCR 模块' });

    expect(cardText(chat.lastCard('sun.director'))).toContain('项目总监审核并立项');
    expect(cardText(chat.lastCard('sun.director'))).toMatch(
      /商务经理电子签名: 赵商务 · 商务经理 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
    );
    await chat.click('sun.director', '立项并指派', SETUP_FORM);

    const final = chat.lastCard('wang.sales');
    expect(final.header.color).toBe('green');
    expect(cardText(final)).toContain('外采: 需外采产品');
    expect(chat.lastText('wang.sales')).toContain('已由 孙总监 受理');
    // Every copy of the card was updated in place: nobody has a live button left.
    for (const u of ['li.lead', 'yang.huiyu']) {
      expect(chat.buttons(u), u).toEqual([]);
    }
    // The director may still revoke the acceptance while no delivery task has moved.
    expect(chat.buttons('sun.director')).toEqual(['更多操作']);
    // 外采 opened the commercial reviewer's purchasing task; sales may start a cloud order.
    expect(chat.buttons('zhao.biz')).toEqual(['更多操作', '外采已完成', '抄送', '评论']);
    expect(chat.buttons('wang.sales')).toEqual(['发起云产品下单申请']);
  });
});
