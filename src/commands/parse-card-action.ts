import type { z } from 'zod';
import { BUTTON_TYPES, type ButtonType, type ButtonValue } from '../domain/button-value';
import { describeIssues, IntentSchema } from './intents';
import type { ParseResult } from './parse-slash';

/** Compile-time: every button value is (part of) an intent IntentSchema accepts, and every type is listed. */
type IntentInput = z.input<typeof IntentSchema>;
type Accepted<B> = B extends { type: infer T }
  ? Omit<B, 'v'> extends Partial<Extract<IntentInput, { type: T }>>
    ? true
    : false
  : false;
const everyButtonIsAnIntent: false extends Accepted<ButtonValue> ? never : true = true;
const everyTypeListed: Exclude<ButtonType, (typeof BUTTON_TYPES)[number]> extends never ? true : never = true;
void everyButtonIsAnIntent;
void everyTypeListed;
const BUTTON_TYPE_SET: ReadonlySet<string> = new Set(BUTTON_TYPES);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const MAX_DEPTH = 8;
const BAD_ACTION = '无法识别的卡片操作，请发送 /help 查看可用命令。';

/** True when the value nests deeper than `limit` (iterative: a 50,000-deep array cannot overflow the stack). */
function tooDeep(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A form value as text, or null when it is of a kind no form sends (an object, a nested list). */
function scalar(v: unknown): string | null {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * Form values arrive as strings (inputs), option values (selects) or lists of them (multi-selects); numbers and
 * booleans are read as text; empty inputs mean "not given". Anything else (an object, a nested list) is refused
 * with the field's name, never converted with String().
 */
function formFields(form: Record<string, unknown>): { fields: Record<string, string | string[]> } | { bad: string } {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(form)) {
    if (Array.isArray(v)) {
      const items: string[] = [];
      for (const x of v) {
        const s = scalar(x);
        if (s === null) return { bad: k };
        if (s.trim() !== '') items.push(s);
      }
      if (items.length) out[k] = items;
      continue;
    }
    const s = scalar(v);
    if (s === null) return { bad: k };
    if (s.trim() !== '') out[k] = s;
  }
  return { fields: out };
}
const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * A card button's value is `{ v: 1, type, ...intent }` (see cards/model.ts). It is untrusted input like typed text:
 * it goes through the same IntentSchema, and the use case re-checks who may act.
 */
export function parseCardAction(value: unknown, form?: Record<string, unknown>): ParseResult {
  if (
    !isRecord(value) ||
    value.v !== 1 ||
    typeof value.type !== 'string' ||
    !BUTTON_TYPE_SET.has(value.type) ||
    tooDeep(value, MAX_DEPTH)
  ) {
    return { ok: false, error: BAD_ACTION };
  }
  const { v: _v, ...rest } = value;
  const read = form ? formFields(form) : { fields: {} };
  if ('bad' in read)
    return { ok: false, error: `表单字段「${read.bad.slice(0, 40)}」的值无法识别，请重新填写后提交。` };
  const { fields } = read;
  let candidate: Record<string, unknown> = rest;
  if (rest.type === 'register') candidate = { type: 'register', fields };
  else if (rest.type === 'reject') candidate = { ...rest, reason: one(fields.reason) ?? '' };
  else if (rest.type === 'approve') {
    candidate = { ...rest, ...(Object.keys(fields).length ? { fields } : {}) };
  } else if (rest.type === 'task') {
    const { reason, ...others } = fields;
    candidate = { ...rest, ...(rest.action === 'reject' ? { reason: one(reason) ?? '' } : {}), fields: others };
  } else if (rest.type === 'raise') candidate = { ...rest, fields };
  else if (rest.type === 'comment') candidate = { ...rest, text: one(fields.comment_text) ?? '' };
  else if (rest.type === 'cc') candidate = { ...rest, person: one(fields.cc_person) ?? '' };
  else if (rest.type === 'op') {
    // The operation forms (cards/operations.ts): their inputs become the words a typed command would carry.
    const { signer, ...ref } = rest;
    const words: Record<string, (string | undefined)[]> = {
      transfer: [one(fields.person), one(fields.note)],
      reassign: [one(fields.task), one(fields.person)],
      addsign: [one(fields.person), one(fields.position)],
      unsign: [typeof signer === 'string' ? signer : one(fields.person)],
      sendback: [one(fields.step), one(fields.reason)],
      revoke: [],
    };
    const args = (words[String(rest.op)] ?? []).map((w) => w?.trim() ?? '');
    while (args.length && args.at(-1) === '') args.pop();
    if (args.some((w) => w === '')) return { ok: false, error: '请填写表单中的必填项后再提交。' };
    candidate = { ...ref, args };
  } else if (rest.type === 'doc' || rest.type === 'due' || rest.type === 'handover') {
    candidate = { ...rest, ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, one(v)])) };
  }
  const parsed = IntentSchema.safeParse(candidate);
  if (!parsed.success) {
    const first = parsed.error.issues[0]?.path.filter((p) => p !== 'fields').at(-1);
    const field = typeof first === 'string' && first in fields ? { field: first } : {};
    return { ok: false, error: describeIssues(parsed.error.issues).join('\n'), ...field };
  }
  return { ok: true, intent: parsed.data };
}
