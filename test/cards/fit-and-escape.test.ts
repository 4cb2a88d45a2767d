import { describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import { MAX_BODY_CHARS as DINGTALK_MAX_BODY, renderCardParams } from '../../src/platforms/dingtalk/render-card';
import { cardByteSize, MAX_CARD_BYTES, renderCard } from '../../src/platforms/feishu/render-card';
import { renderTemplateCard, MAX_CARD_BYTES as WECOM_MAX_CARD_BYTES } from '../../src/platforms/wecom/render-card';
import { MAX_MARKDOWN_BYTES, renderMarkdown } from '../../src/platforms/wecom/render-text';
import { feishuButtons, feishuCardText, startFeishuHandoff } from '../helpers/feishu-chat';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  cardButtons,
  createTestHandoff,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  SETUP_FORM,
} from '../helpers/handoff';

const REG = 'HO-2026-0001';
const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
/** 2000 characters; non-ASCII, so every character is 9 once percent-encoded (as the 57 KB attack card had). */
const longLink = (n: number) => `https://docs.example.com/${n}/${'验收资料'.repeat(500).slice(0, 2000 - 27)}`;

/** A project through approval, setup, requirements, implementers and pickup: the seven documents are open. */
/** LocalChat or FeishuChat: what a project needs of a chat driver. */
interface Driver {
  say(user: string, text: string): Promise<unknown>;
  click(user: string, label: string, form?: Record<string, unknown>): Promise<unknown>;
}

async function projectWithDocuments(chat: Driver) {
  await chat.say('wang.sales', SIGNED_PAID);
  await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
  await chat.click('sun.director', '立项并指派', { ...SETUP_FORM, pm: 'zhou.pm' });
  const submit = (user: string, fields: string) => chat.say(user, `/submit ${REG} ${fields}`);
  await submit('zhou.pm', 'link=https://d/confirm method=roundtable integration=no');
  await submit('zhou.pm', 'implementers=郑工');
  await submit('zheng.impl', `regno=${REG} svn=svn://repo/p1 products=标准版`);
  await chat.say('zhou.pm', `/approve ${REG}`);
  await chat.say('zhao.biz', `/approve ${REG}`);
  // Documents 1–3 are filled by the product issue, the implementation and the acceptance (long links each).
  await submit('feng.prod', `standard=${longLink(1)}`);
  await submit('zheng.impl', 'checklist=https://d/check');
  await submit('zheng.impl', `mode=remote service_form=${longLink(2)}`);
  await submit('zheng.impl', 'date=2026-03-20');
  await submit('zheng.impl', 'trial_run date=2026-03-21');
  await submit('zheng.impl', 'training date=2026-03-22');
  await submit('zheng.impl', 'date=2026-03-25');
  await submit('zheng.impl', `acceptance report=${longLink(3)}`);
}

describe('every card fits each platform budget (issue 10, finding 3)', () => {
  it('the /docs card with seven 2000-character links stays under budget everywhere, with all its buttons', async () => {
    const h = createTestHandoff();
    try {
      const chat = new LocalChat(h);
      await projectWithDocuments(chat);
      for (let d = 4; d <= 7; d++) {
        await chat.say('zheng.impl', `/doc ${REG} ${d} ${longLink(d)}`);
      }
      await chat.say('zhou.pm', `/docs ${REG}`);
      const card = chat.lastCard('zhou.pm');
      expect(JSON.stringify(card.blocks)).toContain('https://docs.example.com/7/');
      const labels = cardButtons(card).map((b) => b.label);
      expect(labels.length).toBeGreaterThan(0);

      const feishu = renderCard(card);
      // Unfitted, the card is far over Feishu's 30 KB.
      expect(cardByteSize(renderCard(card, { maxBytes: Number.POSITIVE_INFINITY }))).toBeGreaterThan(60_000);
      const rows = card.blocks.flatMap((b) => (b.type === 'checklist' ? b.items : []));
      expect(rows.filter((r) => r.checked)).toHaveLength(7);
      expect(cardByteSize(feishu)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(feishuButtons(feishu).map((b) => b.label)).toEqual(labels);

      const ding = renderCardParams(card);
      expect(ding.body?.length).toBeLessThanOrEqual(DINGTALK_MAX_BODY);
      const dingLabels = Object.entries(ding)
        .filter(([k, v]) => /^btn\d+_show$/.test(k) && v === 'true')
        .map(([k]) => ding[k.replace('_show', '_text')]);
      expect(dingLabels).toEqual(labels);

      const wecom = renderTemplateCard(card, 'ho_docs', { keys: null });
      expect(Buffer.byteLength(JSON.stringify(wecom))).toBeLessThanOrEqual(WECOM_MAX_CARD_BYTES);
      expect((wecom.button_list as { text: string }[]).length).toBeGreaterThan(0);
      expect(Buffer.byteLength(renderMarkdown(card))).toBeLessThanOrEqual(MAX_MARKDOWN_BYTES);

      // Trimmed values end with "…"; the seven rows are all still there.
      for (let d = 1; d <= 7; d++) expect(feishuCardText(feishu)).toContain(`${d}.《`);
    } finally {
      await h.stop();
    }
  });

  it('Feishu (real SDK, a fake that refuses cards over 30 KB): every card of the attack is delivered, none dead', async () => {
    const env = await startFeishuHandoff();
    try {
      const { chat, fake, h } = env;
      await projectWithDocuments(chat);
      for (let d = 4; d <= 7; d++) await chat.say('zheng.impl', `/doc ${REG} ${d} ${longLink(d)}`);
      await chat.say('zhou.pm', `/docs ${REG}`);
      const docs = chat.lastCard('zhou.pm');
      for (let d = 1; d <= 7; d++) expect(feishuCardText(docs)).toContain(`${d}.《`);
      expect(feishuButtons(docs).length).toBeGreaterThan(0);
      const sizes = [...fake.messages.filter((m) => m.msg_type === 'interactive'), ...fake.updates].map((m) =>
        cardByteSize(m.content as object),
      );
      expect(Math.max(...sizes)).toBeLessThanOrEqual(30 * 1024);
      const unsent = h.db.$client.prepare("select id, status, last_error from outbox where status != 'sent'").all();
      expect(unsent).toEqual([]);
    } finally {
      await env.stop();
    }
  });

  it('an oversized generic card (long values everywhere) is clipped with "…", keeping its actions', () => {
    const big = 'x'.repeat(40_000);
    const card: CardModel = {
      header: { title: '长卡片', color: 'blue' },
      blocks: [
        { type: 'fields', fields: [{ label: '项目名称', value: big }] },
        { type: 'rich', lines: [big, [{ link: '查看', url: `https://a.example/${big}` }]] },
        { type: 'note', text: big },
      ],
      actions: [{ label: '同意', style: 'primary', value: { v: 1, type: 'approve', regNo: REG } }],
      forms: [],
    };
    const feishu = renderCard(card);
    expect(cardByteSize(feishu)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(feishuCardText(feishu)).toContain('…');
    expect(feishuButtons(feishu).map((b) => b.label)).toEqual(['同意']);
    const ding = renderCardParams(card);
    expect(ding.body?.length).toBeLessThanOrEqual(DINGTALK_MAX_BODY);
    expect(ding.btn1_text).toBe('同意');
    const wecom = renderTemplateCard(card, 'ho_big', { keys: null });
    expect(Buffer.byteLength(JSON.stringify(wecom))).toBeLessThanOrEqual(WECOM_MAX_CARD_BYTES);
    expect((wecom.button_list as { text: string }[]).map((b) => b.text)).toEqual(['同意']);
  });
});
