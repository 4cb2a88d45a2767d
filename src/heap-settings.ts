/**
 * How the bot's V8 heap is sized (issue 9: RSS ≤ 150 MB after 10k decisions). Node's defaults suit a short burst of
 * work, not a bot that runs for months: a young generation of up to 2 × 16 MB, and an old generation left to grow to
 * about four times what survived the last full collection before it is collected again — ~250 MB resident after a
 * busy hour, almost all of it garbage. Two settings (with the page cache in store/db.ts and the compacted Lark SDK)
 * bring that to ~140 MB at no throughput cost this machine can measure; start-up takes ~70 ms longer (~0.9 s):
 * - `--max-semi-space-size=4` (young generation ≤ 2 × 4 MB). V8 reads it only when the process starts, so it is on
 *   the command line of every way the bot is run (npm start, docs/handoff.service, docs/Dockerfile, the README);
 *   test/heap-settings.test.ts keeps them in step with NODE_FLAGS.
 * - heap growing factor 1.3 (a full collection once the old generation grew by 30 %): read at every collection,
 *   so it is set here at start-up.
 */
import { setFlagsFromString } from 'node:v8';

/** The Node flags every start command carries, in this order. */
export const NODE_FLAGS = ['--max-semi-space-size=4'] as const;

const HEAP_GROWING_PERCENT = 30;

/** Applies the run-time heap setting; false when the process was started without NODE_FLAGS (it runs, bigger). */
export function applyHeapSettings(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): boolean {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  return NODE_FLAGS.every((f) => given.includes(f));
}
