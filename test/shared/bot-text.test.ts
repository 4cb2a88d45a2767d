/**
 * Bot text is Chinese, in one voice: no English fragments or field keys in messages, no nested brackets.
 * Scans every string literal with Chinese in it (the static parts of templates) in src/ and cards/, the labels of
 * the standard process, and the cards and refusals of a whole walk of the process (where names and labels nest).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CardModel } from '../../cards/model';
import { projectCard } from '../../cards/project.card';
import { plainRich } from '../../cards/rich';
import { refusalText } from '../../src/app/messages';
import { HELP_TEXT } from '../../src/commands/help';
import type { DomainErrorCode } from '../../src/domain/errors';
import type { OrgView } from '../../src/domain/org';
import { org, STANDARD } from '../helpers/process-fixture';
import { walk } from '../helpers/process-walk';

const ROOT = join(__dirname, '..', '..');
const CJK = /[\u4e00-\u9fff]/;

/** ASCII words allowed in bot text: names of things people type or see as such. */
const ALLOWED = new Set([
  ...['SaaS', 'HO', 'YYYY', 'MM', 'DD', 'http', 'https', 'id', 'SVN', 'Handoff', 'ORG_FILE'],
  // Arguments of typed commands (/delegate off, /addsign … before|after|with).
  ...['off', 'before', 'after', 'with'],
]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    // The simulator page and its HTTP API speak to developers and scripts (headers, tokens), not bot users.
    if (e.isDirectory()) return e.name === 'web' || e.name === 'http' ? [] : files(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const REGEX_BEFORE = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '']);

/** The string literals of a TypeScript file (templates: their static parts joined by "…"), comments skipped. */
function literals(src: string): string[] {
  const out: string[] = [];
  const templates: { text: string; depth: number }[] = [];
  let depth = 0;
  let last = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const top = templates.at(-1);
    if (top && top.depth === depth) {
      // Inside a template's text; escapes (\n …) read as a space.
      if (c === '\\') {
        top.text += ' ';
        i += 2;
      } else if (c === '`') {
        out.push(top.text);
        templates.pop();
        last = '`';
        i++;
      } else if (c === '$' && src[i + 1] === '{') {
        top.text += '…';
        depth++;
        i += 2;
      } else {
        top.text += c;
        i++;
      }
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
    } else if (c === '/' && src[i + 1] === '*') i = src.indexOf('*/', i + 2) + 2;
    else if (c === '/' && REGEX_BEFORE.has(last)) {
      // A regular expression literal: skipped whole (a quote inside it starts no string).
      let j = i + 1;
      let inClass = false;
      while (j < src.length && (src[j] !== '/' || inClass)) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j++;
      }
      i = j + 1;
      last = '/';
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          s += ' ';
          j += 2;
          continue;
        }
        s += src[j];
        j++;
      }
      out.push(s);
      i = j + 1;
      last = c;
    } else if (c === '`') {
      templates.push({ text: '', depth });
      i++;
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (!/\s/.test(c)) last = /[\w$)\]]/.test(c) ? 'w' : c;
      i++;
    }
  }
  return out;
}

/** ASCII-letter words that are not command syntax (/cmd, key=…), URLs or allowed names. */
function englishIn(text: string): string[] {
  const cleaned = text
    .replace(/https?:\/\/\S*/g, ' ')
    .replace(/\/[a-z][\w-]*/gi, ' ')
    .replace(/\b[a-z][\w.]*=("[^"]*"|[\w|.,-]*)/gi, ' ')
    .replace(/=[\w|.,-]+/g, ' ')
    .replace(/\b[a-z]+\.[a-z]+\b/g, ' ')
    .replace(/\b[a-z]+(?:\|[a-z]+)+\b/gi, ' ');
  return (cleaned.match(/[A-Za-z][A-Za-z_]*/g) ?? []).filter((w) => !ALLOWED.has(w));
}

/** Nested full-width brackets: （…（…）…） or 「…「…」…」, and a bracket right after a bracket: ）（. */
function nestedBrackets(text: string): boolean {
  for (const [open, close] of [
    ['（', '）'],
    ['「', '」'],
    ['【', '】'],
  ] as const) {
    let depth = 0;
    for (const ch of text) {
      if (ch === open && ++depth > 1) return true;
      if (ch === close) depth = Math.max(0, depth - 1);
    }
  }
  return text.includes('）（');
}

function cardTexts(c: CardModel): string[] {
  const out = [c.header.title, c.header.subtitle ?? ''];
  for (const b of c.blocks) {
    if (b.type === 'ask') out.push(plainRich(b.text, false));
    if (b.type === 'fields') for (const f of b.fields) out.push(`${f.label}：${plainRich(f.value, false)}`);
    if (b.type === 'note' || b.type === 'markdown') out.push(b.text);
    if (b.type === 'history')
      for (const e of b.entries)
        out.push(`${e.what}${e.note ? ` — ${e.note.label}：${plainRich(e.note.text, false)}` : ''}`);
  }
  for (const a of [...c.actions, ...c.forms.map((f) => f.submit)]) out.push(a.label);
  for (const f of c.forms) for (const x of f.fields) out.push(x.label);
  return out;
}

describe('bot text: Chinese only, one voice', () => {
  const sources = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'cards'))];
  const texts = sources.flatMap((f) =>
    literals(readFileSync(f, 'utf8'))
      .filter((s) => CJK.test(s))
      .map((s) => ({ file: f.slice(ROOT.length + 1), s })),
  );

  it('finds the literals it scans (the scanner works)', () => {
    expect(texts.length).toBeGreaterThan(200);
    expect(englishIn('缺少资料 (a document link)')).toEqual(['a', 'document', 'link']);
    expect(englishIn('发送 /status HO-2026-0001，或写 customer=某集团')).toEqual([]);
    expect(nestedBrackets('已同意（特批领导审批（北方））')).toBe(true);
    expect(nestedBrackets('吕工（售后运维）（售后运维部）')).toBe(true);
    expect(nestedBrackets('同意 · 特批领导审批（北方）')).toBe(false);
  });

  it('no English words or field keys in any bot message or template', () => {
    const bad = texts.flatMap(({ file, s }) =>
      englishIn(s).length ? [`${file}: ${s} → ${englishIn(s).join(' ')}`] : [],
    );
    expect(bad).toEqual([]);
  });

  it('no nested brackets in any template, in the help, or in the process labels', () => {
    const labels = [
      ...Object.values(STANDARD.roles).map((r) => r.name),
      ...(['project', 'saas'] as const).flatMap((k) => STANDARD.flows[k].tasks.map((t) => t.name)),
      ...STANDARD.subflows.flatMap((s) => [s.name, ...s.steps.map((x) => x.name)]),
    ];
    const bad = [...texts.map((t) => t.s), HELP_TEXT, ...labels].filter(nestedBrackets);
    expect(bad).toEqual([]);
  });

  it('cards and refusals of a whole walk read without English or nested brackets, even with bracketed names', () => {
    // Names like the example org's 吕工（售后运维）: the bot never wraps a name or a label in brackets again.
    const bracketed: OrgView = {
      ...org,
      users: Object.fromEntries(Object.entries(org.users).map(([id, u]) => [id, { name: `${u.name}（${id}）` }])),
    };
    const seen: string[] = [];
    // Project data in Chinese: what the scan must find is the bot's own English, not the test's data.
    const data = { name: '北方园区', customer: '某集团', contractNo: '合同一号' };
    for (const b of [
      { yes: false, facts: data },
      { yes: true, facts: { ...data, operated: true, cloud: true } },
      { yes: false, facts: { ...data, kind: 'saas' as const } },
    ])
      for (const p of walk(b))
        for (const viewer of [null, ...Object.keys(org.users)])
          seen.push(
            ...cardTexts(
              projectCard({ project: p, def: STANDARD, org: bracketed, timeZone: 'Asia/Shanghai', viewer, full: true }),
            ),
          );
    const p = walk({ yes: false })[3];
    if (!p) throw new Error('walk too short');
    const codes: DomainErrorCode[] = [
      'NOT_CURRENT_APPROVER',
      'NOT_SUBMITTER',
      'REQUEST_CLOSED',
      'NO_ASSIGNEE',
      'SELF_APPROVAL',
    ];
    for (const code of codes)
      seen.push(refusalText({ code, meta: { role: 'sales_lead', region: 'north' } }, bracketed, p, STANDARD));
    const names = [...Object.values(bracketed.users), ...Object.values(org.users)]
      .map((u) => u.name)
      .sort((a, b) => b.length - a.length);
    // A bracketed name alone is the org's data, not ours; what the bot adds around it must not nest.
    const strip = (s: string) => names.reduce((acc, n) => acc.split(n).join('某人'), s);
    expect([...new Set(seen.filter((s) => nestedBrackets(strip(s)) || englishIn(strip(s)).length))]).toEqual([]);
    expect([...new Set(seen.filter((s) => nestedBrackets(s)))].slice(0, 5)).toEqual([]);
  });
});
