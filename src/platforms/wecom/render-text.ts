/**
 * Text renderings for WeCom targets that cannot show an interactive card: group chats (appchat and group robot
 * webhooks take `markdown`, not `template_card` with callbacks), and long texts split to WeCom's size limit.
 *
 * - A card for a chat becomes a static markdown post: bold title, grey subtitle, notes as `>` quotes, fields as
 *   `**label：** value`, checklist and history as lines. Buttons and forms are left out (nobody can click in a
 *   static post); such posts are never updated.
 * - Every literal text goes through `escapeMarkdown`: line breaks folded, markup characters (`<` `>` `*` `[` …)
 *   as full-width look-alikes, so user input cannot inject `<font>`, `<@userid>` mentions, emphasis or links (WeCom
 *   documents no escape, so no `&lt;` or backslashes). Links only for the card's http(s) link spans. Text messages
 *   go through `escapeText` (`<`/`>` only: no `<a href>` links, no `<@userid>` mentions).
 * - Size: text content ≤ 2048 bytes everywhere (message/send, appchat, webhook). Markdown ≤ 2048 bytes for
 *   message/send (webhook allows 4096, secondary source): 2048 is used for both; the card is fitted on the model
 *   (cards/fit.ts) and hard-clipped only as the last resort.
 */
import { fitCard } from '../../../cards/fit';
import type { CardBlock, CardModel, Rich } from '../../../cards/model';
import { type Dialect, renderRich } from '../../../cards/rich';
import { fullWidthAngles, fullWidthMarkup, guardLineStart } from '../../shared/markup';
import { clipBytes, historyLines, mark } from './render-card';

export const MAX_TEXT_BYTES = 2048;
export const MAX_MARKDOWN_BYTES = 2048;

/** The one escaping layer for WeCom markdown: a literal run with no line breaks and no markup characters. */
export function escapeMarkdown(s: string): string {
  return fullWidthMarkup(s);
}

/** Text messages: `<a href>` links and `<@userid>` mentions cannot form; the rest stays as typed. */
export function escapeText(s: string): string {
  return fullWidthAngles(s);
}

const WECOM_MD: Dialect = {
  text: escapeMarkdown,
  strong: (s) => `**${escapeMarkdown(s)}**`,
  link: (label, url) => `[${escapeMarkdown(label)}](${url})`,
};

const md = (r: Rich) => renderRich(r, WECOM_MD);

export function renderMarkdown(card: CardModel, opts: { timeZone?: string; maxBytes?: number } = {}): string {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const max = opts.maxBytes ?? MAX_MARKDOWN_BYTES;
  const fitted = fitCard(card, (c) => Buffer.byteLength(markdownOf(c, timeZone), 'utf8') <= max);
  return clipBytes(markdownOf(fitted, timeZone), max);
}

function markdownOf(card: CardModel, timeZone: string): string {
  const lines: string[] = [`**${escapeMarkdown(card.header.title)}**`];
  if (card.header.subtitle) lines.push(`<font color="comment">${escapeMarkdown(card.header.subtitle)}</font>`);
  for (const block of card.blocks) lines.push(...blockLines(block, timeZone));
  return lines.join('\n');
}

function blockLines(block: CardBlock, timeZone: string): string[] {
  switch (block.type) {
    case 'fields':
      return block.fields.map((f) => `**${escapeMarkdown(f.label)}：** ${md(f.value)}`);
    case 'rich':
      return block.lines.map((l) => guardLineStart(md(l), '－', '．'));
    case 'markdown':
      return [block.text];
    case 'note':
      return block.text.split('\n').map((l) => `> ${escapeMarkdown(l)}`);
    case 'ask':
      return [`> ${block.todo ? `**${md(block.text)}**` : md(block.text)}`];
    case 'checklist':
      return [`**${escapeMarkdown(block.title)}**`, ...block.items.map((it) => `${mark(it.checked)} ${md(it.text)}`)];
    case 'history':
      return [`**${escapeMarkdown(block.title)}**`, ...historyLines(block, timeZone, escapeMarkdown, md)];
    case 'divider':
      return [''];
  }
}

/**
 * Splits a text into pieces of at most `maxBytes` UTF-8 bytes, at line breaks where possible (a single line
 * longer than that is cut between characters). Never returns an empty list for a non-empty text.
 */
export function splitText(text: string, maxBytes: number = MAX_TEXT_BYTES): string[] {
  const out: string[] = [];
  let cur = '';
  const push = () => {
    if (cur !== '') out.push(cur);
    cur = '';
  };
  for (const line of text.split('\n')) {
    const candidate = cur === '' ? line : `${cur}\n${line}`;
    if (Buffer.byteLength(candidate, 'utf8') <= maxBytes) {
      cur = candidate;
      continue;
    }
    push();
    if (Buffer.byteLength(line, 'utf8') <= maxBytes) {
      cur = line;
      continue;
    }
    for (const ch of line) {
      if (Buffer.byteLength(cur + ch, 'utf8') > maxBytes) push();
      cur += ch;
    }
  }
  push();
  return out.length ? out : [text];
}
