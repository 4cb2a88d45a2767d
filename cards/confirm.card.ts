import type { ActionValue, CardButton, CardModel } from './model';

/**
 * Confirmation as a second step, for platforms whose buttons cannot ask first (DingTalk, WeCom): a button with
 * `confirm` is sent as a `confirm` intent carrying the real action; the bot answers with this small card, whose one
 * button does it. The action is untrusted like any click: it goes through the same parsing and permission checks.
 * Form submit buttons keep their value (the typed values would be lost); a reject's required reason is the step.
 */
export function askFirst(b: CardButton): CardButton {
  if (!b.confirm) return b;
  const { confirm, ...rest } = b;
  return {
    ...rest,
    value: {
      v: 1,
      type: 'confirm',
      action: JSON.stringify(b.value),
      title: confirm.title,
      text: confirm.text,
      label: b.label,
    },
  };
}

export function confirmCard(title: string, text: string, label: string, action: ActionValue): CardModel {
  return {
    header: { title, color: 'orange' },
    blocks: [{ type: 'rich', lines: [text, '不需要时忽略此卡片即可。'] }],
    actions: [{ label: `确认${label}`, style: 'danger', value: action }],
    forms: [],
  };
}

/** The action a `confirm` click carries, if it is a plain card action (never another confirmation). */
export function confirmedAction(json: string): ActionValue | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o.v !== 1 || typeof o.type !== 'string' || o.type === 'confirm') return null;
  const scalar = Object.values(o).every((x) => ['string', 'number', 'boolean'].includes(typeof x));
  return scalar ? (o as ActionValue) : null;
}
