import { describeIssues, IntentSchema } from './intents';
import type { ParseResult } from './parse-slash';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Form values arrive as strings (inputs), option values (selects) or lists (multi-selects); empty means "not given". */
function formFields(form: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(form)) {
    if (Array.isArray(v)) {
      const items = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
      if (items.length) out[k] = items;
      continue;
    }
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
    if (s.trim() !== '') out[k] = s;
  }
  return out;
}
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * A card button's value is `{ v: 1, type, ...intent }` (see cards/model.ts). It is untrusted input like typed text:
 * it goes through the same IntentSchema, and the use case re-checks who may act.
 */
export function parseCardAction(value: unknown, form?: Record<string, unknown>): ParseResult {
  if (!isRecord(value) || value.v !== 1 || typeof value.type !== 'string') {
    return { ok: false, error: '无法识别的卡片操作，请发送 /help 查看可用命令。' };
  }
  const { v: _v, ...rest } = value;
  const fields = form ? formFields(form) : {};
  let candidate: Record<string, unknown> = rest;
  if (rest.type === 'register') candidate = { type: 'register', fields };
  else if (rest.type === 'reject') candidate = { ...rest, reason: one(fields.reason) ?? '' };
  else if (rest.type === 'approve') {
    candidate = { ...rest, ...(Object.keys(fields).length ? { fields } : {}) };
  } else if (rest.type === 'task') {
    const { reason, ...others } = fields;
    candidate = { ...rest, ...(rest.action === 'reject' ? { reason: one(reason) ?? '' } : {}), fields: others };
  } else if (rest.type === 'raise') candidate = { ...rest, fields };
  else if (rest.type === 'doc' || rest.type === 'due' || rest.type === 'handover') {
    candidate = { ...rest, ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, one(v)])) };
  }
  const parsed = IntentSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues).join('\n') };
  return { ok: true, intent: parsed.data };
}
