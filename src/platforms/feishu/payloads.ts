/**
 * Small readers for Feishu payload shapes, plus the encoding of an intent into a form submit button's `name`.
 *
 * Why the name encoding: whether Feishu delivers a form submit button's `behaviors[].value` together with
 * `form_value` is NOT CONFIRMED (feishu.md §7), but the clicked component's `name` is delivered as `action.name`.
 * So the renderer puts the intent in BOTH places, and normalize decodes the name when no value arrived.
 *
 * Encoding: `hf<formIndex>_<hex>` where `<hex>` is the lowercase hex of the UTF-8 bytes of `JSON.stringify(value)`
 * and `<formIndex>` is the 0-based index of the form in `CardModel.forms` (keeps names unique per card).
 * Only `[a-z0-9_]` is used, because the allowed character set of `name` is not documented.
 */

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function rec(v: unknown): Json | undefined {
  return isRecord(v) ? v : undefined;
}

const NAME_RE = /^hf(\d{1,3})_((?:[0-9a-f]{2})+)$/;

export function encodeSubmitName(formIndex: number, value: unknown): string {
  return `hf${formIndex}_${Buffer.from(JSON.stringify(value), 'utf8').toString('hex')}`;
}

/** The value encoded by `encodeSubmitName`, or undefined when `name` is not in that encoding. */
export function decodeSubmitName(name: string): Json | undefined {
  const m = NAME_RE.exec(name);
  const hex = m?.[2];
  if (!hex) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(hex, 'hex').toString('utf8'));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Form field names must be unique per card, and forms may reuse a field name (two forms asking for `reason`).
 * The renderer suffixes repeated names with `__<formIndex>`; normalize strips that suffix again.
 */
export function fieldWireName(name: string, formIndex: number, seen: Set<string>): string {
  const wire = seen.has(name) ? `${name}__${formIndex}` : name;
  seen.add(wire);
  return wire;
}

export function fieldModelName(wireName: string): string {
  return wireName.replace(/__\d{1,3}$/, '');
}
