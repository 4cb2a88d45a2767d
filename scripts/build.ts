/**
 * `npm run build`: compiles src/ and cards/ with TypeScript 7 into dist/ and makes the output runnable by plain
 * `node dist/src/main.js`:
 * - the sources import without extensions (moduleResolution "bundler", which tsx and vitest resolve); Node's ESM
 *   loader needs them, so every relative specifier that names a compiled file gets its `.js` (or `/index.js`);
 * - the files found through `import.meta.url` at run time are copied beside the output at the same relative
 *   places: migrations/, org.example.yaml, the process files (processes/) and the simulator page's assets (src/platforms/local/web/);
 * - the Lark SDK's compacted copy is written beside the package's bundle (scripts/compact-lark-sdk.ts).
 * `npm start` passes `--if-stale`: a restart with nothing changed since the last build skips tsc.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compactLarkSdk } from './compact-lark-sdk';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist');
export const ASSETS = [
  'migrations',
  'org.example.yaml',
  'processes',
  'src/platforms/local/web',
  'src/http/admin/web',
] as const;
/** Everything the output is made from: `--if-stale` rebuilds when any of it is newer than the last build. */
const INPUTS = [
  'src',
  'cards',
  'scripts/backup.ts',
  'scripts/migrate.ts',
  'scripts/build.ts',
  'scripts/compact-lark-sdk.ts',
  ...ASSETS,
];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const STAMP = join(OUT, '.build-stamp');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** True when dist/ was built after the last change to any input (file added, edited or removed). */
export function upToDate(): boolean {
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return [...INPUTS, ...CONFIGS].every((p) => newestMtime(join(ROOT, p)) < built);
}

/** `from './x'`, `import('./x')`, `export … from '../y'`: the relative specifier of each static or dynamic import. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

export function withExtension(fromFile: string, spec: string): string {
  if (/\.(m?js|json|node)$/.test(spec)) return spec;
  const target = resolve(dirname(fromFile), spec);
  if (existsSync(`${target}.js`)) return `${spec}.js`;
  if (existsSync(join(target, 'index.js'))) return `${spec}/index.js`;
  throw new Error(`${fromFile}: cannot resolve import "${spec}" in the compiled output`);
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory())
      return p.endsWith(join('local', 'web')) || p.endsWith(join('admin', 'web')) ? [] : jsFiles(p);
    return p.endsWith('.js') ? [p] : [];
  });
}

/** The SDK's compacted copy saves memory but is optional: where node_modules is read-only the bundle is loaded. */
function compactSdkOrWarn(): void {
  try {
    compactLarkSdk();
  } catch (e) {
    process.stderr.write(
      `note: the Lark SDK's compacted copy could not be written (${e instanceof Error ? e.message : String(e)}); the bot loads the SDK's own bundle (about 10 MB more memory)\n`,
    );
  }
}

export function build(): void {
  rmSync(OUT, { recursive: true, force: true });
  const started = new Date();
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status ?? tsc.signal})`);
  for (const file of jsFiles(OUT)) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(SPECIFIER, (_m, lead: string, q: string, spec: string) => {
      return `${lead}${q}${withExtension(file, spec)}${q}`;
    });
    if (fixed !== text) writeFileSync(file, fixed);
  }
  for (const asset of ASSETS) cpSync(join(ROOT, asset), join(OUT, asset), { recursive: true });
  compactSdkOrWarn();
  // Stamped with the start time: an edit made while tsc ran makes the next `--if-stale` build again.
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  utimesSync(STAMP, started, started);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  if (process.argv.includes('--if-stale') && upToDate()) {
    // A reinstall (npm ci) removes the SDK's compacted copy without touching any input of dist/.
    compactSdkOrWarn();
    process.stdout.write('dist/ is up to date\n');
  } else {
    const t0 = performance.now();
    build();
    process.stdout.write(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}
