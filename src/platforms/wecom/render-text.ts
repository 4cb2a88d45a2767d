/**
 * Text renderings for WeCom targets that cannot show an interactive card: group chats (appchat and group robot
 * webhooks take `markdown`, not `template_card` with callbacks), and long texts split to WeCom's size limit.
 *
 * - A card for a chat becomes a static markdown post: bold title, grey subtitle, notes as `>` quotes, fields as
 *   `**label：** value`, checklist and history as lines. Buttons and forms are left out (nobody can click in a
 *   static post); such posts are never updated.
 * - `<`/`>` in interpolated text become full-width `＜`/`＞` so user input cannot inject `<font>` or `<@userid>`
 *   mentions (WeCom markdown entity handling is not documented, so no `&lt;`).
 * - Size: text content ≤ 2048 bytes everywhere (message/send, appchat, webhook). Markdown ≤ 2048 bytes for
 *   message/send (webhook allows 4096, secondary source): 2048 is used for both; history is trimmed first.
 */
import type { CardBlock, CardModel } from '../../../cards/model';
import { fitText, historyLines, mark } from './render-card';

export const MAX_TEXT_BYTES = 2048;
export const MAX_MARKDOWN_BYTES = 2048;

export function escapeMarkdown(s: string): string {
  return s.replace(/</g, '＜').replace(/>/g, '＞');
}

export function renderMarkdown(card: CardModel, opts: { timeZone?: string; maxBytes?: number } = {}): string {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  return fitText((keep) => markdownWith(card, timeZone, keep), card, opts.maxBytes ?? MAX_MARKDOWN_BYTES, true);
}

function markdownWith(card: CardModel, timeZone: string, keep: number): string {
  const lines: string[] = [`**${escapeMarkdown(card.header.title)}**`];
  if (card.header.subtitle) lines.push(`<font color="comment">${escapeMarkdown(card.header.subtitle)}</font>`);
  for (const block of card.blocks) lines.push(...blockLines(block, timeZone, keep));
  return lines.join('\n');
}

function blockLines(block: CardBlock, timeZone: string, keep: number): string[] {
  switch (block.type) {
    case 'fields':
      // Field values may carry app-authored markdown links ([label](url)); only angle brackets are neutralised.
      return block.fields.map((f) => `**${escapeMarkdown(f.label)}：** ${escapeMarkdown(f.value)}`);
    case 'markdown':
      return [block.text];
    case 'note':
      return block.text.split('\n').map((l) => `> ${escapeMarkdown(l)}`);
    case 'checklist':
      return [
        `**${escapeMarkdown(block.title)}**`,
        ...block.items.map((it) => `${mark(it.checked)} ${escapeMarkdown(it.text)}`),
      ];
    case 'history':
      return [`**${escapeMarkdown(block.title)}**`, ...historyLines(block, timeZone, keep, escapeMarkdown)];
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
