/**
 * CardModel → the `cardParamMap` of ONE generic card template (docs/dingtalk-card-template.json), and
 * AckReply → the card-callback response. The satori MessageEncoder analogue for DingTalk.
 *
 * Every value is a string (cardParamMap is `map<string,string>`); booleans are "true"/"false", lists are JSON text.
 * - Header: `title`, `subtitle`, `color` (a CardColor name: blue/green/red/orange/grey/purple).
 * - `body`: one markdown text with fields, markdown, checklists, history, notes and dividers. Blocks are separated
 *   by a blank line, lines inside a block end with a hard break ("  \n"). Every literal text goes through
 *   `escapeText` (line breaks folded, markup characters as full-width look-alikes: DingTalk documents no escape);
 *   links only for the card's http(s) link spans.
 * - Buttons: fixed slots `btn1…btn10`; CardModel actions first, then each form's submit button.
 *   `btnK_action` = encoded ButtonPayload (payloads.ts), passed back by the template as callback param `action`.
 * - Inputs: fixed slots `in1…in12`, filled form by form; a form's submit payload maps its slots to field names.
 *   A form that does not fit in the remaining slots is left out whole (with a note), never half-shown.
 * - Every slot is always written (unused ones with show "false"), so an update by key clears old buttons/inputs.
 * - `body` is kept under MAX_BODY_CHARS (the real limit is not confirmed) by fitting the card on the model
 *   (cards/fit.ts: long values clipped with "…", history trimmed, long links shown as labels); buttons are kept.
 */

import { askFirst } from '../../../cards/confirm.card';
import { fitCard, HISTORY_OMITTED_LINE } from '../../../cards/fit';
import type { CardBlock, CardButton, CardModel, FormField, Rich } from '../../../cards/model';
import { type Dialect, renderRich } from '../../../cards/rich';
import { foldLineBreaks, fullWidthMarkup, guardLineStart } from '../../shared/markup';
import { formatTime } from '../../shared/time';
import type { AckReply } from '../types';
import { encodeButtonPayload } from './payloads';

export const MAX_BUTTONS = 10;
export const MAX_INPUTS = 12;
export const MAX_BODY_CHARS = 8000;
/** Budget for the other content-sized params (title, subtitle, prefilled inputs); the real limit is not confirmed. */
export const MAX_PARAM_CHARS = 4000;
export const HISTORY_TRIMMED_LINE = HISTORY_OMITTED_LINE;
export const OVERFLOW_NOTE = '部分操作无法在钉钉卡片中显示，请发送 /help 查看对应命令。';

export type CardParams = Record<string, string>;

export interface RenderOptions {
  /** IANA zone for history times. Default Asia/Shanghai. */
  timeZone?: string;
  maxBodyChars?: number;
}

/** The callback response that updates the clicked card in place (Go SDK CardResponse; B1). */
export interface CardResponse {
  cardData: { cardParamMap: CardParams };
  cardUpdateOptions: { updateCardDataByKey: boolean; updatePrivateDataByKey: boolean };
}

export function renderCardParams(model: CardModel, opts: RenderOptions = {}): CardParams {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const maxChars = opts.maxBodyChars ?? MAX_BODY_CHARS;
  const overflow = hasOverflow(model);
  const card = fitCard(
    model,
    (c) =>
      renderBody(c.blocks, timeZone, overflow, formErrors(c)).length <= maxChars && paramsSize(c) <= MAX_PARAM_CHARS,
  );
  const params: CardParams = {
    title: foldLineBreaks(card.header.title),
    subtitle: foldLineBreaks(card.header.subtitle ?? ''),
    color: card.header.color,
  };
  // DingTalk buttons cannot ask first: a button with `confirm` becomes a second step (cards/confirm.card.ts).
  const buttons: { button: CardButton; slots?: Record<string, string> }[] = card.actions.map((button) => ({
    button: askFirst(button),
  }));
  const inputs: { field: FormField }[] = [];
  for (const form of card.forms) {
    if (inputs.length + form.fields.length > MAX_INPUTS) continue;
    const slots: Record<string, string> = {};
    for (const field of form.fields) {
      inputs.push({ field });
      slots[`in${inputs.length}`] = field.name;
    }
    buttons.push({ button: form.submit, slots });
  }
  const shown = buttons.slice(0, MAX_BUTTONS);
  for (let k = 1; k <= MAX_BUTTONS; k++) Object.assign(params, buttonParams(k, shown[k - 1]));
  for (let k = 1; k <= MAX_INPUTS; k++) Object.assign(params, inputParams(k, inputs[k - 1]?.field));
  params.has_actions = String(shown.length > 0);
  params.has_inputs = String(inputs.length > 0);
  params.body = renderBody(card.blocks, timeZone, overflow, formErrors(card));
  return params;
}

/** The refusals of a re-rendered form: "「label」：why" for a field, the form's own error as is. */
function formErrors(card: CardModel): string[] {
  return card.forms.flatMap((f) => [
    ...f.fields.flatMap((x) => (x.error ? [`「${x.label}」：${x.error}`] : [])),
    ...(f.error ? [f.error] : []),
  ]);
}

/** Whether some buttons or forms cannot be shown in the fixed slots (then the body says so). */
function hasOverflow(card: CardModel): boolean {
  let inputs = 0;
  let buttons = card.actions.length;
  let overflow = false;
  for (const form of card.forms) {
    if (inputs + form.fields.length > MAX_INPUTS) {
      overflow = true;
      continue;
    }
    inputs += form.fields.length;
    buttons++;
  }
  return overflow || buttons > MAX_BUTTONS;
}

/** Characters of the texts outside the body that grow with the card's content (title, subtitle, prefilled inputs). */
function paramsSize(card: CardModel): number {
  const initials = card.forms.flatMap((f) => f.fields.map((x) => x.initial ?? ''));
  return [card.header.title, card.header.subtitle ?? '', ...initials].join('').length;
}

export function renderCardResponse(reply: AckReply, opts: RenderOptions = {}): CardResponse | null {
  if (!reply.card) return null;
  return {
    cardData: { cardParamMap: renderCardParams(reply.card, opts) },
    cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: false },
  };
}

const TOAST_ICONS = { success: '✅', info: 'ℹ️', warning: '⚠️', error: '❌' } as const;

/** DingTalk cards have no toast we can rely on: the toast becomes a one-to-one text message with this content. */
export function toastText(toast: NonNullable<AckReply['toast']>): string {
  return `${TOAST_ICONS[toast.type]} ${toast.text}`;
}

function buttonParams(k: number, b: { button: CardButton; slots?: Record<string, string> } | undefined): CardParams {
  const p = `btn${k}_`;
  if (!b) {
    return {
      [`${p}show`]: 'false',
      [`${p}text`]: '',
      [`${p}style`]: 'default',
      [`${p}disabled`]: 'true',
      [`${p}action`]: '',
    };
  }
  const payload = b.slots ? { a: b.button.value, f: b.slots } : { a: b.button.value };
  return {
    [`${p}show`]: 'true',
    [`${p}text`]: b.button.label,
    [`${p}style`]: b.button.style,
    [`${p}disabled`]: String(b.button.disabled === true),
    [`${p}action`]: encodeButtonPayload(payload),
  };
}

function inputParams(k: number, f: FormField | undefined): CardParams {
  const p = `in${k}_`;
  const options = (f?.options ?? []).map((o) => ({ value: o.value, text: o.label }));
  return {
    [`${p}show`]: String(f !== undefined),
    [`${p}show_text`]: String(f?.kind === 'text'),
    [`${p}show_select`]: String(f?.kind === 'select'),
    [`${p}label`]: f ? `${f.error ? '❌ ' : ''}${f.label}${f.required ? ' *' : ''}` : '',
    [`${p}required`]: String(f?.required === true),
    [`${p}placeholder`]: f?.placeholder ?? (f?.kind === 'select' ? '请选择' : f ? '请输入' : ''),
    [`${p}initial`]: f?.initial ?? '',
    [`${p}options`]: JSON.stringify(options),
  };
}

function renderBody(blocks: CardBlock[], timeZone: string, overflow: boolean, errors: string[] = []): string {
  const parts = blocks.map((b) => renderBlock(b, timeZone)).filter((x) => x.length > 0);
  if (overflow) parts.push(`> ${OVERFLOW_NOTE}`);
  // A refused submission: the template's inputs have no error slot, so the refusal closes the body, right above
  // the inputs (whose labels are marked) that keep the typed values.
  for (const e of errors) parts.push(`> ❌ ${escapeText(e)}`);
  return parts.join('\n\n');
}

const DINGTALK_MD: Dialect = {
  text: escapeText,
  strong: (x) => `**${escapeText(x)}**`,
  link: (label, url) => `[${escapeText(label)}](${url})`,
};

const md = (r: Rich) => renderRich(r, DINGTALK_MD);

function renderBlock(block: CardBlock, timeZone: string): string {
  switch (block.type) {
    case 'fields':
      return lines(block.fields.map((f) => `**${escapeText(f.label)}：** ${md(f.value)}`));
    case 'rich':
      return lines(block.lines.map((l) => guardLineStart(md(l), '－', '．')));
    case 'markdown':
      return block.text;
    case 'checklist':
      return lines([
        `**${escapeText(block.title)}**`,
        ...block.items.map((it) => `${checkMark(it.checked)} ${md(it.text)}`),
      ]);
    case 'ask':
      return block.todo ? `**${md(block.text)}**` : md(block.text);
    case 'history': {
      const ordered = [...block.entries].sort((a, b) => a.at.getTime() - b.at.getTime());
      const rows = ordered.map((e) => {
        const note = e.note ? ` — ${escapeText(e.note.label)}：${md(e.note.text)}` : '';
        return `• ${formatTime(e.at, timeZone)} ${escapeText(e.who)} ${escapeText(e.what)}${note}`;
      });
      if (block.omitted) rows.unshift(HISTORY_TRIMMED_LINE);
      // DingTalk cannot fold: a folded history shows its newest entry and how to see the rest.
      if (block.folded) {
        const hint = block.hint ? [`> ${escapeText(block.hint)}`] : [];
        return lines([`**${escapeText(block.title)}**`, ...rows.slice(-1), ...hint]);
      }
      return lines([`**${escapeText(block.title)}**`, ...rows]);
    }
    case 'note':
      return `> ${escapeText(block.text)}`;
    case 'divider':
      return '---';
  }
}

function lines(rows: string[]): string {
  return rows.join('  \n');
}

function checkMark(checked: boolean | null): string {
  if (checked === null) return '➖';
  return checked ? '✅' : '⬜';
}

/** The one escaping layer for DingTalk markdown: a literal run with no line breaks and no markup characters. */
export function escapeText(s: string): string {
  return fullWidthMarkup(s);
}
