/**
 * WeCom payload helpers: a small strict parser for WeCom's flat XML, the button-key encoding, and ids.
 *
 * XML: WeCom bodies are `<xml><Name><![CDATA[value]]></Name><Num>123</Num>…</xml>`, one level deep (nested
 * elements such as `<SelectedItems>` exist on vote cards; they are parsed for well-formedness and skipped).
 * Parsed by fast-xml-parser (validated first, entity processing off, at most 8 levels deep); a DOCTYPE or entity
 * declaration is refused (no XXE, no entity expansion), attributes are ignored. Anything else throws
 * `MalformedPayloadError` (HTTP 400).
 *
 * Button keys: WeCom echoes a button's `key` as `EventKey` (≤ 1024 bytes, unique within the card; the allowed
 * characters are not documented, so only `[a-z0-9_]` is used):
 * - `hk<i>_<hex>`: hex of the UTF-8 JSON `{ a: ActionValue, f?: form }`; `<i>` = the button's index on the card.
 * - `hh<i>_<sha256 hex>`: when the hex form would be over 1024 bytes; the JSON is kept in AdapterState.
 * - `hk_noop`: the placeholder button of a read-only card (WeCom requires at least one button).
 */
import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ActionValue } from '../../../cards/model';
import { MalformedPayloadError } from '../../shared/errors';

export type Json = Record<string, unknown>;
export type XmlFields = Record<string, string>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const MAX_DEPTH = 8;
const CDATA = '#cdata';
const TEXT = '#text';
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA,
  maxNestedTags: MAX_DEPTH,
});

/**
 * Parses `<xml>…</xml>` into its direct children's text (CDATA verbatim, character data with the five XML entities
 * and character references decoded). fast-xml-parser does the parsing with entity processing off; a DOCTYPE (the
 * only way to declare entities) is refused before parsing.
 */
export function parseXml(text: string): XmlFields {
  const src = text.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(src)) throw malformed('DOCTYPE and entity declarations are not accepted');
  if (XMLValidator.validate(src) !== true) throw malformed('not well-formed');
  let doc: unknown;
  try {
    doc = parser.parse(src);
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : 'unreadable');
  }
  if (!isRecord(doc)) throw malformed('no root element');
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== 'xml') throw malformed('root element is not <xml>');
  const root = doc.xml;
  const fields: XmlFields = {};
  if (!isRecord(root)) return fields;
  for (const [name, value] of Object.entries(root)) {
    if (name === TEXT || name === CDATA || name === '__proto__') continue;
    fields[name] = elementText(Array.isArray(value) ? value[0] : value);
  }
  return fields;
}

/** The text of one element: CDATA as is, character data entity-decoded, elements with children → ''. */
function elementText(node: unknown): string {
  if (typeof node === 'string') return decodeEntities(node);
  if (!isRecord(node)) return '';
  if (Object.keys(node).some((k) => k !== TEXT && k !== CDATA)) return '';
  const cdata = node[CDATA];
  const parts = Array.isArray(cdata) ? cdata : cdata === undefined ? [] : [cdata];
  const text = typeof node[TEXT] === 'string' ? decodeEntities(node[TEXT]) : '';
  return text.trim() === '' ? parts.map(String).join('') : text + parts.map(String).join('');
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
