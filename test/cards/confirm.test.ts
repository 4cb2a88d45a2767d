import { describe, expect, it } from 'vitest';
import { askFirst, confirmedAction } from '../../cards/confirm.card';
import type { CardButton } from '../../cards/model';
import { parseCardAction } from '../../src/commands/parse-card-action';
import { decodeButtonKey } from '../../src/platforms/wecom/payloads';
import { cardButtons } from '../../src/platforms/wecom/render-card';

const withdraw: CardButton = {
  label: '撤回',
  style: 'default',
  value: { v: 1, type: 'withdraw', regNo: 'HO-2026-0001' },
  confirm: { title: '确认撤回？', text: '撤回后审批结束。' },
};

describe('confirmation as a second step (DingTalk, WeCom)', () => {
  it('a button that asks first carries a confirm intent around the real action', () => {
    const b = askFirst(withdraw);
    expect(b.confirm).toBeUndefined();
    const parsed = parseCardAction(b.value);
    expect(parsed).toMatchObject({ ok: true, intent: { type: 'confirm', title: '确认撤回？', label: '撤回' } });
    expect(parsed.ok && parsed.intent.type === 'confirm' && confirmedAction(parsed.intent.action)).toEqual(
      withdraw.value,
    );
  });

  it('never wraps a confirmation in a confirmation, nor carries nested values', () => {
    expect(confirmedAction(JSON.stringify(askFirst(withdraw).value))).toBeNull();
    expect(confirmedAction('{"v":1,"type":"withdraw","regNo":{"x":1}}')).toBeNull();
    expect(confirmedAction('not json')).toBeNull();
    const plain = { ...withdraw, confirm: undefined } as unknown as CardButton;
    expect(askFirst({ label: plain.label, style: plain.style, value: plain.value })).toEqual({
      label: '撤回',
      style: 'default',
      value: withdraw.value,
    });
  });

  it('WeCom renders the withdraw button as the second step', () => {
    const store = new Map<string, string>();
    const keys = { get: (k: string) => store.get(k) ?? null, set: (k: string, v: string) => void store.set(k, v) };
    const { buttons } = cardButtons(
      { header: { title: 't', color: 'blue' }, blocks: [], actions: [withdraw], forms: [] },
      keys as never,
    );
    expect(buttons.map((b) => b.text)).toEqual(['撤回']);
    const payload = decodeButtonKey(buttons[0]?.key ?? '', keys as never);
    expect(payload).toMatchObject({ value: { type: 'confirm', label: '撤回' } });
  });
});
