import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHeapSettings, NODE_FLAGS } from '../src/heap-settings';

const ROOT = resolve(import.meta.dirname, '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const FLAGS = NODE_FLAGS.join(' ');

describe('heap settings', () => {
  it('every way the bot is started carries the flags V8 reads only at start', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const starts: [string, string][] = [
      ['npm start', pkg.scripts.start ?? ''],
      ['docs/handoff.service', read('docs/handoff.service').match(/^ExecStart=.*$/m)?.[0] ?? ''],
      ['docs/Dockerfile', (read('docs/Dockerfile').match(/^CMD \[.*\]$/m)?.[0] ?? '').replace(/"|,|\[|\]/g, ' ')],
    ];
    for (const doc of ['README.md', 'docs/deploy.md'])
      for (const line of read(doc).match(
        /`[^`]*node [^`]*dist\/src\/main\.js[^`]*`|^node .*dist\/src\/main\.js.*$/gm,
      ) ?? [])
        if (!line.includes('bench')) starts.push([doc, line]);
    expect(starts.length).toBeGreaterThanOrEqual(6);
    for (const [where, command] of starts)
      expect(command.replace(/\s+/g, ' '), where).toMatch(new RegExp(`node ${FLAGS} dist/src/main\\.js`));
  });

  it('tells whether the process was started with them (command line or NODE_OPTIONS)', () => {
    expect(applyHeapSettings([...NODE_FLAGS], '')).toBe(true);
    expect(applyHeapSettings([], `--enable-source-maps ${FLAGS}`)).toBe(true);
    expect(applyHeapSettings(['--max-semi-space-size=16'], '')).toBe(false);
  });

  it('bounds the young generation and collects the old one sooner on this Node', () => {
    // A bot-like churn: short-lived objects, and a small share kept for a while then dropped.
    const churn = `
      const v8 = require('node:v8');
      if (process.argv[1] === 'apply') require(${JSON.stringify(join(ROOT, 'src/heap-settings.ts'))}).applyHeapSettings();
      const keep = []; let x;
      for (let r = 0; r < Number(process.argv[2]); r++) {
        for (let i = 0; i < 1e6; i++) { x = { a: i, b: [i, i + 1], c: 'x' + i }; if (i % 50 === 0) keep.push(x); }
        keep.splice(0, keep.length - 40000);
      }
      const s = Object.fromEntries(v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_size]));
      process.stdout.write(JSON.stringify({ young: s.new_space, old: s.old_space }));`;
    // tsx only where the TypeScript module is loaded; `rounds` of a million objects each.
    const run = (flags: readonly string[], mode: 'default' | 'apply', rounds: number) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [...(mode === 'apply' ? ['--import', 'tsx'] : []), ...flags, '-e', churn, mode, String(rounds)],
          { cwd: ROOT, encoding: 'utf8' },
        ),
      ) as { young: number; old: number };
    const defaults = run([], 'default', 12);
    // The growing factor, set at run time, is honoured: the old generation is collected sooner.
    const grown = run([], 'apply', 12);
    expect(grown.old).toBeLessThan(defaults.old * 0.8);
    // The command-line flag bounds the young generation (Node's default lets it reach 2 × 16 MB here).
    const flagged = run(NODE_FLAGS, 'default', 4);
    expect(flagged.young).toBeLessThanOrEqual(2 * 4 * 2 ** 20);
    expect(defaults.young).toBeGreaterThan(flagged.young);
  });
});
