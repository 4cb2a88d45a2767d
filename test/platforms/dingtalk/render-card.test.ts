import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CardForm, CardModel } from '../../../cards/model';
import { registerFormCard } from '../../../cards/register-form.card';
import {
  HISTORY_TRIMMED_LINE,
  MAX_BUTTONS,
  MAX_INPUTS,
  OVERFLOW_NOTE,
  renderCardParams,
  renderCardResponse,
  toastText,
} from '../../../src/platforms/dingtalk/render-card';
import { decodeAction } from '../../helpers/dingtalk-deliveries';

const ref = { regNo: 'HO-1', round: 1, step: 1 };
const rejectForm: CardForm = {
  name: 'reject_form',
  fields: [{ name: 'reason', label: '驳回原因', kind: 'text', required: true, placeholder: '必填' }],
  submit: { label: '驳回', style: 'danger', value: { v: 1, type: 'reject', ...ref } },
};
const projectCard: CardModel = {
  header: { title: '华东智慧园区', subtitle: 'HO-1 · 商务审核', color: 'blue' },
  blocks: [
    { type: 'note', text: '已被驳回：价格 <不对>' },
    {
      type: 'fields',
      fields: [
        { label: '项目名称', value: '华东智慧园区' },
        { label: '客户', value: '某集团 <at id=all>' },
      ],
    },
    {
      type: 'checklist',
      title: '商务审核清单',
      items: [
        { text: '合同已签', checked: true },
        { text: '核对清单', checked: null },
        { text: '外采', checked: false },
      ],
    },
    {
      type: 'history',
      title: '审批记录',
      entries: [
        {
          at: new Date('2026-03-02T03:00:00Z'),
          who: '李四',
          what: '驳回',
          note: { label: '原因', text: '缺附件', rejection: true },
        },
        { at: new Date('2026-03-02T02:00:00Z'), who: '张三', what: '提交登记' },
      ],
    },
    { type: 'divider' },
    { type: 'markdown', text: '[链接](https://example.com)' },
  ],
  actions: [
    { label: '同意', style: 'primary', value: { v: 1, type: 'approve', ...ref } },
    { label: '撤回', style: 'default', value: { v: 1, type: 'withdraw', regNo: 'HO-1' }, disabled: true },
  ],
  forms: [rejectForm],
};

describe('DingTalk card params', () => {
  const p = renderCardParams(projectCard);

  it('fills the header and a markdown body with facts, checklist, ordered history, notes (user text escaped)', () => {
    expect(p).toMatchObject({ title: '华东智慧园区', subtitle: 'HO-1 · 商务审核', color: 'blue' });
    expect(p.body).toContain('> 已被驳回：价格 ＜不对＞');
    expect(p.body).toContain('**项目名称：** 华东智慧园区  \n**客户：** 某集团 ＜at id=all＞');
    expect(p.body).toContain('**商务审核清单**  \n✅ 合同已签  \n➖ 核对清单  \n⬜ 外采');
    expect(p.body).toContain(
      '**审批记录**  \n• 2026-03-02 10:00 张三 提交登记  \n• 2026-03-02 11:00 李四 驳回 — 原因：缺附件',
    );
    expect(p.body).toContain('\n\n---\n\n[链接](https://example.com)');
    for (const v of Object.values(p)) expect(typeof v).toBe('string');
  });

  it('puts actions then form submits into button slots with decodable values', () => {
    expect(p).toMatchObject({ btn1_show: 'true', btn1_text: '同意', btn1_style: 'primary', btn1_disabled: 'false' });
    expect(decodeAction(p.btn1_action ?? '')).toEqual({ a: { v: 1, type: 'approve', ...ref } });
    expect(p).toMatchObject({ btn2_text: '撤回', btn2_disabled: 'true' });
    expect(p).toMatchObject({ btn3_text: '驳回', btn3_style: 'danger' });
    expect(decodeAction(p.btn3_action ?? '')).toEqual({ a: { v: 1, type: 'reject', ...ref }, f: { in1: 'reason' } });
    expect(p).toMatchObject({ btn4_show: 'false', btn4_action: '', has_actions: 'true' });
  });

  it('fills input slots form by form and blanks the rest', () => {
    expect(p).toMatchObject({
      has_inputs: 'true',
      in1_show: 'true',
      in1_show_text: 'true',
      in1_show_select: 'false',
      in1_label: '驳回原因 *',
      in1_placeholder: '必填',
      in1_options: '[]',
      in2_show: 'false',
      in2_label: '',
    });
  });

  it('renders a read-only card with every button hidden when the model has none', () => {
    const ro = renderCardParams({ ...projectCard, actions: [], forms: [] });
    expect(ro.has_actions).toBe('false');
    expect(ro.has_inputs).toBe('false');
    for (let k = 1; k <= MAX_BUTTONS; k++) expect(ro[`btn${k}_show`]).toBe('false');
  });

  it('renders the register form: 10 inputs, selects with options, one submit mapping all slots', () => {
    const org = { users: {}, members: {}, regions: ['north'], regionNames: { north: '北方' } };
    const r = renderCardParams(registerFormCard(org));
    expect(r).toMatchObject({
      in3_show_select: 'true',
      in3_label: '项目类型 *',
      in4_options: '[{"value":"north","text":"北方"}]',
    });
    expect(r.in10_label).toBe('《项目实施登记表》链接 *');
    expect(r.in11_show).toBe('false');
    const submit = decodeAction(r.btn1_action ?? '');
    expect(submit.a).toEqual({ v: 1, type: 'register' });
    expect(Object.values(submit.f ?? {})).toEqual([
      'name',
      'customer',
      'kind',
      'region',
      'contract',
      'signed',
      'paid',
      'req',
      'solution',
      'form',
    ]);
    expect(r).toMatchSnapshot();
  });

  it('drops what does not fit and says so: buttons past the slots, forms too big for the inputs left', () => {
    const many = Array.from({ length: MAX_BUTTONS + 2 }, (_, i) => ({
      label: `查看 ${i}`,
      style: 'default' as const,
      value: { v: 1 as const, type: 'status' as const, regNo: `R-${i}` },
    }));
    const r = renderCardParams({ ...projectCard, actions: many, forms: [] });
    expect(r[`btn${MAX_BUTTONS}_text`]).toBe(`查看 ${MAX_BUTTONS - 1}`);
    expect(r.body).toContain(OVERFLOW_NOTE);
    const bigForm = {
      ...rejectForm,
      fields: Array.from({ length: MAX_INPUTS + 1 }, (_, i) => ({
        name: `f${i}`,
        label: `F${i}`,
        kind: 'text' as const,
        required: false,
      })),
    };
    const r2 = renderCardParams({ ...projectCard, actions: [], forms: [bigForm, rejectForm] });
    expect(r2).toMatchObject({ btn1_text: '驳回', in1_label: '驳回原因 *', btn2_show: 'false' });
    expect(r2.body).toContain(OVERFLOW_NOTE);
  });

  it('trims the history to its newest entries when the body is over budget', () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 0, 1, 0, i)),
      who: `人${i}`,
      what: '同意'.repeat(20),
    }));
    const r = renderCardParams(
      { ...projectCard, blocks: [{ type: 'history', title: '审批记录', entries }] },
      { maxBodyChars: 1000 },
    );
    expect(r.body?.length).toBeLessThanOrEqual(1000);
    expect(r.body).toContain(HISTORY_TRIMMED_LINE);
    expect(r.body).toContain('人49');
    expect(r.body).not.toContain('人0 ');
  });

  it('writes exactly the variables documented in docs/dingtalk-card-template.json', () => {
    const doc = JSON.parse(readFileSync(new URL('../../../docs/dingtalk-card-template.json', import.meta.url), 'utf8'));
    const documented = new Set<string>(Object.keys(doc.variables));
    for (const [pattern, slot] of Object.entries<{ count: number; variables: object }>(doc.slots)) {
      for (let k = 1; k <= slot.count; k++) {
        for (const v of Object.keys(slot.variables)) documented.add(`${pattern.replace('{K}', String(k))}_${v}`);
      }
    }
    expect(new Set(Object.keys(p))).toEqual(documented);
    expect(doc.limits).toMatchObject({ buttons: MAX_BUTTONS, inputs: MAX_INPUTS });
  });
});

describe('card callback response and toasts', () => {
  it('updates the clicked card by key when the reply carries a card, and nothing otherwise', () => {
    expect(renderCardResponse({ toast: { type: 'success', text: 'ok' } })).toBeNull();
    const res = renderCardResponse({ card: projectCard });
    expect(res?.cardUpdateOptions).toEqual({ updateCardDataByKey: true, updatePrivateDataByKey: false });
    expect(res?.cardData.cardParamMap.title).toBe('华东智慧园区');
  });

  it('prefixes toast texts with an icon per type', () => {
    expect(toastText({ type: 'success', text: '已同意' })).toBe('✅ 已同意');
    expect(toastText({ type: 'error', text: '无权操作' })).toBe('❌ 无权操作');
  });
});
