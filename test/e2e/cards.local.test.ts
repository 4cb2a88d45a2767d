import { afterEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardButtons,
  cardText,
  createTestHandoff,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
} from '../helpers/handoff';

const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const REG = 'HO-2026-0001';

/** The copies of one project's cards a person holds: how many still carry work, and that the rest are locked. */
function copies(chat: LocalChat, user: string): { live: CardModel[]; locked: CardModel[] } {
  const all = chat.cards(user).filter((c) => c.card.header.subtitle?.startsWith(REG));
  const live = all.filter((c) => cardButtons(c.card).length > 0).map((c) => c.card);
  const locked = all.filter((c) => cardButtons(c.card).length === 0).map((c) => c.card);
  return { live, locked };
}

describe('cards on the local platform (issue 11)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let chat: LocalChat;
  afterEach(() => h?.stop());

  async function toRequirements(): Promise<void> {
    h = createTestHandoff();
    chat = new LocalChat(h);
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', { feasibility: '方案可行', risk: '工期紧', pm: 'zhou.pm' });
  }

  it('one live card per person per project: a sent-back form replaces the older copies, which carry no actions', async () => {
    await toRequirements();
    const answers = {
      link: 'https://d/confirm',
      method: 'roundtable',
      customization: ['in_contract'],
      integration: 'no',
    };
    await chat.click('zhou.pm', '提交需求确认', answers);
    await chat.click('zhou.pm', '提交', { link: 'https://d/list' });
    await chat.click('sun.director', '通过');
    await chat.click('zhou.pm', '确认方案');
    await chat.click('feng.prod', '驳回', { reason: '清单缺少接口需求' });
    await chat.say('zhou.pm', `/status ${REG}`);
    await chat.say('zhou.pm', '/mine');
    const pm = copies(chat, 'zhou.pm');
    expect(pm.live).toHaveLength(1);
    expect(pm.locked.length).toBeGreaterThan(2);
    for (const c of pm.locked) {
      expect(c.actions).toEqual([]);
      expect(c.forms).toEqual([]);
    }
    // The older copies are locked whole, pointing to the current one.
    expect(pm.locked.filter((c) => c.header.subtitle === `${REG} · 已更新`).length).toBeGreaterThan(1);
    // The sent-back list comes back with what was typed last time.
    const form = pm.live[0]?.forms.find((f) => f.submit.label === '提交');
    expect(form?.fields.find((f) => f.name === 'link')?.initial).toBe('https://d/list');
    // Every person: at most one copy of this project with work on it.
    for (const u of ['wang.sales', 'zhao.biz', 'sun.director', 'feng.prod', 'qian.rd'])
      expect(copies(chat, u).live.length, u).toBeLessThanOrEqual(1);
  });

  it('a round-1 approval card stays locked beside the round-2 card', async () => {
    h = createTestHandoff();
    chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const round1 = chat.cards('li.lead').at(-1)?.id ?? '';
    await chat.say('li.lead', `/reject ${REG} 请补充首付款凭证`);
    await chat.click('wang.sales', '重新提交');
    await chat.say('li.lead', `/status ${REG}`);
    const lead = copies(chat, 'li.lead');
    expect(lead.live).toHaveLength(1);
    expect(cardText(lead.live[0] as CardModel)).toContain('第 2 轮');
    // A click on the round-1 copy answers with its locked state, never brings it back.
    const r = await chat.click('li.lead', '同意', undefined, round1).catch((e: Error) => e);
    expect(r).toBeInstanceOf(Error);
    expect(copies(chat, 'li.lead').live).toHaveLength(1);
  });

  it('a refused form comes back with every typed value and the error next to its field', async () => {
    await toRequirements();
    const typed = { method: 'roundtable', customization: ['in_contract'], integration: 'no', link: 'ftp://x' };
    const r = await chat.click('zhou.pm', '提交需求确认', typed);
    expect(r.toast?.type).toBe('error');
    const form = r.card?.forms.find((f) => f.submit.label === '提交需求确认');
    expect(form?.fields.map((f) => [f.name, f.initial])).toEqual([
      ['link', 'ftp://x'],
      ['method', 'roundtable'],
      ['customization', 'in_contract'],
      ['integration', 'no'],
    ]);
    expect(form?.fields.find((f) => f.name === 'link')?.error).toContain('链接');
    expect(form?.fields.filter((f) => f.error)).toHaveLength(1);
    // The re-rendered card is the clicked copy itself (the simulator shows it in place of the old one).
    const shown = chat
      .cards('zhou.pm')
      .at(-1)
      ?.card.forms.find((f) => f.submit.label === '提交需求确认');
    expect(shown?.fields.find((f) => f.name === 'link')?.initial).toBe('ftp://x');
  });

  it('the registration form keeps what was typed when a document link is missing', async () => {
    h = createTestHandoff();
    chat = new LocalChat(h);
    await chat.say('wang.sales', '/register');
    const typed = {
      name: '园区',
      customer: '某集团',
      kind: 'project',
      region: 'north',
      contract: 'HT-9',
      signed: 'yes',
      paid: 'no',
      form: 'https://d/form',
    };
    const r = await chat.click('wang.sales', '提交登记', typed);
    expect(r.toast?.text).toContain('缺少资料');
    const fields = r.card?.forms[0]?.fields ?? [];
    for (const [k, v] of Object.entries(typed)) expect(fields.find((f) => f.name === k)?.initial, k).toBe(v);
    expect(fields.find((f) => f.name === 'req')?.error).toContain('缺少资料');
  });

  it('the bare /register form is offered only to who may register', async () => {
    h = createTestHandoff();
    chat = new LocalChat(h);
    await chat.say('zhou.pm', '/register');
    expect(chat.cards('zhou.pm')).toHaveLength(0);
    expect(chat.lastText('zhou.pm')).toContain('只有');
    expect(chat.lastText('zhou.pm')).toContain('可以登记项目');
    await chat.say('wang.sales', '/register');
    expect(chat.lastCard('wang.sales').forms[0]?.submit.label).toBe('提交登记');
  });
});
