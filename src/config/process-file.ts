import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ProcessDefinition } from '../domain/process/definition';
import { checkDefinition } from './process-rules';
import { ProcessFileSchema, toDefinition } from './process-schema';

/** The shipped full process of the company's document; `PROCESS_FILE` replaces it. */
export const DEFAULT_PROCESS_FILE = fileURLToPath(new URL('../../processes/standard.yaml', import.meta.url));
/** The process of v0.1 (hard-coded then): projects of a database from that version continue on it. */
export const LEGACY_PROCESS_FILE = fileURLToPath(new URL('../../processes/legacy.yaml', import.meta.url));

export class ProcessFileError extends Error {
  override name = 'ProcessFileError';
}

/** Top-level `x-…` keys hold YAML anchors for reuse and are not part of the process. */
function withoutExtensions(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('x-')));
}

/**
 * Parses and validates a process file (YAML; `<<` merge keys and `- *alias` list splicing allowed). Errors name the
 * key path and what is wrong, all problems at once, never a stack trace.
 */
export function parseProcessFile(text: string, source: string): ProcessDefinition {
  const known = parsed.get(text);
  if (known) return structuredClone(known);
  const def = parseUncached(text, source);
  parsed.set(text, structuredClone(def));
  if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value ?? '');
  return def;
}

/**
 * Valid definitions by file text, each handed out as a copy: parsing and checking is a pure function of the text and
 * costs tens of milliseconds, and every start-up parses the standard and the legacy process (tests start hundreds).
 */
const parsed = new Map<string, ProcessDefinition>();
const PARSED_KEPT = 8;

function parseUncached(text: string, source: string): ProcessDefinition {
  let raw: unknown;
  try {
    raw = parseYaml(text, { merge: true, maxAliasCount: 1000 });
  } catch (e) {
    throw new ProcessFileError(`${source}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = ProcessFileSchema.safeParse(withoutExtensions(raw));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const at = i.path.join('.') || '(root)';
      if (i.code !== 'unrecognized_keys') return `  - ${at}: ${i.message}`;
      return `  - ${i.keys.map((k) => (i.path.length ? `${at}.${k}` : k)).join(', ')}: unknown key`;
    });
    throw new ProcessFileError(`${source}: invalid process file:\n${lines.join('\n')}`);
  }
  const def = toDefinition(parsed.data);
  const problems = checkDefinition(def);
  if (problems.length) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    throw new ProcessFileError(`${source}: invalid process file:\n${lines.join('\n')}`);
  }
  return def;
}

export function loadProcessFile(path: string): ProcessDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ProcessFileError(`cannot read process file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseProcessFile(text, path);
}
