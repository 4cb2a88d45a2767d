import { describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { decodeSubmitName } from '../../../src/platforms/feishu/payloads';
import {
  cardByteSize,
  cardTextByteSize,
  HISTORY_TRIMMED_LINE,
  MAX_CARD_BYTES,
  renderAck,
  renderAckText,
  renderCard,
  renderCardText,
} from '../../../src/platforms/feishu/render-card';

type J = Record<string, unknown>;

const approve = { v: 1 as const, type: 'approve' as const, regNo: 'HO-2026-0042' };
const reject = { v: 1 as const, type: 'reject' as const, regNo: 'HO-2026-0042' };

const fullCard: CardModel = {
  header: { title: '立项审批 R-42', subtitle: '张三 提交', color: 'orange' },
  blocks: [
    {
      type: 'fields',
      fields: [
        { label: '项目', value: '官网改版' },
        { label: '预算', value: '<at id=all></at> ¥1,200' },
      ],
    },
    { type: 'markdown', text: '**说明**：请在周五前处理' },
    {
      type: 'checklist',
      title: '材料',
      items: [
        { text: '需求文档', checked: true },
        { text: '预算表', checked: false },
        { text: '法务意见', checked: null },
      ],
    },
    { type: 'divider' },
    {
      type: 'history',
      title: '记录',
      entries: [
        {
          at: new Date('2024-05-01T02:05:00Z'),
          who: '李四',
          what: '驳回',
          note: { label: '原因', text: '预算不足', rejection: true },
        },
        { at: new Date('2024-04-30T16:30:00Z'), who: '张三', what: '提交' },
      ],
    },
    { type: 'note', text: '由 Handoff 自动生成' },
  ],
  actions: [
    { label: '同意', style: 'primary', value: approve },
    { label: '转交', style: 'default', value: { v: 1, type: 'help' }, disabled: true },
  ],
  forms: [
    {
      name: 'reject_form',
      fields: [
        { name: 'reason', label: '驳回原因', kind: 'text', required: true, placeholder: '请填写原因' },
        {
          name: 'severity',
          label: '级别',
          kind: 'select',
          required: false,
          options: [
            { value: 'soft', label: '可修改' },
            { value: 'hard', label: '终止' },
          ],
          initial: 'soft',
        },
      ],
      submit: { label: '驳回', style: 'danger', value: reject },
    },
    {
      name: 'return_form',
      fields: [{ name: 'reason', label: '退回原因', kind: 'text', required: false, initial: '补材料' }],
      submit: {
        label: '退回',
        style: 'default',
        value: { v: 1, type: 'withdraw', regNo: 'HO-2026-0042' },
        disabled: true,
      },
    },
  ],
};

function elements(card: J): J[] {
  return (card.body as { elements: J[] }).elements;
}

describe('renderCard', () => {
  const out = renderCard(fullCard);
  const els = elements(out);

  it('produces a card JSON 2.0 shared card with header', () => {
    expect(out.schema).toBe('2.0');
    expect(out.config).toEqual({ update_multi: true, width_mode: 'fill' });
    expect(out.header).toEqual({
      title: { tag: 'plain_text', content: '立项审批 R-42' },
      subtitle: { tag: 'plain_text', content: '张三 提交' },
      template: 'orange',
    });
  });

  it('renders every block type', () => {
    expect(els[0]).toEqual({
      tag: 'markdown',
      content: '**项目：** 官网改版\n**预算：** &lt;at id=all&gt;&lt;/at&gt; ¥1,200',
    });
    expect(els[1]).toEqual({ tag: 'markdown', content: '**说明**：请在周五前处理' });
    expect(els[2]).toEqual({ tag: 'markdown', content: '**材料**\n✅ 需求文档\n⬜ 预算表\n➖ 法务意见' });
    expect(els[3]).toEqual({ tag: 'hr' });
    // Chronological, Asia/Shanghai (UTC+8): 2024-04-30T16:30Z is 2024-05-01 00:30 there.
    expect(els[4]).toEqual({
      tag: 'markdown',
      content: '**记录**\n- 2024-05-01 00:30 张三 提交\n- 2024-05-01 10:05 李四 驳回 — 原因：预算不足',
    });
    expect(els[5]).toEqual({
      tag: 'markdown',
      content: "<font color='grey'>由 Handoff 自动生成</font>",
      text_size: 'notation',
    });
  });

  it('formats history in the requested time zone', () => {
    const utc = elements(renderCard(fullCard, { timeZone: 'UTC' }));
    expect(utc[4]?.content).toContain('- 2024-04-30 16:30 张三 提交');
  });

  it('lays buttons out in auto-width columns with callback behaviors', () => {
    const row = els[6] as { tag: string; columns: { tag: string; width: string; elements: J[] }[] };
    expect(row.tag).toBe('column_set');
    expect(row.columns.map((c) => [c.tag, c.width])).toEqual([
      ['column', 'auto'],
      ['column', 'auto'],
    ]);
    expect(row.columns[0]?.elements[0]).toEqual({
      tag: 'button',
      text: { tag: 'plain_text', content: '同意' },
      type: 'primary_filled',
      behaviors: [{ type: 'callback', value: approve }],
    });
    expect(row.columns[1]?.elements[0]).toMatchObject({ type: 'default', disabled: true });
  });

  it('renders forms with inputs, selects and a named submit button', () => {
    const form = els[7] as { tag: string; name: string; elements: J[] };
    expect(form.tag).toBe('form');
    expect(form.name).toBe('reject_form');
    const [input, selectLabel, select, submit] = form.elements;
    expect(input).toEqual({
      tag: 'input',
      name: 'reason',
      required: true,
      label: { tag: 'plain_text', content: '驳回原因' },
      placeholder: { tag: 'plain_text', content: '请填写原因' },
    });
    expect(selectLabel).toEqual({ tag: 'markdown', content: '**级别**' });
    expect(select).toEqual({
      tag: 'select_static',
      name: 'severity',
      required: false,
      options: [
        { text: { tag: 'plain_text', content: '可修改' }, value: 'soft' },
        { text: { tag: 'plain_text', content: '终止' }, value: 'hard' },
      ],
      initial_option: 'soft',
    });
    expect(submit).toMatchObject({
      tag: 'button',
      type: 'danger',
      form_action_type: 'submit',
      behaviors: [{ type: 'callback', value: reject }],
    });
    expect(submit).not.toHaveProperty('disabled');
    expect(decodeSubmitName(String(submit?.name))).toEqual(reject);
    expect(String(submit?.name)).toMatch(/^[a-z0-9_]+$/);
  });

  it('keeps component names unique across forms', () => {
    const second = els[8] as { elements: J[] };
    const [input, submit] = second.elements;
    expect(input).toMatchObject({ tag: 'input', name: 'reason__1', default_value: '补材料' });
    expect(submit).toMatchObject({ form_action_type: 'submit', disabled: true });
    const first = els[7] as { elements: J[] };
    expect(submit?.name).not.toBe(first.elements[3]?.name);
  });

  it('renders a read-only card without button row or forms', () => {
    const ro = renderCard({ ...fullCard, actions: [], forms: [] });
    expect(elements(ro).map((e) => e.tag)).not.toContain('column_set');
    expect(elements(ro).map((e) => e.tag)).not.toContain('form');
  });
});

describe('size budget', () => {
  const longHistory: CardModel = {
    header: { title: '长记录', color: 'blue' },
    blocks: [
      {
        type: 'history',
        title: '记录',
        entries: Array.from({ length: 400 }, (_, i) => ({
          at: new Date(Date.UTC(2024, 0, 1, 0, i)),
          who: `用户${i}`,
          what: '评论',
          note: { label: '意见', text: `第 ${i} 条：${'很长的说明'.repeat(8)}` },
        })),
      },
    ],
    actions: [{ label: '同意', style: 'primary', value: approve }],
    forms: [],
  };

  it('measures the card as it travels inside the request body', () => {
    const card = { a: '"x"' };
    expect(cardByteSize(card)).toBe(Buffer.byteLength(JSON.stringify(JSON.stringify(card))));
  });

  it('measures serialized text exactly as serializing it again would, whatever it holds', () => {
    const awkward = [
      '"quoted" \\ back\\slash',
      'line\nbreak\ttab \u0000 \u001f \u007f',
      '\ud800 lone \udfff surrogates',
      '汉字 😀 emoji \u2028 \u2029',
      '<at id=all></at> **md** [x](y)',
      '',
    ];
    for (const value of awkward) {
      const card = { v: value, nested: { list: [value, { k: value }] } };
      const text = JSON.stringify(card);
      expect(cardTextByteSize(text), JSON.stringify(value)).toBe(Buffer.byteLength(JSON.stringify(text), 'utf8'));
      expect(cardByteSize(card)).toBe(Buffer.byteLength(JSON.stringify(JSON.stringify(card)), 'utf8'));
    }
  });

  it('serializes the fitted card it measured: the text is the card', () => {
    expect(JSON.parse(renderCardText(fullCard))).toEqual(renderCard(fullCard));
    const trimmed = renderCardText(longHistory);
    expect(JSON.parse(trimmed)).toEqual(renderCard(longHistory));
    expect(cardTextByteSize(trimmed)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(trimmed).toContain(HISTORY_TRIMMED_LINE.replaceAll('"', '\\"'));
  });

  it('trims the history to the newest entries and says so when over 30 KB', () => {
    const out = renderCard(longHistory);
    expect(cardByteSize(out)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(MAX_CARD_BYTES).toBeLessThanOrEqual(30 * 1024);
    const content = String(elements(out)[0]?.content);
    const lines = content.split('\n');
    expect(lines[0]).toBe('**记录**');
    expect(lines[1]).toBe(HISTORY_TRIMMED_LINE);
    expect(lines.at(-1)).toContain('用户399');
    expect(content).not.toContain('用户0 ');
    const kept = lines.length - 2;
    expect(kept).toBeGreaterThan(10);
    expect(elements(out)[1]?.tag).toBe('column_set');
  });

  it('does not trim a card that fits', () => {
    const small = renderCard(fullCard);
    expect(JSON.stringify(small)).not.toContain(HISTORY_TRIMMED_LINE);
  });

  it('respects a custom budget', () => {
    const out = renderCard(fullCard, { maxBytes: cardByteSize(renderCard(fullCard)) - 1 });
    const history = String(elements(out)[4]?.content);
    expect(history).toContain(HISTORY_TRIMMED_LINE);
    expect(history).toContain('李四');
    expect(history).not.toContain('张三 提交');
  });
});

describe('renderAck', () => {
  it('is {} for an empty reply', () => {
    expect(renderAck({})).toEqual({});
  });

  it('renders a toast and a raw card', () => {
    const ack = renderAck({ toast: { type: 'success', text: '已同意' }, card: fullCard });
    expect(ack.toast).toEqual({ type: 'success', content: '已同意' });
    expect(ack.card).toEqual({ type: 'raw', data: renderCard(fullCard) });
  });

  it('as text is the same body, for every shape of reply', () => {
    const replies = [
      {},
      { toast: { type: 'error' as const, text: '无权操作 "引号" \\' } },
      { card: fullCard },
      {
        toast: { type: 'success' as const, text: '已同意' },
        card: { ...fullCard, header: { ...fullCard.header, title: '"引号" \\ 反斜杠\n换行' } },
      },
    ];
    for (const reply of replies) expect(JSON.parse(renderAckText(reply))).toEqual(renderAck(reply));
  });
});
