/**
 * Bounds on untrusted JSON before anything walks it recursively (String(), JSON.stringify, spreads, logging):
 * platform payloads are a few levels deep, so anything deeper than MAX_JSON_DEPTH is refused as malformed (400)
 * instead of ending in "Maximum call stack size exceeded" (500, which platforms retry). Iterative, never recursive.
 */
import { MalformedPayloadError } from './errors';

export const MAX_JSON_DEPTH = 32;

/** The nesting depth of a JSON value (a scalar is 0), counted up to `limit + 1` at most. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d]);
    }
  }
  return deepest;
}

/** Throws MalformedPayloadError when the value nests deeper than `limit`. */
export function assertJsonDepth(value: unknown, what: string, limit = MAX_JSON_DEPTH): void {
  if (jsonDepth(value, limit) > limit) throw new MalformedPayloadError(`${what} nests deeper than ${limit} levels`);
}

/** A form field's value as platforms send it: a string, a number, a boolean, or a list of strings (multi-select). */
export type FormScalar = string | number | boolean | string[];

export function isFormScalar(v: unknown): v is FormScalar {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  return Array.isArray(v) && v.length <= 100 && v.every((x) => typeof x === 'string');
}
