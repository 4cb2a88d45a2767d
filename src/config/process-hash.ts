import { createHash } from 'node:crypto';
import type { ProcessDefinition } from '../domain/process/definition';

/** JSON with object keys sorted at every level and undefined values dropped: equal definitions, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The stable content hash (sha256, hex) of a parsed definition. Formatting, comments, key order and anchors of the
 * file do not change it; any change of meaning does. The store keeps one version per hash, so an unchanged file
 * maps to the version projects are already pinned to.
 */
export function processHash(def: ProcessDefinition): string {
  return createHash('sha256').update(canonicalJson(def)).digest('hex');
}
