/**
 * Builders and readers for inline text (Rich, cards/model.ts). Pure; renderers use `renderRich` with their own
 * dialect, so escaping is the renderer's job and link placement the card's.
 */
import type { Rich, Span } from './model';

/** Only absolute http(s) URLs become links; anything else (javascript:, data:, relative) shows as its label only. */
export function httpUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  // Markdown link targets end at ')' or whitespace; percent-encode them so the URL cannot close the link early.
  return u.href.replace(/[()[\]\s<>"'`\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A link span when the URL is http(s), else the label as plain text; `fallback` when there is no URL. */
export function link(label: string, url: string | null | undefined, fallback: Rich = '—'): Rich {
  if (!url) return fallback;
  const href = httpUrl(url);
  return href ? [{ link: label, url: href }] : [label];
}

export function strong(text: string): Span {
  return { strong: text };
}

export function spansOf(r: Rich): readonly Span[] {
  return typeof r === 'string' ? [r] : r;
}

/** Joins pieces of inline text with a plain separator. */
export function joinRich(parts: readonly Rich[], sep: string): Span[] {
  const out: Span[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(sep);
    out.push(...spansOf(p));
  });
  return out;
}

/** How one platform writes inline text: `text` escapes a literal run; `link` gets an already-checked http(s) URL. */
export interface Dialect {
  text(s: string): string;
  strong(s: string): string;
  link(label: string, url: string): string;
}

export function renderRich(r: Rich, d: Dialect): string {
  return spansOf(r)
    .map((s) => {
      if (typeof s === 'string') return d.text(s);
      if ('strong' in s) return d.strong(s.strong);
      const href = httpUrl(s.url);
      return href ? d.link(s.link, href) : d.text(s.link);
    })
    .join('');
}

const fold = (s: string) => s.replace(/\r\n?|\n|\u2028|\u2029/g, ' ');

/**
 * Plain text for targets without markup: a link shows as `label（url）`, or just `label` without `urls`. Inline
 * text is one line: line breaks inside it become spaces (no false lines).
 */
export function plainRich(r: Rich, urls = true): string {
  return spansOf(r)
    .map((s) => (typeof s === 'string' ? fold(s) : s))
    .map((s) => {
      if (typeof s === 'string') return s;
      if ('strong' in s) return s.strong;
      return urls ? `${s.link}（${s.url}）` : s.link;
    })
    .join('');
}

/** The links of a piece of inline text, in order. */
export function linksOf(r: Rich): { label: string; url: string }[] {
  return spansOf(r).flatMap((s) => (typeof s === 'object' && 'link' in s ? [{ label: s.link, url: s.url }] : []));
}

/** Number of characters (code points) of the visible text. */
export function richLength(r: Rich): number {
  return [...plainRich(r, false)].length;
}

/**
 * Cuts inline text to at most `max` visible characters, ending with '…'. Plain runs and labels are cut; a link
 * keeps its whole URL (a cut URL would lead somewhere else) or is dropped with what follows.
 */
export function clipRich(r: Rich, max: number): Rich {
  if (richLength(r) <= max) return r;
  const out: Span[] = [];
  let left = Math.max(0, max - 1);
  for (const s of spansOf(r)) {
    const text = typeof s === 'string' ? s : 'strong' in s ? s.strong : s.link;
    const chars = [...text];
    if (chars.length <= left) {
      out.push(s);
      left -= chars.length;
      continue;
    }
    const cut = chars.slice(0, left).join('');
    if (cut) out.push(typeof s === 'string' ? cut : 'strong' in s ? { strong: cut } : { link: cut, url: s.url });
    break;
  }
  out.push('…');
  return out;
}

/** Cuts a plain string to at most `max` characters (code points), ending with '…' when cut. */
export function clipText(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

const URL_IN_TEXT = /https?:\/\/[^\s；，。、）)」]+/g;

/** A recorded text with http(s) URLs in it: each URL becomes a link span labelled `label` (the rest stays literal). */
export function linkify(text: string, label = '查看'): Rich {
  const out: Span[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const href = httpUrl(m[0]);
    if (!href) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push({ link: label, url: href });
    last = m.index + m[0].length;
  }
  if (last === 0) return text;
  if (last < text.length) out.push(text.slice(last));
  return out;
}
