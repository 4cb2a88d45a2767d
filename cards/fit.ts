/**
 * Fits any card to a platform's size budget, on the model, so every renderer trims the same way: the renderer
 * says whether a candidate fits (its own measure: Feishu bytes of the request, DingTalk body characters, …) and
 * `fitCard` returns the fullest candidate that does. Buttons and forms (the actions) are never removed.
 *
 * Steps, in order, each tried only when the previous did not fit:
 * 1. the card as it is;
 * 2. every text value clipped to 300 characters with "…" (links keep their whole URL);
 * 3. history trimmed to its newest entries (as many as fit; `omitted` counts the rest);
 * 4. then ever shorter values, links with URLs over 1000 then 200 characters shown as their label only, and
 *    finally no links and form fields without their prefilled values.
 */
import type { CardBlock, CardModel, Rich, Span } from './model';
import { clipRich, clipText, spansOf } from './rich';

export const HISTORY_OMITTED_LINE = '…更早的记录已省略';

interface Limits {
  keep: number;
  chars: number;
  url: number;
  initials: boolean;
}

const NONE: Limits = {
  keep: Number.POSITIVE_INFINITY,
  chars: Number.POSITIVE_INFINITY,
  url: Number.POSITIVE_INFINITY,
  initials: true,
};
const LATER: Omit<Limits, 'keep'>[] = [
  { chars: 300, url: 1000, initials: true },
  { chars: 120, url: 200, initials: true },
  { chars: 60, url: 0, initials: true },
  { chars: 24, url: 0, initials: false },
];

export function fitCard(card: CardModel, fits: (c: CardModel) => boolean): CardModel {
  if (fits(card)) return card;
  const clipped = shrink(card, { ...NONE, chars: 300 });
  if (fits(clipped)) return clipped;
  const longest = Math.max(0, ...card.blocks.map((b) => (b.type === 'history' ? b.entries.length : 0)));
  if (longest > 0) {
    // Largest `keep` that fits, by bisection; keep = 0 is tried with the later steps.
    let lo = 0;
    let hi = longest - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(shrink(card, { ...NONE, chars: 300, keep: mid }))) lo = mid;
      else hi = mid - 1;
    }
    const kept = shrink(card, { ...NONE, chars: 300, keep: lo });
    if (lo > 0 && fits(kept)) return kept;
  }
  let last = clipped;
  for (const step of LATER) {
    last = shrink(card, { ...step, keep: 0 });
    if (fits(last)) return last;
  }
  return last;
}

function shrink(card: CardModel, l: Limits): CardModel {
  const text = (s: string) => clipText(s, l.chars);
  const rich = (r: Rich) => clipRich(dropLongLinks(r, l.url), l.chars);
  return {
    header: { ...card.header, title: clipText(card.header.title, Math.max(l.chars, 60)) },
    blocks: card.blocks.map((b) => shrinkBlock(b, l, text, rich)),
    actions: card.actions,
    forms: card.forms.map((f) => ({
      ...f,
      fields: f.fields.map((field) => {
        if (field.initial === undefined || (l.initials && [...field.initial].length <= Math.max(l.chars, 300)))
          return field;
        const { initial: _drop, ...rest } = field;
        return rest;
      }),
    })),
  };
}

function shrinkBlock(b: CardBlock, l: Limits, text: (s: string) => string, rich: (r: Rich) => Rich): CardBlock {
  switch (b.type) {
    case 'fields':
      return { ...b, fields: b.fields.map((f) => ({ label: f.label, value: rich(f.value) })) };
    case 'rich':
      return { ...b, lines: b.lines.map(rich) };
    case 'checklist':
      return { ...b, items: b.items.map((it) => ({ ...it, text: rich(it.text) })) };
    case 'note':
      return { ...b, text: text(b.text) };
    case 'ask':
      return { ...b, text: rich(b.text) };
    case 'markdown':
      return b;
    case 'history': {
      const ordered = [...b.entries].sort((x, y) => x.at.getTime() - y.at.getTime());
      const kept = ordered.length > l.keep ? ordered.slice(ordered.length - l.keep) : ordered;
      const entries = kept.map((e) => ({
        at: e.at,
        who: text(e.who),
        what: text(e.what),
        ...(e.note !== undefined ? { note: { ...e.note, text: rich(e.note.text) } } : {}),
      }));
      const omitted = (b.omitted ?? 0) + ordered.length - kept.length;
      return { ...b, entries, ...(omitted > 0 ? { omitted } : {}) };
    }
    case 'divider':
      return b;
  }
}

/** Links whose URL is longer than `max` become their label as plain text. */
function dropLongLinks(r: Rich, max: number): Rich {
  if (max === Number.POSITIVE_INFINITY) return r;
  return spansOf(r).map((s): Span => (typeof s === 'object' && 'link' in s && s.url.length > max ? s.link : s));
}
