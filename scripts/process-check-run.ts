/**
 * What `npm run process:check` does (scripts/process-check.ts), as a function of its arguments and environment that
 * writes to the streams it is given and returns the exit code, so tests run it in-process: it validates the process
 * file and the org file together, then prints the dry run for a sample project.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { OrgFileError, parseOrgFile } from '../src/config/org-file';
import { checkOrgAgainstProcess, isWarning, orgView } from '../src/config/org-process';
import { DEFAULT_PROCESS_FILE, loadProcessFile, ProcessFileError } from '../src/config/process-file';
import { processHash } from '../src/config/process-hash';
import { regionName } from '../src/domain/org';
import { answerField, answerValue, planProject } from '../src/domain/process/plan';
import { planLines } from '../src/domain/process/plan-text';
import type { FieldValue } from '../src/domain/process/state';
import { directoryStatus } from './directory-status';

const DEMO_ORG = new URL('../org.example.yaml', import.meta.url).pathname;
const BOOLEAN_FACTS = ['signed', 'paid', 'operated', 'cloud'] as const;

/** A refusal of the files or the arguments: its message goes to stderr and the command exits 1. */
class Refusal extends Error {}

function fail(message: string): never {
  throw new Refusal(message);
}

export interface ProcessCheckIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs the check and the dry run, writing to `io.stdout`/`io.stderr`; returns the exit code (0 or 1). */
export function runProcessCheck(io: ProcessCheckIo): number {
  try {
    const out = report(io.argv, io.env);
    io.stdout.write(`${out.lines.join('\n')}\n`);
    return out.errors ? 1 : 0;
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    io.stderr.write(`${e.message}\n`);
    return 1;
  }
}

function report(args: string[], env: NodeJS.ProcessEnv): { lines: string[]; errors: number } {
  const { values } = parseArgs({
    args,
    options: {
      process: { type: 'string' },
      org: { type: 'string' },
      kind: { type: 'string', default: 'project' },
      region: { type: 'string' },
      signed: { type: 'string' },
      paid: { type: 'string' },
      operated: { type: 'string' },
      cloud: { type: 'string' },
      answer: { type: 'string', multiple: true, default: [] },
      db: { type: 'string' },
    },
    strict: true,
  });

  const processPath = values.process ?? (env.PROCESS_FILE || DEFAULT_PROCESS_FILE);
  const orgPath = values.org ?? (env.ORG_FILE || DEMO_ORG);
  const shown = (p: string) => relative(process.cwd(), p) || p;

  let def: ReturnType<typeof loadProcessFile>;
  let orgFile: ReturnType<typeof parseOrgFile>;
  try {
    def = loadProcessFile(processPath);
    let text: string;
    try {
      text = readFileSync(orgPath, 'utf8');
    } catch (e) {
      throw new OrgFileError(`cannot read org file ${orgPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
    orgFile = parseOrgFile(text, orgPath);
  } catch (e) {
    if (e instanceof ProcessFileError || e instanceof OrgFileError) fail(e.message);
    throw e;
  }
  const org = orgView(orgFile);

  if (values.kind !== 'project' && values.kind !== 'saas') fail(`--kind: project or saas, not "${values.kind}"`);
  const kind = values.kind;
  const region = values.region ?? org.regions[0] ?? null;
  if (region !== null && org.regions.length && !org.regions.includes(region))
    fail(`--region: "${region}" is not a region of the org file (regions are: ${org.regions.join(', ')})`);

  const facts: Record<string, string | boolean> = {};
  for (const f of BOOLEAN_FACTS) {
    const v = values[f];
    if (v === undefined) continue;
    if (!['yes', 'no'].includes(v)) fail(`--${f}: yes or no, not "${v}"`);
    facts[f] = v === 'yes';
  }
  const answers: Record<string, FieldValue> = {};
  for (const a of values.answer) {
    const at = a.indexOf('=');
    const ref = a.slice(0, Math.max(at, 0));
    const field = at > 0 ? answerField(def, kind, ref) : null;
    if (!field) fail(`--answer ${a}: name a form field as taskId.fieldId=value or approval.<role>.<field>=value`);
    const value = answerValue(field, a.slice(at + 1));
    if (value === null) {
      const options = field.options?.map((o) => o.value).join(', ') ?? 'yes, no';
      fail(`--answer ${a}: not a valid answer for ${field.kind} field "${ref}" (${options})`);
    }
    answers[ref] = value;
  }

  const problems = checkOrgAgainstProcess(orgFile, [def]);
  const errors = problems.filter((p) => !isWarning(p));
  const out: string[] = [];
  out.push(`process file: ${shown(processPath)} — ${def.label} (sha256 ${processHash(def).slice(0, 12)})`);
  out.push(
    `org file: ${shown(orgPath)} — ${orgFile.users.length} people, regions: ${org.regions.map((r) => `${r} (${regionName(org, r)})`).join(', ') || 'none'}`,
  );
  out.push(problems.length ? `problems (${errors.length} errors):` : 'problems: none');
  for (const p of problems) out.push(`  - ${isWarning(p) ? p : `error: ${p}`}`);
  out.push(...directoryStatus(orgFile, values.db ?? (env.DATABASE_PATH || './data/handoff.db'), env));

  const plan = planProject(def, org, { kind, region, facts, answers });
  const yn = (v: string | boolean | undefined) => (v === undefined ? '?' : v === true ? 'yes' : v === false ? 'no' : v);
  out.push('');
  out.push(
    `sample project: kind=${kind} region=${region ?? '?'} ${BOOLEAN_FACTS.map((f) => `${f}=${yn(facts[f])}`).join(' ')}`,
  );
  for (const [ref, v] of Object.entries(answers)) out.push(`  answer ${ref}=${Array.isArray(v) ? v.join(',') : yn(v)}`);

  out.push('');
  out.push(...planLines(plan, kind));
  return { lines: out, errors: errors.length };
}
