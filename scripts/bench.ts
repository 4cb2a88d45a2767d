/**
 * `npm run bench [-- --json] [-- --only <name>]`: the benchmark suite. Each scenario (one file under scripts/bench/)
 * measures the product and a bare baseline in the same run and reports the ratio, so figures compare across
 * machines and commits; absolute times on a small, shared machine are not the point. Prints a table, or JSON.
 */
import { runSuite } from './bench/runner';
import { SCENARIOS } from './bench/scenarios';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
await runSuite(SCENARIOS, { json: args.includes('--json'), ...(only ? { only } : {}) });
process.exit(0);
