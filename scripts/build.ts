/**
 * `npm run build`: compiles src/ and cards/ with TypeScript 7 into dist/ and makes the output runnable by plain
 * `node dist/src/main.js`:
 * - the sources import without extensions (moduleResolution "bundler", which tsx and vitest resolve); Node's ESM
 *   loader needs them, so every relative specifier that names a compiled file gets its `.js` (or `/index.js`);
 * - the files found through `import.meta.url` at run time are copied beside the output at the same relative
 *   places: migrations/, org.example.yaml and the simulator page's assets (src/platforms/local/web/).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist');
export const ASSETS = ['migrations', 'org.example.yaml', 'src/platforms/local/web'] as const;

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
    if (statSync(p).isDirectory()) return p.endsWith(join('local', 'web')) ? [] : jsFiles(p);
    return p.endsWith('.js') ? [p] : [];
  });
}

export function build(): void {
  rmSync(OUT, { recursive: true, force: true });
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
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const t0 = performance.now();
  build();
  process.stdout.write(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
