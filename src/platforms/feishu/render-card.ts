/**
 * CardModel → Feishu card JSON 2.0 (the satori MessageEncoder analogue), and AckReply → callback response body.
 *
 * - `config.update_multi: true` (the only value 2.0 supports): every recipient sees PATCH updates.
 * - Buttons carry the intent as `behaviors: [{ type: 'callback', value }]`; Feishu echoes it in `action.value`.
 * - A form's submit button also carries the intent in its `name` (encoding in payloads.ts), because delivering
 *   `behaviors.value` with `form_value` is NOT CONFIRMED.
 * - Every literal text (labels, field values, checklist items, history, notes) goes through escape.ts: mentions,
 *   tags and markdown in user input show as typed. Links are written only for the card's link spans, and only for
 *   http(s) URLs. `markdown` blocks are app-authored constants, passed through.
 * - Size: Feishu refuses cards over 30 KB (code 230025). `cardByteSize` measures the card as it travels inside the
 *   request body (a JSON string holding JSON, so quotes are escaped twice); an over-budget card is fitted on the
 *   model (cards/fit.ts: long values clipped with "…", history trimmed, over-long links shown as labels), buttons
 *   and forms kept.
 */

import { fitCard, HISTORY_OMITTED_LINE } from '../../../cards/fit';
import type { ActionValue, CardBlock, CardButton, CardForm, CardModel, FormField } from '../../../cards/model';
import { foldLineBreaks, guardLineStart } from '../../shared/markup';
import { formatTime } from '../../shared/time';
import type { AckReply } from '../types';
import { md, mdText } from './escape';
import { encodeSubmitName, fieldWireName, type Json } from './payloads';

export const MAX_CARD_BYTES = 30 * 1024 - 512;
export const HISTORY_TRIMMED_LINE = HISTORY_OMITTED_LINE;

export interface RenderOptions {
  /** IANA zone for history times. Default Asia/Shanghai. */
  timeZone?: string;
  /** Byte budget measured by `cardByteSize`. Default MAX_CARD_BYTES. */
  maxBytes?: number;
}

/** Bytes the card occupies as the `content` string of an im/v1 request body. */
export function cardByteSize(card: object): number {
  return cardTextByteSize(JSON.stringify(card));
}

/**
 * `cardByteSize` of a card already serialized (`text` = JSON.stringify(card)), without serializing it again: the
 * second JSON.stringify adds two quotes and a backslash before every `"` and `\`. Nothing else in JSON text needs
 * escaping: control characters and lone surrogates were already written as escapes by the first pass.
 */
export function cardTextByteSize(text: string): number {
  let escapes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) escapes++;
  }
  return Buffer.byteLength(text, 'utf8') + 2 + escapes;
}

/** The card as Feishu JSON 2.0, fitted to the size budget. */
export function renderCard(card: CardModel, opts: RenderOptions = {}): Json {
  return fitAndSerialize(card, opts).json;
}

/**
 * The fitted card serialized, as an im/v1 `content` string or a callback's `card.data` carries it. The text
 * measured is the text returned: the card is serialized once per candidate and never again.
 */
export function renderCardText(card: CardModel, opts: RenderOptions = {}): string {
  return fitAndSerialize(card, opts).text;
}

function fitAndSerialize(card: CardModel, opts: RenderOptions): { json: Json; text: string } {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const maxBytes = opts.maxBytes ?? MAX_CARD_BYTES;
  // The candidate fitCard settles on was the last one measured (or is the card itself): its rendering is reused.
  let measured: { card: CardModel; json: Json; text: string } | null = null;
  const fitted = fitCard(card, (c) => {
    const json = renderFitted(c, timeZone);
    measured = { card: c, json, text: JSON.stringify(json) };
    return cardTextByteSize(measured.text) <= maxBytes;
  });
  const last = measured as { card: CardModel; json: Json; text: string } | null;
  if (last?.card === fitted) return last;
  const json = renderFitted(fitted, timeZone);
  return { json, text: JSON.stringify(json) };
}

/** The callback response as an object (the long connection's SDK serializes it). */
export function renderAck(reply: AckReply, opts: RenderOptions = {}): Json {
  const out: Json = {};
  if (reply.toast) out.toast = toast(reply);
  if (reply.card) out.card = { type: 'raw', data: renderCard(reply.card, opts) };
  return out;
}

/** The callback response body as JSON text (`renderAck` serialized), the fitted card's text spliced in as is. */
export function renderAckText(reply: AckReply, opts: RenderOptions = {}): string {
  const parts: string[] = [];
  if (reply.toast) parts.push(`"toast":${JSON.stringify(toast(reply))}`);
  if (reply.card) parts.push(`"card":{"type":"raw","data":${renderCardText(reply.card, opts)}}`);
  return `{${parts.join(',')}}`;
}

const toast = (reply: AckReply): Json => ({ type: reply.toast?.type, content: reply.toast?.text });

function renderFitted(card: CardModel, timeZone: string): Json {
  const elements: Json[] = card.blocks.map((b) => renderBlock(b, timeZone));
  if (card.actions.length > 0) elements.push(buttonRow(card.actions));
  const seenFieldNames = new Set<string>();
  card.forms.forEach((form, i) => {
    elements.push(renderForm(form, i, seenFieldNames));
  });
  const header: Json = { title: plain(foldLineBreaks(card.header.title)), template: card.header.color };
  if (card.header.subtitle) header.subtitle = plain(foldLineBreaks(card.header.subtitle));
  return { schema: '2.0', config: { update_multi: true, width_mode: 'fill' }, header, body: { elements } };
}

function renderBlock(block: CardBlock, timeZone: string): Json {
  switch (block.type) {
    case 'fields':
      return markdown(block.fields.map((f) => `**${mdText(f.label)}：** ${md(f.value)}`).join('\n'));
    case 'rich':
      return markdown(block.lines.map((l) => guardLineStart(md(l), '&#45;', '&#46;')).join('\n'));
    case 'markdown':
      return markdown(block.text);
    case 'checklist': {
      const lines = block.items.map((it) => `${checkMark(it.checked)} ${md(it.text)}`);
      return markdown([`**${mdText(block.title)}**`, ...lines].join('\n'));
    }
    case 'ask':
      // What the viewer is asked to do stands out; "nothing asked" reads as a quiet line.
      return block.todo
        ? { tag: 'markdown', content: `<font color='orange'>**${md(block.text)}**</font>` }
        : { tag: 'markdown', content: `<font color='grey'>${md(block.text)}</font>` };
    case 'history': {
      const ordered = [...block.entries].sort((a, b) => a.at.getTime() - b.at.getTime());
      const lines = ordered.map((e) => {
        const note = e.note ? ` — ${mdText(e.note.label)}：${md(e.note.text)}` : '';
        return `- ${formatTime(e.at, timeZone)} ${mdText(e.who)} ${mdText(e.what)}${note}`;
      });
      if (block.omitted) lines.unshift(HISTORY_TRIMMED_LINE);
      if (!block.folded) return markdown([`**${mdText(block.title)}**`, ...lines].join('\n'));
      // Card 2.0 folds it: one tap opens the whole record (a panel may not hold a form; this one holds text only).
      return {
        tag: 'collapsible_panel',
        expanded: false,
        header: { title: { tag: 'markdown', content: `**${mdText(block.title)}**` } },
        elements: [markdown(lines.join('\n'))],
      };
    }
    case 'note':
      return { tag: 'markdown', content: `<font color='grey'>${mdText(block.text)}</font>`, text_size: 'notation' };
    case 'divider':
      return { tag: 'hr' };
  }
}

function checkMark(checked: boolean | null): string {
  if (checked === null) return '➖';
  return checked ? '✅' : '⬜';
}

function buttonRow(buttons: CardButton[]): Json {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: '8px',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [button(b)] })),
  };
}

const BUTTON_TYPES = { primary: 'primary_filled', danger: 'danger', default: 'default' } as const;

function button(b: CardButton): Json {
  const out: Json = {
    tag: 'button',
    text: plain(b.label),
    type: BUTTON_TYPES[b.style],
    behaviors: [callback(b.value)],
  };
  if (b.disabled) out.disabled = true;
  if (b.confirm) out.confirm = confirmOf(b.confirm);
  return out;
}

/** Feishu's own confirmation dialog before the click is sent (button `confirm: { title, text }`). */
function confirmOf(c: NonNullable<CardButton['confirm']>): Json {
  return { title: plain(c.title), text: plain(c.text) };
}

function callback(value: ActionValue): Json {
  return { type: 'callback', value };
}

function renderForm(form: CardForm, formIndex: number, seen: Set<string>): Json {
  const elements: Json[] = [];
  for (const field of form.fields) elements.push(...renderField(field, fieldWireName(field.name, formIndex, seen)));
  const submit: Json = {
    tag: 'button',
    name: encodeSubmitName(formIndex, form.submit.value),
    text: plain(form.submit.label),
    type: BUTTON_TYPES[form.submit.style],
    form_action_type: 'submit',
    behaviors: [callback(form.submit.value)],
  };
  if (form.submit.disabled) submit.disabled = true;
  if (form.submit.confirm) submit.confirm = confirmOf(form.submit.confirm);
  if (form.error) elements.push(errorLine(form.error));
  elements.push(submit);
  return { tag: 'form', name: form.name, elements };
}

function renderField(field: FormField, name: string): Json[] {
  if (field.kind === 'select') {
    const options = (field.options ?? []).map((o) => ({ text: plain(o.label), value: o.value }));
    const tag = field.multiple ? 'multi_select_static' : 'select_static';
    const select: Json = { tag, name, required: field.required, options };
    if (field.placeholder) select.placeholder = plain(field.placeholder);
    const initial = (field.initial ?? '').split(',').filter((v) => options.some((o) => o.value === v));
    if (field.multiple && initial.length) select.selected_values = initial;
    else if (!field.multiple && initial[0] !== undefined && field.initial === initial[0])
      select.initial_option = initial[0];
    // select_static has no label property in 2.0; show the label as a line above it.
    const label = markdown(`**${mdText(field.label)}**${field.required ? ' *' : ''}`);
    return field.error ? [label, select, errorLine(field.error)] : [label, select];
  }
  const input: Json = { tag: 'input', name, required: field.required, label: plain(field.label) };
  if (field.placeholder) input.placeholder = plain(field.placeholder);
  if (field.initial !== undefined) input.default_value = field.initial;
  return field.error ? [input, errorLine(field.error)] : [input];
}

/** A refusal shown right under the field (or above the submit button) it is about. */
function errorLine(text: string): Json {
  return { tag: 'markdown', content: `<font color='red'>${mdText(text)}</font>`, text_size: 'notation' };
}

function plain(content: string): Json {
  return { tag: 'plain_text', content };
}

function markdown(content: string): Json {
  return { tag: 'markdown', content };
}
