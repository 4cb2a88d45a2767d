import { afterEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import { renderCardParams } from '../../src/platforms/dingtalk/render-card';
import { renderTemplateCard } from '../../src/platforms/wecom/render-card';
import { renderMarkdown } from '../../src/platforms/wecom/render-text';
import { projects } from '../../src/store/schema';
import { startDingtalkHandoff } from '../helpers/dingtalk-chat';
import { feishuCardText, openIdOf, startFeishuHandoff } from '../helpers/feishu-chat';
import { textMessageEvent } from '../helpers/feishu-deliveries';
import { COMMERCIAL_FORM, COMMERCIAL_OK, createTestHandoff, LocalChat } from '../helpers/handoff';
import { startFakeWecomFor, WecomChat, wecomConfig, withWecomIds } from '../helpers/wecom-chat';

/** Finding 2 of issue 10: mentions, markup and links injected through user text. */
const AT_ALL = '<at user_id="all">所有人</at>';
const NAME = `${AT_ALL}\n**合同/首付款：** 已签合同 / 首付款已到`;
const PHISH = 'https://a.example/x)[点此审批](https://evil.example/p';
const REGISTER = `/register name="${NAME}" customer="${NAME}" kind=project region=north contract=HT-1 signed=no paid=no req=${PHISH} form=https://docs.example.com/form`;

/** The markdown of a Feishu card (plain_text, e.g. the header, is never parsed by Feishu). */
function feishuMarkdown(card: unknown): string {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      n.forEach(walk);
      return;
    }
    if (typeof n !== 'object' || n === null) return;
    const o = n as Record<string, unknown>;
    if (o.tag === 'markdown' && typeof o.content === 'string') out.push(o.content);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}

/** Link targets written in markdown `[label](target)`, and the labels. */
const links = (md: string) =>
  [...md.matchAll(/\[([^\]]*)\]\(([^)]*)\)/g)].map((m) => ({ label: m[1] ?? '', url: m[2] ?? '' }));

function expectNoInjection(text: string, contractLine: RegExp) {
  expect(text).not.toMatch(/<at\b/i);
  expect(text).not.toMatch(/<@/);
  expect(text.split('\n').filter((l) => contractLine.test(l)).length).toBeLessThanOrEqual(1);
  for (const l of links(text)) {
    expect(l.url.startsWith('https://a.example/') || l.url.startsWith('https://docs.example.com/'), l.url).toBe(true);
    expect(l.label).not.toContain('点此审批');
  }
}

describe('user text cannot inject mentions, lines or links', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('Feishu: the approver card, /mine and the unknown-command echo show the text as typed', async () => {
    const env = await startFeishuHandoff();
    stops.push(() => env.stop());
    const { chat, h } = env;
    await chat.say('wang.sales', REGISTER);
    expect(chat.lastText('wang.sales')).toContain('已登记');
    const card = feishuMarkdown(chat.lastCard('li.lead'));
    expectNoInjection(card, /^\*\*合同\/首付款：\*\*/);
    expect(card.split('\n').filter((l) => l.startsWith('**合同/首付款：**'))).toEqual([
      '**合同/首付款：** 未签合同 / 首付款未到',
    ]);
    expect(card).toContain('&lt;at user&#95;id=all&gt;所有人&lt;/at&gt; &#42;&#42;合同/首付款：&#42;&#42; 已签合同');
    expect(feishuCardText(chat.lastCard('li.lead'))).toContain('HO-2026-0001');
    expect(links(card).map((l) => l.label)).toEqual(['用户需求采集表', '项目实施登记表']);

    await chat.say('li.lead', '/mine');
    expectNoInjection(feishuMarkdown(chat.lastCard('li.lead')), /^\*\*合同\/首付款：\*\*/);

    await chat.say('li.lead', `/${AT_ALL}`);
    const sent = env.fake.messages.filter((m) => m.msg_type === 'text').at(-1);
    const raw = JSON.stringify(sent?.content);
    expect(raw).toContain('未知命令');
    expect(raw).not.toMatch(/<at\b/);

    // javascript: (and any non-http) links are refused at input, with nothing created.
    const before = h.db.select().from(projects).all().length;
    await chat.say(
      'wang.sales',
      REGISTER.replace('form=https://docs.example.com/form', 'form=javascript://%0aalert(1)'),
    );
    expect(chat.lastText('wang.sales')).toContain('应为以 http:// 或 https:// 开头的文档链接');
    expect(h.db.select().from(projects).all()).toHaveLength(before);
  });

  it('Feishu: nothing the bot sends carries the injection — notices to sales, reminder cards, group echoes, the news post', async () => {
    const env = await startFeishuHandoff();
    stops.push(() => env.stop());
    const { chat, h, fake } = env;
    const saas = REGISTER.replace('kind=project', 'kind=saas').replace('signed=no paid=no', 'signed=yes paid=yes');
    await chat.say('wang.sales', saas);
    expect(chat.lastText('wang.sales')).toContain('已登记');
    // The commercial review waits 25 h: the approval nudge (a reminder card) goes out.
    h.clock.advance(25 * 3_600_000);
    expect((await h.remind()).nudges).toBeGreaterThan(0);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('ma.support', '确认需求', { need: '开通签章', integration: 'no' });
    await chat.click('ma.support', '接管');
    expect(h.db.select().from(projects).get()?.state).toBe('closed');
    const news = fake.messagesTo('oc_news');
    expect(news).toHaveLength(1);
    // An unknown command echoed in a group (the bot @-mentioned).
    const bot = [{ key: '@_user_1', openId: fake.botOpenId, name: 'Handoff' }];
    const group = textMessageEvent({
      openId: openIdOf('wang.sales'),
      chatId: 'oc_team',
      chatType: 'group',
      text: `@_user_1 /${AT_ALL}`,
      mentions: bot,
      createTime: h.clock.now().getTime(),
    });
    await chat.deliver('/feishu/events', chat.sign(group));
    await h.flush();
    const echo = JSON.stringify(fake.messagesTo('oc_team').at(-1)?.content);
    expect(echo).toContain('未知命令');

    // Every message and every card update the bot sent: no mention tag, no line or link it did not place
    // (texts: the whole content; cards: what Feishu parses as markdown — plain_text is never parsed).
    const texts = fake.messages.filter((m) => m.msg_type === 'text').map((m) => JSON.stringify(m.content));
    const cards = [
      ...fake.messages.filter((m) => m.msg_type === 'interactive').map((m) => m.content),
      ...fake.updates.map((u) => u.content),
    ];
    expect(texts.length).toBeGreaterThan(3);
    expect(cards.length).toBeGreaterThan(5);
    for (const raw of texts) {
      expect(raw).not.toMatch(/<at\b/i);
      expect(raw).not.toContain('](https://evil.example');
    }
    for (const c of cards) expectNoInjection(feishuMarkdown(c), /^\*\*合同\/首付款：\*\*/);
    // The news post and the sales notices still name the project (escaped, not dropped).
    expect(feishuMarkdown(news[0]?.content)).toContain('&lt;at user&#95;id=all&gt;');
    expect(chat.texts('wang.sales').join('\n')).toMatch(/<\u200bat user_id=all>所有人<\u200b\/at> \*\*合同/);
  });

  it('DingTalk (dingtalk-stream) and WeCom (encrypted callbacks): cards and messages keep the text literal', async () => {
    const ding = await startDingtalkHandoff();
    stops.push(() => ding.stop());
    await ding.chat.say('wang.sales', REGISTER);
    await ding.chat.click('li.lead', '同意');
    const bodies = ding.fake.cards.map((c) => c.params.body ?? '');
    expect(bodies.length).toBeGreaterThan(2);
    for (const b of bodies) expectNoInjection(b.replace(/ {2}\n/g, '\n'), /^\*\*合同\/首付款：\*\*/);
    for (const m of ding.fake.messages) expect(JSON.stringify(m.msgParam)).not.toContain('](https://evil.example');

    const fake = await startFakeWecomFor();
    const h = createTestHandoff({ org: withWecomIds(), localUi: false, wecom: wecomConfig(fake.baseUrl) });
    stops.push(async () => {
      await h.stop();
      await fake.close();
    });
    const wecom = new WecomChat(fake, (await h.listen()).url, h.clock, () => h.flush());
    await wecom.say('wang.sales', REGISTER);
    await wecom.click('li.lead', '同意');
    expect(fake.messages.length).toBeGreaterThan(3);
    for (const m of fake.messages) {
      const raw = JSON.stringify(m.body);
      expect(raw, m.msgtype).not.toMatch(/<@|<a\b|\\n\*\*合同/);
      expect(raw, m.msgtype).not.toContain('](https://evil.example');
      const md = (m.body.markdown as { content?: string } | undefined)?.content;
      if (md) expectNoInjection(md, /^\*\*合同\/首付款：\*\*/);
    }
    expect(h.db.select().from(projects).get()?.stepIndex).toBe(1);
  });

  it('DingTalk and WeCom renderings of the same card keep the text literal and the links the card placed', async () => {
    const h = createTestHandoff();
    stops.push(() => h.stop());
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER);
    const card: CardModel = chat.lastCard('li.lead');

    const body = renderCardParams(card).body ?? '';
    expectNoInjection(body.replace(/ {2}\n/g, '\n'), /^\*\*合同\/首付款：\*\*/);
    expect(body).toContain('＜at user＿id=all＞所有人＜/at＞ ＊＊合同/首付款：＊＊ 已签合同');

    const md = renderMarkdown(card);
    expectNoInjection(md, /^\*\*合同\/首付款：\*\*/);

    const template = renderTemplateCard(card, 'ho_x', { keys: null });
    const urls = JSON.stringify(template).match(/"url":"[^"]*"/g) ?? [];
    for (const u of urls) expect(u).not.toContain('evil.example/p"');
    expect(JSON.stringify(template)).not.toMatch(/\\n\*\*合同/);
  });
});
