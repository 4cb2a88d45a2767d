/**
 * The one escaping layer for Feishu. Every piece of text that is not app-authored markup goes through here.
 *
 * - Card markdown (JSON 2.0 `markdown`, which reads standard markdown and an HTML subset): a literal run has its
 *   line breaks folded into spaces (a value cannot start a false line), `<`/`>` written as `&lt;`/`&gt;` (no
 *   `<at id=all>`, `<font>`, `<link>` tags), markdown punctuation as numeric character references (`&#42;` …: no
 *   emphasis, code, headings, tables or `[label](url)` links), and `&` only where it would start an entity. A
 *   literal run never starts a line (renderers put a label or a mark first), so `-`/`1.` cannot start a list.
 * - Text messages (`msg_type: text`) read `<at user_id="…">` tags and `[label](url)` links: a zero-width space
 *   after every `<` and between `]` and `(` makes them plain text while they look the same.
 */
import type { Rich } from '../../../cards/model';
import { type Dialect, renderRich } from '../../../cards/rich';

const MD_SPECIAL = /[\\`*_~[\]()#|]/g;

export function mdText(s: string): string {
  return s
    .replace(/\r\n?|\n|\u2028|\u2029/g, ' ')
    .replace(/&(?=#|[A-Za-z][A-Za-z0-9]*;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MD_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

export const FEISHU_MD: Dialect = {
  text: mdText,
  strong: (s) => `**${mdText(s)}**`,
  link: (label, url) => `[${mdText(label)}](${url})`,
};

export function md(r: Rich): string {
  return renderRich(r, FEISHU_MD);
}

const ZWSP = '\u200b';

/** A text message's content: shows exactly the text, with no mention or link syntax left active. */
export function textMessage(s: string): string {
  return s.replace(/</g, `<${ZWSP}`).replace(/\]\(/g, `]${ZWSP}(`);
}
