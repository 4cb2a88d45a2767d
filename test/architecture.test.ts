import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
function imports(file: string): string[] {
  const src = readFileSync(join(root, file), 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
}
const resolved = (file: string, spec: string) =>
  spec.startsWith('.') ? relative(root, resolve(root, file, '..', spec)) : spec;

/** STYLE.md §2: dependency direction. Each rule: files under `from` may not import what `forbid` matches. */
const RULES: [string, RegExp, string][] = [
  ['src/domain', /^(?!src\/domain\/)/, 'the domain is pure: it imports only src/domain'],
  ['cards', /^(?!(cards\/|src\/domain\/|src\/shared\/time$))/, 'cards are pure builders over domain types'],
  ['src/commands', /^(?!(src\/commands\/|src\/domain\/|zod$))/, 'commands import only domain types and zod'],
  [
    'src/platforms',
    /^(src\/(app|store|domain|commands|http|jobs)\/|src\/bootstrap)/,
    'platforms never import the app, store or domain',
  ],
  [
    'src/app',
    /^(src\/(store|http|jobs|platforms\/(feishu|local|dingtalk|wecom))\/|drizzle|better-sqlite3|koa|@koa|node-cron|@larksuiteoapi)/,
    'the app layer talks to ports, not to storage or platforms',
  ],
  [
    'src/store',
    /^(src\/(http|jobs|platforms\/(feishu|local))\/|koa|@koa|@larksuiteoapi)/,
    'the store does not know transports',
  ],
];

describe('architecture', () => {
  it.each(RULES)('%s: %s', (from, forbid, why) => {
    const offenders = files(from).flatMap((f) =>
      imports(f)
        .map((spec) => resolved(f, spec))
        .filter((spec) => !spec.startsWith('node:') && forbid.test(spec))
        .map((spec) => `${f} → ${spec}`),
    );
    expect(offenders, why).toEqual([]);
  });

  it('the domain reads no clock and no randomness', () => {
    const offenders = files('src/domain').filter((f) =>
      /Date\.now\(|new Date\(\)|Math\.random\(/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('the domain imports no node built-ins', () => {
    const offenders = files('src/domain').flatMap((f) =>
      imports(f)
        .filter((s) => s.startsWith('node:'))
        .map((s) => `${f} → ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
