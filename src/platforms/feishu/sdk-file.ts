/**
 * Where the Lark SDK is loaded from. The package ships one 6 MB CommonJS bundle whose comments hold Chinese text, so
 * V8 keeps its source (needed for lazy compilation) as a two-byte string: 12.5 MB of heap for as long as the bot
 * runs. The build writes a compacted copy beside it (scripts/compact-lark-sdk.ts: the same code with comments and
 * whitespace removed and non-ASCII characters escaped, ~2 MB of one-byte text), named for the installed version, in
 * the package's own directory so that its `require`s and `__dirname` resolve exactly as the original's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export interface LarkSdkFiles {
  version: string;
  /** The package's bundle (`main`). */
  original: string;
  /** The compacted copy of this version (may not exist). */
  compact: string;
}

export function larkSdkFiles(): LarkSdkFiles {
  const manifest = require.resolve('@larksuiteoapi/node-sdk/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; main?: string };
  const dir = dirname(manifest);
  return {
    version: pkg.version,
    original: join(dir, pkg.main ?? 'lib/index.js'),
    compact: join(dir, 'lib', `index.handoff-compact-${pkg.version}.js`),
  };
}

/** The file to load: the compacted copy when the build has written it, else the package's own bundle. */
export function larkSdkEntry(files: LarkSdkFiles = larkSdkFiles()): string {
  return existsSync(files.compact) ? files.compact : files.original;
}
