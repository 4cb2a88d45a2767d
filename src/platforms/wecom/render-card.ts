/**
 * CardModel → WeCom `template_card` of type `button_interaction` (the satori MessageEncoder analogue).
 *
 * Layout: header → `main_title` (title/desc) + `source.desc_color` (red/green/grey/black from the colour);
 * the first 6 `fields` → `horizontal_content_list` (a value with exactly one http(s) link span becomes a url item);
 * remaining fields, markdown, checklist and history → `sub_title_text` (plain text: WeCom renders no markdown
 * there); notes and form hints → `quote_area.quote_text`; buttons → `button_list` (≤ 6).
 *
 * Buttons and forms (WeCom button cards have no inputs):
 * - An action button → one button whose key encodes its value (payloads.ts).
 * - A form with exactly one select field (≤ 4 options) and no required text field → one button per option, labelled
 *   "<submit>（<option>）", whose click carries `form = { <field>: <option value> }`
 *   (e.g. 审核通过（否，无需外采）/ 审核通过（是，需外采（记录跟进））).
 * - Any other form → its submit button alone, carrying the select fields' initial values if any. When the form has
 *   required text fields (e.g. the 驳回 reason), several selects or a long select, a hint line tells the typed
 *   command (`formHint`), e.g. "驳回请发送：/reject HO-2026-0001 <驳回原因>". The click itself yields a cardAction
 *   without those values, so the app answers with its "must fill in" message.
 * - Disabled buttons are left out (WeCom has no disabled state). Over 6 buttons: the first 6 are kept and a hint
 *   line says how many were left out. No button at all: a placeholder "知道了" (`hk_noop`), because `button_list` is
 *   required; its click is ignored but still brings a fresh update code.
 * Text is plain there (WeCom reads no markup in template-card texts): link spans show as `label（url）`.
 * Text budgets (not documented as hard limits; the doc only recommends short texts): see the constants; a card over
 * them is fitted on the model (cards/fit.ts: long values clipped with "…", history trimmed), buttons kept.
 */

import { askFirst } from '../../../cards/confirm.card';
import { fitCard, HISTORY_OMITTED_LINE } from '../../../cards/fit';
import type { CardBlock, CardButton, CardForm, CardModel, FormField, Rich } from '../../../cards/model';
import { httpUrl, linksOf, plainRich } from '../../../cards/rich';
import { foldLineBreaks } from '../../shared/markup';
import { formatTime } from '../../shared/time';
import { encodeButtonKey, type Json, type KeyPayload, type KeyStore, NOOP_KEY } from './payloads';

export const MAX_BUTTONS = 6;
export const MAX_HORIZONTAL = 6;
/** A select becomes one button per option only up to this many options (2 slots stay for other buttons). */
export const MAX_SELECT_BUTTONS = 4;
export const SUB_TITLE_MAX_CHARS = 1000;
export const QUOTE_MAX_CHARS = 600;
/** Budget for the whole template_card JSON (not documented; keeps the request well under any sane limit). */
export const MAX_CARD_BYTES = 16 * 1024;
/** A horizontal_content_list item links only to URLs this long at most (the field limit is not documented). */
export const MAX_URL_CHARS = 1024;
export const HISTORY_TRIMMED_LINE = HISTORY_OMITTED_LINE;
export const NOOP_LABEL = '知道了';

export interface RenderOptions {
  /** IANA zone for history times. Default Asia/Shanghai. */
  timeZone?: string;
  /** Keeps payloads of over-long button keys (AdapterState). */
  keys: KeyStore | null;
}

export interface WecomButton {
  text: string;
  style: 1 | 2 | 3 | 4;
  key: string;
}

/** Button colours are not described in the doc's text; 1 is WeCom's default style. */
const STYLES: Record<CardButton['style'], WecomButton['style']> = { primary: 1, default: 2, danger: 3 };
const DESC_COLORS: Record<CardModel['header']['color'], number> = {
  red: 2,
  green: 3,
  grey: 0,
  blue: 1,
  orange: 1,
  purple: 1,
};

interface PlannedButton {
  label: string;
  style: CardButton['style'];
  payload: KeyPayload;
}

/** The card's buttons as WeCom buttons (keys encoded), plus the hint lines the forms need. */
export function cardButtons(card: CardModel, keys: KeyStore | null): { buttons: WecomButton[]; hints: string[] } {
  const planned: PlannedButton[] = [];
  const hints: string[] = [];
  for (const b of card.actions) {
    // WeCom buttons cannot ask first: a button with `confirm` becomes a second step (cards/confirm.card.ts).
    if (!b.disabled) planned.push({ label: b.label, style: b.style, payload: { value: askFirst(b).value } });
  }
  for (const form of card.forms) {
    const { buttons, hint } = planForm(form);
    planned.push(...buttons);
    if (hint) hints.push(hint);
  }
  const kept = planned.slice(0, MAX_BUTTONS);
  if (planned.length > kept.length)
    hints.push(`另有 ${planned.length - kept.length} 个操作未显示，请发送 /help 查看命令。`);
  const buttons = kept.map((b, i) => ({
    text: b.label,
    style: STYLES[b.style],
    key: encodeButtonKey(i, b.payload, keys),
  }));
  if (buttons.length === 0) buttons.push({ text: NOOP_LABEL, style: 2, key: NOOP_KEY });
  return { buttons, hints };
}

function planForm(form: CardForm): { buttons: PlannedButton[]; hint: string | null } {
  const submit = form.submit;
  if (submit.disabled) return { buttons: [], hint: null };
  const selects = form.fields.filter((f) => f.kind === 'select' && (f.options?.length ?? 0) > 0);
  const requiredText = form.fields.filter((f) => f.kind === 'text' && f.required);
  const only = selects[0];
  if (only && selects.length === 1 && requiredText.length === 0 && (only.options ?? []).length <= MAX_SELECT_BUTTONS) {
    const buttons = (only.options ?? []).map((o) => ({
      label: `${submit.label}（${o.label}）`,
      style: submit.style,
      payload: { value: submit.value, form: { [only.name]: o.value } },
    }));
    return { buttons, hint: null };
  }
  const initial: Record<string, string> = {};
  for (const f of selects) if (f.initial !== undefined) initial[f.name] = f.initial;
  const payload: KeyPayload = Object.keys(initial).length
    ? { value: submit.value, form: initial }
    : { value: submit.value };
  const needsHint = requiredText.length > 0 || selects.some((f) => f.required && f.initial === undefined);
  return {
    buttons: [{ label: submit.label, style: submit.style, payload }],
    hint: needsHint ? formHint(form, requiredText) : null,
  };
}

/** Commands that take `key=value` arguments after the registration number (src/commands/help.ts). */
const KEY_VALUE_COMMANDS: ReadonlySet<string> = new Set(['register', 'approve', 'resubmit']);

/**
 * The typed alternative to a form WeCom cannot show: "驳回请发送：/reject HO-2026-0001 <驳回原因>"; for key=value
 * commands every field as `key=<label>` (selects as `key=a|b`, optional ones in brackets); otherwise a pointer to
 * /help (the adapter does not know every command).
 */
/** Commands whose one text argument follows the registration number: /reject, /comment, /cc. */
const POSITIONAL_COMMANDS = new Set(['reject', 'comment', 'cc']);

export function formHint(form: CardForm, requiredText: FormField[]): string {
  const v = form.submit.value;
  const regNo = 'regNo' in v && typeof v.regNo === 'string' ? ` ${v.regNo}` : '';
  const head = `${form.submit.label}请发送：/${v.type}${regNo}`;
  const single = requiredText[0];
  if (POSITIONAL_COMMANDS.has(v.type) && regNo && single && form.fields.every((f) => f === single || !f.required)) {
    return `${head} <${single.label}>`;
  }
  if (KEY_VALUE_COMMANDS.has(v.type)) {
    const parts = form.fields.map((f) => {
      const value = f.kind === 'select' ? (f.options ?? []).map((o) => o.value).join('|') : `<${f.label}>`;
      return f.required ? `${f.name}=${value}` : `[${f.name}=${value}]`;
    });
    return `${head} ${parts.join(' ')}`;
  }
  const labels = form.fields.filter((f) => f.required).map((f) => f.label);
  return `「${form.submit.label}」需要填写${labels.join('、')}，企业微信卡片无法输入，请发送 /help 查看对应命令。`;
}

export function renderTemplateCard(model: CardModel, taskId: string, opts: RenderOptions): Json {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const fits = (c: CardModel) => {
    const { json, subTitleChars } = buildTemplateCard(c, taskId, opts, timeZone);
    return subTitleChars <= SUB_TITLE_MAX_CHARS && Buffer.byteLength(JSON.stringify(json), 'utf8') <= MAX_CARD_BYTES;
  };
  return buildTemplateCard(fitCard(model, fits), taskId, opts, timeZone).json;
}

function buildTemplateCard(
  card: CardModel,
  taskId: string,
  opts: RenderOptions,
  timeZone: string,
): { json: Json; subTitleChars: number } {
  const { buttons, hints } = cardButtons(card, opts.keys);
  const fields = card.blocks.flatMap((b) => (b.type === 'fields' ? b.fields : []));
  const horizontal = fields.slice(0, MAX_HORIZONTAL).map(horizontalItem);
  const asks = card.blocks.flatMap((b) => (b.type === 'ask' ? [plainRich(b.text)] : []));
  const errors = card.forms.flatMap((f) => [
    ...f.fields.flatMap((x) => (x.error ? [`❌「${x.label}」：${x.error}`] : [])),
    ...(f.error ? [`❌ ${f.error}`] : []),
  ]);
  const notes = [...asks, ...errors, ...card.blocks.flatMap((b) => (b.type === 'note' ? [b.text] : [])), ...hints];
  const overflow = fields.slice(MAX_HORIZONTAL).map((f) => `${f.label}：${plainRich(f.value)}`);
  const full = subTitleText(card.blocks, overflow, timeZone);
  const out: Json = {
    card_type: 'button_interaction',
    source: { desc: '项目实施流程', desc_color: DESC_COLORS[card.header.color] },
    main_title: compact({
      title: clip(foldLineBreaks(card.header.title), 64),
      desc: clip(foldLineBreaks(card.header.subtitle ?? ''), 64),
    }),
    task_id: taskId,
    button_list: buttons,
  };
  if (notes.length) out.quote_area = { type: 0, quote_text: clip(notes.join('\n'), QUOTE_MAX_CHARS) };
  if (full) out.sub_title_text = clip(full, SUB_TITLE_MAX_CHARS);
  if (horizontal.length) out.horizontal_content_list = horizontal;
  return { json: out, subTitleChars: [...full].length };
}

function horizontalItem(f: { label: string; value: Rich }): Json {
  const links = linksOf(f.value);
  const item: Json = { keyname: clip(f.label, 16), value: clip(plainRich(f.value, false), 128) };
  const only = links.length === 1 ? links[0] : undefined;
  const url = only ? httpUrl(only.url) : null;
  if (url && url.length <= MAX_URL_CHARS) {
    item.type = 1;
    item.url = url;
  }
  return item;
}

function subTitleText(blocks: CardBlock[], overflow: string[], timeZone: string): string {
  const parts: string[] = [];
  if (overflow.length) parts.push(overflow.join('\n'));
  for (const b of blocks) {
    if (b.type === 'markdown') parts.push(plainText(b.text));
    else if (b.type === 'rich') parts.push(b.lines.map((l) => plainRich(l)).join('\n'));
    else if (b.type === 'checklist')
      parts.push([b.title, ...b.items.map((it) => `${mark(it.checked)} ${plainRich(it.text)}`)].join('\n'));
    else if (b.type === 'history') parts.push([b.title, ...historyLines(b, timeZone)].join('\n'));
  }
  return parts.filter((p) => p.trim() !== '').join('\n\n');
}

export function historyLines(
  block: Extract<CardBlock, { type: 'history' }>,
  timeZone: string,
  esc: (s: string) => string = (s) => s,
  rich: (r: Rich) => string = (r) => plainRich(r),
): string[] {
  const ordered = [...block.entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lines = ordered.map((e) => {
    const note = e.note ? ` — ${esc(e.note.label)}：${rich(e.note.text)}` : '';
    return `- ${formatTime(e.at, timeZone)} ${esc(e.who)} ${esc(e.what)}${note}`;
  });
  if (block.omitted) lines.unshift(HISTORY_TRIMMED_LINE);
  // WeCom cannot fold: a folded history shows its newest entry and how to see the rest.
  if (block.folded) return [...lines.slice(-1), ...(block.hint ? [esc(block.hint)] : [])];
  return lines;
}

export function mark(checked: boolean | null): string {
  if (checked === null) return '➖';
  return checked ? '✅' : '⬜';
}

const LINK_RE = /\[([^\]]*)\]\(([^)\s]+)\)/g;

/** Markdown → plain text: `[t](u)` → `t（u）` (or just `t`), emphasis and code marks dropped. */
export function plainText(md: string, withUrls = true): string {
  return md.replace(LINK_RE, (_all, t: string, u: string) => (withUrls ? `${t}（${u}）` : t)).replace(/\*\*|__|`/g, '');
}

/** Cuts to at most `max` characters (code points), ending with '…' when cut. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** Cuts to at most `max` UTF-8 bytes on a character boundary, ending with '…' when cut. */
export function clipBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let used = 3; // the ellipsis
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return `${out}…`;
}

function compact(o: Record<string, string>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) if (v) out[k] = v;
  return out;
}
