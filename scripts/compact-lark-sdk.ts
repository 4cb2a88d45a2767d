/**
 * Writes the compacted copy of the Lark SDK bundle that src/platforms/feishu/sdk-file.ts loads (run by the build and
 * before the tests): esbuild's whitespace minification (the code itself, identifiers included, is unchanged), no
 * comments, non-ASCII characters as escapes. Written to a temporary name and renamed, so a bot starting meanwhile
 * never loads half a file. Skipped when the copy of the installed version exists.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { type LarkSdkFiles, larkSdkFiles } from '../src/platforms/feishu/sdk-file';

export function compactLarkSdk(files: LarkSdkFiles = larkSdkFiles()): { path: string; written: boolean } {
  if (existsSync(files.compact)) return { path: files.compact, written: false };
  const { code } = transformSync(readFileSync(files.original, 'utf8'), {
    loader: 'js',
    format: 'cjs',
    platform: 'node',
    minifyWhitespace: true,
    legalComments: 'none',
    charset: 'ascii',
    logLevel: 'error',
  });
  const tmp = `${files.compact}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, files.compact);
  return { path: files.compact, written: true };
}

if (process.argv[1]?.endsWith('compact-lark-sdk.ts')) {
  const { path, written } = compactLarkSdk();
  process.stdout.write(`${written ? 'wrote' : 'kept'} ${path}\n`);
}
