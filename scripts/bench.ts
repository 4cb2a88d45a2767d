/**
 * `npm run bench [-- options]`: the benchmark suite. Each scenario (files under scripts/bench/, listed in
 * scenarios.ts) measures the product and a bare baseline in the same run and reports the ratio, so figures compare
 * across machines and commits; absolute times on a small, shared machine are not the point. Prints a table (or
 * with --json, JSON) on stdout and writes the JSON results to bench-results.json.
 *
 *   --only a,b      run the scenarios whose names contain a or b        --skip a,b   leave those out
 *   --quick         smaller sizes (the whole suite in a few minutes)    --list       scenarios and their sizes
 *   --<size> N      one size explicitly, e.g. --projects 20000          --json       JSON on stdout
 *   --out PATH      where the JSON goes (default bench-results.json; --out - for nowhere)
 */
import { parseArgs } from 'node:util';
import { listing, runSuite } from './bench/runner';
import { SCENARIOS } from './bench/scenarios';

const knobs = new Set(SCENARIOS.flatMap((s) => Object.keys(s.sizes ?? {})));
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: '' },
    skip: { type: 'string', default: '' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results.json' },
    ...Object.fromEntries([...knobs].map((k) => [k, { type: 'string' as const }])),
  },
});
if (values.list) {
  process.stdout.write(`scenarios (in order):\n${listing(SCENARIOS)}\n`);
  process.exit(0);
}
const sizes: Record<string, number> = {};
for (const k of knobs) {
  const v = (values as Record<string, unknown>)[k];
  if (typeof v !== 'string') continue;
  const n = Number(v);
  if (!(Number.isInteger(n) && n > 0)) {
    process.stderr.write(`--${k} must be a positive whole number, got "${v}"\n`);
    process.exit(2);
  }
  sizes[k] = n;
}
const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const rows = await runSuite(SCENARIOS, {
  only: list(values.only),
  skip: list(values.skip),
  quick: values.quick,
  sizes,
  json: values.json,
  out: values.out === '-' ? null : values.out,
});
process.exit(rows.some((r) => r.metric === 'failed') ? 1 : 0);
