import { afterEach, describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import { renderCardParams } from '../../src/platforms/dingtalk/render-card';
import { renderTemplateCard } from '../../src/platforms/wecom/render-card';
import { renderMarkdown } from '../../src/platforms/wecom/render-text';
import { projects } from '../../src/store/schema';
import { feishuCardText, startFeishuHandoff } from '../helpers/feishu-chat';
import { createTestHandoff, LocalChat } from '../helpers/handoff';

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
