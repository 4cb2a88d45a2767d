/** The benchmark runner: scenarios return rows (product vs bare baseline); printed as a table and/or JSON. */
export interface BenchRow {
  scenario: string;
  metric: string;
  unit: string;
  value: number;
  /** The bare baseline measured in the same run (null when the metric has no baseline, e.g. a count). */
  baseline: number | null;
  /** value / baseline, or baseline / value for metrics where lower is better (set by the scenario). */
  ratio: number | null;
  /** The target as text (e.g. ">= 45", "<= 1000") and whether it is met. */
  target?: string;
  ok?: boolean;
}

export interface Scenario {
  name: string;
  run(): Promise<BenchRow[]>;
}

const round = (n: number | null) => (n === null ? null : Math.abs(n) >= 100 ? Math.round(n) : +n.toFixed(2));

export async function runSuite(scenarios: Scenario[], opts: { json: boolean; only?: string }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const s of scenarios) {
    if (opts.only && !s.name.includes(opts.only)) continue;
    process.stderr.write(`bench: ${s.name}…\n`);
    const t0 = performance.now();
    const out = await s.run();
    process.stderr.write(`bench: ${s.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    rows.push(...out);
  }
  const clean = rows.map((r) => ({
    ...r,
    value: round(r.value) ?? 0,
    baseline: round(r.baseline),
    ratio: round(r.ratio),
  }));
  if (opts.json) process.stdout.write(`${JSON.stringify(clean, null, 2)}\n`);
  else process.stdout.write(table(clean));
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
