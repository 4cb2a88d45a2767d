/**
 * WeCom payload helpers: a small strict parser for WeCom's flat XML, the button-key encoding, and ids.
 *
 * XML: WeCom bodies are `<xml><Name><![CDATA[value]]></Name><Num>123</Num>…</xml>`, one level deep (nested
 * elements such as `<SelectedItems>` exist on vote cards; they are parsed for well-formedness and skipped).
 * No DOCTYPE, no processing instructions besides an optional `<?xml …?>` prolog, no custom entities (so no XXE),
 * attributes are ignored. Anything else throws `MalformedPayloadError` (HTTP 400). A dependency was not worth it
 * for this shape (fast-xml-parser would be the choice if richer XML ever had to be read).
 *
 * Button keys: WeCom echoes a button's `key` as `EventKey` (≤ 1024 bytes, unique within the card; the allowed
 * characters are not documented, so only `[a-z0-9_]` is used):
 * - `hk<i>_<hex>`: hex of the UTF-8 JSON `{ a: ActionValue, f?: form }`; `<i>` = the button's index on the card.
 * - `hh<i>_<sha256 hex>`: when the hex form would be over 1024 bytes; the JSON is kept in AdapterState.
 * - `hk_noop`: the placeholder button of a read-only card (WeCom requires at least one button).
 */
import { createHash } from 'node:crypto';
import type { ActionValue } from '../../../cards/model';
import { MalformedPayloadError } from '../../shared/errors';

export type Json = Record<string, unknown>;
export type XmlFields = Record<string, string>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const MAX_DEPTH = 8;

/** Parses `<xml>…</xml>` into its direct children's text (CDATA and character data, entities decoded). */
export function parseXml(text: string): XmlFields {
  const p = new XmlCursor(text.replace(/^\uFEFF/, ''));
  p.skipSpace();
  if (p.startsWith('<?xml')) {
    const end = p.src.indexOf('?>', p.i);
    if (end < 0) throw malformed('unterminated XML declaration');
    p.i = end + 2;
    p.skipSpace();
  }
  const root = p.element(0);
  p.skipSpace();
  if (p.i !== p.src.length) throw malformed('content after the root element');
  if (root.name !== 'xml') throw malformed('root element is not <xml>');
  const fields: XmlFields = {};
  for (const child of root.children) if (!(child.name in fields)) fields[child.name] = child.text;
  return fields;
}

interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

class XmlCursor {
  i = 0;
  constructor(readonly src: string) {}

  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.i);
  }

  skipSpace(): void {
    while (this.i < this.src.length && /\s/.test(this.src[this.i] ?? '')) this.i++;
  }

  element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) throw malformed('XML nested too deeply');
    if (!this.startsWith('<') || this.startsWith('<!') || this.startsWith('<?') || this.startsWith('</')) {
      throw malformed('expected an element');
    }
    this.i++;
    const name = NAME_RE.exec(this.src.slice(this.i, this.i + 200))?.[0];
    if (!name) throw malformed('bad element name');
    this.i += name.length;
    const close = this.src.indexOf('>', this.i);
    if (close < 0) throw malformed('unterminated start tag');
    const attrs = this.src.slice(this.i, close);
    if (!/^(\s[^<>]*)?\/?$/.test(attrs)) throw malformed('bad start tag');
    this.i = close + 1;
    if (attrs.trimEnd().endsWith('/')) return { name, text: '', children: [] };
    let text = '';
    const children: XmlElement[] = [];
    for (;;) {
      if (this.i >= this.src.length) throw malformed(`unterminated <${name}>`);
      if (this.startsWith('<![CDATA[')) {
        const end = this.src.indexOf(']]>', this.i + 9);
        if (end < 0) throw malformed('unterminated CDATA');
        text += this.src.slice(this.i + 9, end);
        this.i = end + 3;
      } else if (this.startsWith('</')) {
        const endTag = `</${name}`;
        if (!this.startsWith(endTag)) throw malformed(`mismatched end tag in <${name}>`);
        this.i += endTag.length;
        this.skipSpace();
        if (!this.startsWith('>')) throw malformed(`bad end tag of <${name}>`);
        this.i++;
        return { name, text, children };
      } else if (this.startsWith('<')) {
        children.push(this.element(depth + 1));
      } else {
        const next = this.src.indexOf('<', this.i);
        const end = next < 0 ? this.src.length : next;
        text += decodeEntities(this.src.slice(this.i, end));
        this.i = end;
      }
    }
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (all, ent: string) => {
    if (ent.startsWith('#x')) return safeCodePoint(Number.parseInt(ent.slice(2), 16), all);
    if (ent.startsWith('#')) return safeCodePoint(Number.parseInt(ent.slice(1), 10), all);
    return ENTITIES[ent] ?? all;
  });
}

function safeCodePoint(cp: number, fallback: string): string {
  return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : fallback;
}

function malformed(msg: string): MalformedPayloadError {
  return new MalformedPayloadError(`WeCom XML: ${msg}`);
}

// ---- button keys ----------------------------------------------------------------------------------------------

export const MAX_KEY_BYTES = 1024;
export const NOOP_KEY = 'hk_noop';
const KEY_RE = /^hk(\d{1,2})_((?:[0-9a-f]{2})+)$/;
const HASHED_KEY_RE = /^hh(\d{1,2})_([0-9a-f]{64})$/;

/** What a button click carries: the intent value and, for form buttons, the chosen field values. */
export interface KeyPayload {
  value: ActionValue;
  form?: Record<string, string>;
}

/** Where over-long keys keep their payload (AdapterState in the adapter, a Map in tests). */
export interface KeyStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

export const keyStoreKey = (hash: string): string => `key:${hash}`;

export function encodeButtonKey(index: number, payload: KeyPayload, store: KeyStore | null): string {
  const json = JSON.stringify(payload.form ? { a: payload.value, f: payload.form } : { a: payload.value });
  const key = `hk${index}_${Buffer.from(json, 'utf8').toString('hex')}`;
  if (Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES) return key;
  if (!store) throw new Error('button value too long for a WeCom key and no key store is configured');
  const hash = createHash('sha256').update(json, 'utf8').digest('hex');
  store.set(keyStoreKey(hash), json);
  return `hh${index}_${hash}`;
}

/** The payload of a key made by `encodeButtonKey`; 'noop' for the read-only placeholder; null when unknown. */
export function decodeButtonKey(key: string, store: KeyStore | null): KeyPayload | 'noop' | null {
  if (key === NOOP_KEY) return 'noop';
  let json: string | null = null;
  const plain = KEY_RE.exec(key);
  if (plain?.[2]) json = Buffer.from(plain[2], 'hex').toString('utf8');
  const hashed = HASHED_KEY_RE.exec(key);
  if (hashed?.[2] && store) json = store.get(keyStoreKey(hashed[2]));
  if (json === null) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    if (!isRecord(parsed) || !isRecord(parsed.a) || parsed.a.v !== 1 || typeof parsed.a.type !== 'string') return null;
    const out: KeyPayload = { value: parsed.a as ActionValue };
    if (isRecord(parsed.f)) {
      const form: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed.f)) if (typeof v === 'string') form[k] = v;
      out.form = form;
    }
    return out;
  } catch {
    return null;
  }
}

// ---- ids --------------------------------------------------------------------------------------------------------

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** `task_id` of the card sent under `idempotencyKey`: `[0-9a-zA-Z_-@]`, ≤ 128 bytes, stable across retries. */
export function taskIdFor(idempotencyKey: string): string {
  return `ho_${sha256Hex(idempotencyKey).slice(0, 40)}`;
}

export const isTaskId = (messageId: string): boolean => /^ho_[0-9a-f]{40}$/.test(messageId);

/** Message ids of posts that can never be updated (group robot / appchat markdown, texts). */
export const STATIC_PREFIX = 'static_';

/** The p2p "chat" of a user with the app: WeCom has no chat id for it, so the adapter names it. */
export const dmChatId = (userId: string): string => `dm:${userId}`;
export const userOfDmChat = (chatId: string): string | null => (chatId.startsWith('dm:') ? chatId.slice(3) : null);
