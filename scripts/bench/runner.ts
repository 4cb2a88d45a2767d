/** The benchmark runner: scenarios return rows (product vs bare baseline); printed as a table and as JSON. */
import { writeFileSync } from 'node:fs';

export interface BenchRow {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  /** The bare baseline measured in the same run (null when the metric has no baseline, e.g. a count). */
  baseline: number | null;
  /** value / baseline (product ÷ baseline), null without a baseline. */
  ratio: number | null;
  /** The target as text (e.g. ">= 45", "<= 1000") and whether it is met. */
  target?: string;
  ok?: boolean;
}

/** A size a scenario can be run at: `full` by default, `quick` with --quick, any value with --<name> N. */
export interface SizeKnob {
  full: number;
  quick: number;
  help: string;
}

export interface BenchContext {
  /** The value of one of the scenario's size knobs for this run. */
  size(name: string): number;
}

export interface Scenario {
  name: string;
  sizes?: Record<string, SizeKnob>;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export interface SuiteOptions {
  /** Scenario names (or parts of them) to run; empty = all. */
  only: string[];
  skip: string[];
  quick: boolean;
  /** Explicit sizes by knob name (`--projects 20000`). */
  sizes: Record<string, number>;
  /** Print JSON instead of the table on stdout. */
  json: boolean;
  /** Where the JSON results are written (null: nowhere). */
  out: string | null;
}

const round = (n: number | null) => (n === null ? null : Math.abs(n) >= 100 ? Math.round(n) : +n.toFixed(2));
const matches = (name: string, patterns: string[]) => patterns.some((p) => name.includes(p));

/** Best of `runs` (the machine is shared and noisy; the minimum is the least disturbed run). */
export function best(runs: number, f: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export function selected(scenarios: Scenario[], opts: Pick<SuiteOptions, 'only' | 'skip'>): Scenario[] {
  return scenarios.filter((s) => (opts.only.length === 0 || matches(s.name, opts.only)) && !matches(s.name, opts.skip));
}

/** Runs the scenarios `opts` selects (all by default: full sizes, a table on stdout, no JSON file). */
export async function runSuite(scenarios: Scenario[], options: Partial<SuiteOptions> = {}): Promise<BenchRow[]> {
  const opts: SuiteOptions = { only: [], skip: [], quick: false, sizes: {}, json: false, out: null, ...options };
  const rows: BenchRow[] = [];
  const started = new Date();
  const sizes: Record<string, number> = {};
  for (const s of selected(scenarios, opts)) {
    const ctx: BenchContext = {
      size(name) {
        const knob = s.sizes?.[name];
        if (!knob) throw new Error(`scenario ${s.name} has no size "${name}"`);
        const v = opts.sizes[name] ?? (opts.quick ? knob.quick : knob.full);
        sizes[name] = v;
        return v;
      },
    };
    process.stderr.write(`bench: ${s.name}…\n`);
    const t0 = performance.now();
    try {
      rows.push(...(await s.run(ctx)));
    } catch (e) {
      process.stderr.write(`bench: ${s.name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      rows.push({ scenario: s.name, metric: 'failed', unit: '', value: 0, baseline: null, ratio: null, ok: false });
    }
    process.stderr.write(`bench: ${s.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const clean = rows.map((r) => ({
    ...r,
    value: round(r.value) ?? 0,
    baseline: round(r.baseline),
    ratio: round(r.ratio),
  }));
  if (opts.out) {
    const doc = { date: started.toISOString(), node: process.version, quick: opts.quick, sizes, rows: clean };
    writeFileSync(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
    process.stderr.write(`bench: results written to ${opts.out}\n`);
  }
  process.stdout.write(opts.json ? `${JSON.stringify(clean, null, 2)}\n` : table(clean));
  return clean;
}

function table(rows: BenchRow[]): string {
  const head = ['scenario', 'metric', 'value', 'baseline', 'ratio', 'target', 'ok'];
  const cells = rows.map((r) => [
    r.scenario,
    r.metric,
    `${r.value} ${r.unit}`,
    r.baseline === null ? '—' : `${r.baseline} ${r.unit}`,
    r.ratio === null ? '—' : `${r.ratio}×`,
    r.target ?? '',
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => `${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ')}\n`;
  return line(head) + line(widths.map((w) => '-'.repeat(w))) + cells.map(line).join('');
}

/** The scenarios and their size knobs, for --list. */
export function listing(scenarios: Scenario[]): string {
  return scenarios
    .map((s) => {
      const knobs = Object.entries(s.sizes ?? {}).map(
        ([k, v]) => `    --${k} N   ${v.help} (default ${v.full}, --quick ${v.quick})`,
      );
      return [`  ${s.name}`, ...knobs].join('\n');
    })
    .join('\n');
}
