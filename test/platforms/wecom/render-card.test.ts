import { describe, expect, it } from 'vitest';
import type { CardForm, CardModel } from '../../../cards/model';
import { decodeButtonKey, type KeyStore, NOOP_KEY } from '../../../src/platforms/wecom/payloads';
import {
  cardButtons,
  formHint,
  NOOP_LABEL,
  renderTemplateCard,
  SUB_TITLE_MAX_CHARS,
} from '../../../src/platforms/wecom/render-card';
import { renderMarkdown, splitText } from '../../../src/platforms/wecom/render-text';

const ref = { regNo: 'HO-2026-0001', round: 1, step: 1 };
const approveForm: CardForm = {
  name: 'approve_form',
  fields: [
    {
      name: 'outsourcing',
      label: '是否需外采产品',
      kind: 'select',
      required: true,
      options: [
        { value: 'no', label: '否，无需外采' },
        { value: 'yes', label: '是，需外采' },
      ],
    },
    { name: 'comment', label: '审核意见（可选）', kind: 'text', required: false },
  ],
  submit: { label: '审核通过', style: 'primary', value: { v: 1, type: 'approve', ...ref } },
};
const rejectForm: CardForm = {
  name: 'reject_form',
  fields: [{ name: 'reason', label: '驳回原因', kind: 'text', required: true }],
  submit: { label: '驳回', style: 'danger', value: { v: 1, type: 'reject', ...ref } },
};

function card(over: Partial<CardModel> = {}): CardModel {
  return {
    header: { title: '某银行数据平台', subtitle: 'HO-2026-0001 · 商务审核', color: 'blue' },
    blocks: [
      { type: 'note', text: '请处理：商务审核' },
      {
        type: 'fields',
        fields: [
          { label: '项目实施登记号', value: 'HO-2026-0001' },
          { label: '项目名称', value: '某银行数据平台' },
          { label: '客户', value: '某银行 <script>' },
          { label: '项目类型', value: '项目类' },
          { label: '区域', value: '北方' },
          { label: '资料', value: [{ link: '项目实施登记表', url: 'https://docs.example/form' }] },
          { label: '当前状态', value: '商务审核 — 待 赵商务 处理' },
        ],
      },
      { type: 'checklist', title: '商务审核清单', items: [{ text: '合同已签', checked: true }] },
      {
        type: 'history',
        title: '审批记录',
        entries: [{ at: new Date('2026-03-02T02:00:00Z'), who: '王销售', what: '提交登记' }],
      },
    ],
    actions: [],
    forms: [approveForm, rejectForm],
    ...over,
  };
}

const decodeAll = (buttons: { key: string }[], store: KeyStore | null = null) =>
  buttons.map((b) => decodeButtonKey(b.key, store));

describe('renderTemplateCard', () => {
  const out = renderTemplateCard(card(), 'ho_task', { keys: null });

  it('renders a button_interaction card with the task id, title and colour', () => {
    expect(out).toMatchObject({
      card_type: 'button_interaction',
      task_id: 'ho_task',
      main_title: { title: '某银行数据平台', desc: 'HO-2026-0001 · 商务审核' },
      source: { desc_color: 1 },
    });
  });

  it('puts the first six fields in the horizontal list (a single link becomes a url item) and the rest below', () => {
    expect(out.horizontal_content_list).toEqual([
      { keyname: '项目实施登记号', value: 'HO-2026-0001' },
      { keyname: '项目名称', value: '某银行数据平台' },
      { keyname: '客户', value: '某银行 <script>' },
      { keyname: '项目类型', value: '项目类' },
      { keyname: '区域', value: '北方' },
      { keyname: '资料', value: '项目实施登记表', type: 1, url: 'https://docs.example/form' },
    ]);
    expect(out.sub_title_text).toBe(
      '当前状态：商务审核 — 待 赵商务 处理\n\n商务审核清单\n✅ 合同已签\n\n审批记录\n- 2026-03-02 10:00 王销售 提交登记',
    );
  });

  it('turns the single select into one button per option carrying the choice, and the reject form into a button + note', () => {
    const buttons = out.button_list as { text: string; style: number; key: string }[];
    expect(buttons.map((b) => [b.text, b.style])).toEqual([
      ['审核通过（否，无需外采）', 1],
      ['审核通过（是，需外采）', 1],
      ['驳回', 3],
    ]);
    expect(decodeAll(buttons)).toEqual([
      { value: approveForm.submit.value, form: { outsourcing: 'no' } },
      { value: approveForm.submit.value, form: { outsourcing: 'yes' } },
      { value: rejectForm.submit.value },
    ]);
    expect(out.quote_area).toEqual({
      type: 0,
      quote_text: '请处理：商务审核\n驳回请发送：/reject HO-2026-0001 <驳回原因>',
    });
  });

  it('decodes action buttons back to the same value', () => {
    const actions = [
      {
        label: '重新提交',
        style: 'primary' as const,
        value: { v: 1 as const, type: 'resubmit' as const, regNo: 'HO-2026-0001' },
      },
      {
        label: '撤回',
        style: 'default' as const,
        value: { v: 1 as const, type: 'withdraw' as const, regNo: 'HO-2026-0001' },
      },
      {
        label: '停用',
        style: 'danger' as const,
        value: { v: 1 as const, type: 'remind' as const, regNo: 'HO-2026-0001' },
        disabled: true,
      },
    ];
    const { buttons, hints } = cardButtons(card({ actions, forms: [] }), null);
    expect(buttons.map((b) => b.text)).toEqual(['重新提交', '撤回']);
    expect(decodeAll(buttons)).toEqual([{ value: actions[0]?.value }, { value: actions[1]?.value }]);
    expect(new Set(buttons.map((b) => b.key)).size).toBe(2);
    expect(hints).toEqual([]);
  });

  it('gives a read-only card the required placeholder button', () => {
    const { buttons } = cardButtons(card({ forms: [] }), null);
    expect(buttons).toEqual([{ text: NOOP_LABEL, style: 2, key: NOOP_KEY }]);
  });

  it('keeps at most six buttons and says how many were left out', () => {
    const actions = Array.from({ length: 8 }, (_, i) => ({
      label: `查看 ${i}`,
      style: 'default' as const,
      value: { v: 1 as const, type: 'status' as const, regNo: `HO-2026-000${i}` },
    }));
    const { buttons, hints } = cardButtons(card({ actions, forms: [] }), null);
    expect(buttons).toHaveLength(6);
    expect(hints).toEqual(['另有 2 个操作未显示，请发送 /help 查看命令。']);
  });

  it('hints key=value commands for forms that need typing, and points elsewhere to /help', () => {
    const register: CardForm = {
      name: 'register_form',
      fields: [
        { name: 'name', label: '项目名称', kind: 'text', required: true },
        {
          name: 'kind',
          label: '类型',
          kind: 'select',
          required: true,
          options: [
            { value: 'project', label: '项目类' },
            { value: 'saas', label: 'SaaS' },
          ],
        },
        { name: 'req', label: '需求表链接', kind: 'text', required: false },
      ],
      submit: { label: '提交登记', style: 'primary', value: { v: 1, type: 'register' } },
    };
    const task: CardForm = {
      name: 'task_1_reject',
      fields: [{ name: 'reason', label: '驳回原因', kind: 'text', required: true }],
      submit: {
        label: '驳回',
        style: 'danger',
        value: { v: 1, type: 'task', regNo: 'HO-2026-0001', task: 1, action: 'reject' },
      },
    };
    const { buttons, hints } = cardButtons(card({ forms: [register, task] }), null);
    expect(buttons.map((b) => b.text)).toEqual(['提交登记', '驳回']);
    expect(hints).toEqual([
      '提交登记请发送：/register name=<项目名称> kind=project|saas [req=<需求表链接>]',
      '「驳回」需要填写驳回原因，企业微信卡片无法输入，请发送 /help 查看对应命令。',
    ]);
  });

  it('trims the oldest history to stay within the text budget', () => {
    const entries = Array.from({ length: 80 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 2, 1, 0, i)),
      who: '审批人',
      what: `第 ${i} 次操作，附带一段较长的说明文字`,
    }));
    const big = renderTemplateCard(card({ blocks: [{ type: 'history', title: '审批记录', entries }] }), 't', {
      keys: null,
    });
    const text = String(big.sub_title_text);
    expect([...text].length).toBeLessThanOrEqual(SUB_TITLE_MAX_CHARS);
    expect(text).toContain('…更早的记录已省略');
    expect(text).toContain('第 79 次操作');
    expect(text).not.toContain('第 0 次操作');
  });
});

describe('renderMarkdown / splitText', () => {
  it('renders a static markdown post without buttons, neutralising angle brackets', () => {
    const md = renderMarkdown(card());
    expect(md.split('\n').slice(0, 5)).toEqual([
      '**某银行数据平台**',
      '<font color="comment">HO-2026-0001 · 商务审核</font>',
      '> 请处理：商务审核',
      '**项目实施登记号：** HO-2026-0001',
      '**项目名称：** 某银行数据平台',
    ]);
    expect(md).toContain('**客户：** 某银行 ＜script＞');
    expect(md).toContain('**资料：** [项目实施登记表](https://docs.example/form)');
    expect(md).not.toContain('审核通过');
  });

  it('splits long texts at line breaks into pieces of at most 2048 bytes', () => {
    const line = '这是一行比较长的帮助文字'.repeat(5);
    const text = Array.from({ length: 30 }, () => line).join('\n');
    const pieces = splitText(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2048);
    expect(pieces.join('\n')).toBe(text);
    expect(splitText('短')).toEqual(['短']);
    expect(splitText('字'.repeat(1000)).map((p) => p.length)).toEqual([682, 318]);
  });
});

describe('the typed alternative of the forms around a step (WeCom cards have no inputs)', () => {
  const form = (type: 'cc' | 'comment', name: string, label: string): CardForm => ({
    name: `${type}_form`,
    fields: [{ name, label, kind: 'text', required: true }],
    submit: { label: type === 'cc' ? '抄送' : '评论', style: 'default', value: { v: 1, type, regNo: 'HO-2026-0001' } },
  });
  it.each([
    ['comment', 'comment_text', '评论', '评论请发送：/comment HO-2026-0001 <评论>'],
    ['cc', 'cc_person', '抄送给', '抄送请发送：/cc HO-2026-0001 <抄送给>'],
  ])('%s', (type, name, label, hint) => {
    const f = form(type as 'cc' | 'comment', name, label);
    expect(formHint(f, f.fields)).toBe(hint);
  });
});
