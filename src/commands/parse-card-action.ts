import { describeIssues, IntentSchema } from './intents';
import type { ParseResult } from './parse-slash';

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

/**
 * Form values arrive as strings (inputs), option values (selects) or a list of them (multi-select: the first
 * counts); numbers and booleans are read as text; empty inputs mean "not given". Anything else (an object, a
 * nested list) is refused with the field's name, never converted with String().
 */
function formFields(form: Record<string, unknown>): { fields: Record<string, string> } | { bad: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) {
    const first = Array.isArray(v) ? v[0] : v;
    let s: string;
    if (first === undefined || first === null) s = '';
    else if (typeof first === 'string') s = first;
    else if ((typeof first === 'number' && Number.isFinite(first)) || typeof first === 'boolean') s = String(first);
    else return { bad: k };
    if (s.trim() !== '') out[k] = s;
  }
  return { fields: out };
}

/**
 * A card button's value is `{ v: 1, type, ...intent }` (see cards/model.ts). It is untrusted input like typed text:
 * it goes through the same IntentSchema, and the use case re-checks who may act.
 */
export function parseCardAction(value: unknown, form?: Record<string, unknown>): ParseResult {
  if (!isRecord(value) || value.v !== 1 || typeof value.type !== 'string' || tooDeep(value, MAX_DEPTH)) {
    return { ok: false, error: BAD_ACTION };
  }
  const { v: _v, ...rest } = value;
  const read = form ? formFields(form) : { fields: {} };
  if ('bad' in read)
    return { ok: false, error: `表单字段「${read.bad.slice(0, 40)}」的值无法识别，请重新填写后提交。` };
  const { fields } = read;
  let candidate: Record<string, unknown> = rest;
  if (rest.type === 'register') candidate = { type: 'register', fields };
  else if (rest.type === 'reject') candidate = { ...rest, reason: fields.reason ?? '' };
  else if (rest.type === 'approve') {
    const { comment, outsourcing, ...others } = fields;
    candidate = {
      ...rest,
      ...(comment ? { comment } : {}),
      ...(outsourcing ? { outsourcing } : {}),
      ...(Object.keys(others).length ? { fields: others } : {}),
    };
  } else if (rest.type === 'task') {
    const { reason, ...others } = fields;
    candidate = { ...rest, ...(rest.action === 'reject' ? { reason: reason ?? '' } : {}), fields: others };
  } else if (rest.type === 'doc') candidate = { ...rest, ...fields };
  else if (rest.type === 'due') candidate = { ...rest, ...fields };
  else if (rest.type === 'handover') candidate = { ...rest, ...fields };
  const parsed = IntentSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues).join('\n') };
  return { ok: true, intent: parsed.data };
}
