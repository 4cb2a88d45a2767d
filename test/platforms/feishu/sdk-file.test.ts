import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactLarkSdk } from '../../../scripts/compact-lark-sdk';
import { larkSdk } from '../../../src/platforms/feishu/client';
import { larkSdkEntry, larkSdkFiles } from '../../../src/platforms/feishu/sdk-file';

const require = createRequire(import.meta.url);

/** Own and prototype method names of every exported class, and the names of every other export. */
function shape(mod: Record<string, unknown>): string[] {
  return Object.entries(mod).flatMap(([k, v]) =>
    typeof v === 'function' && v.prototype
      ? [k, ...Object.getOwnPropertyNames(v.prototype).map((m) => `${k}#${m}`)]
      : [`${k}:${typeof v}`],
  );
}

describe('the Lark SDK as the bot loads it', () => {
  const files = larkSdkFiles();

  it('is the compacted copy of the installed version (made before the tests, as by the build)', () => {
    expect(larkSdkEntry(files)).toBe(files.compact);
    expect(files.compact).toContain(files.version);
    const text = readFileSync(files.compact, 'utf8');
    // One byte per character in V8 (no character outside ASCII), a third of the original's size.
    expect(Buffer.byteLength(text, 'utf8')).toBe(text.length);
    expect(statSync(files.compact).size).toBeLessThan(statSync(files.original).size / 2);
  });

  it('exports what the original exports, with the same methods, and builds a working client', () => {
    const original = require(files.original) as Record<string, unknown>;
    const loaded = larkSdk() as unknown as Record<string, unknown>;
    expect(loaded).not.toBe(original);
    expect(shape(loaded)).toEqual(shape(original));
    expect(shape(loaded).length).toBeGreaterThan(50);
    const client = new (larkSdk().Client)({ appId: 'cli_x', appSecret: 's', disableTokenCache: true });
    expect(typeof client.im.v1.message.create).toBe('function');
    expect(typeof client.im.v1.message.patch).toBe('function');
  });

  it('is made once per version, atomically, and the package bundle is used while there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lark-sdk-'));
    try {
      const fake = {
        version: '0.0.0-test',
        original: join(dir, 'index.js'),
        compact: join(dir, 'index.handoff-compact-0.0.0-test.js'),
      };
      writeFileSync(fake.original, '// 注释\nexports.greet = function greet() { return "你好"; };\n');
      expect(larkSdkEntry(fake)).toBe(fake.original);
      expect(compactLarkSdk(fake)).toEqual({ path: fake.compact, written: true });
      expect(compactLarkSdk(fake)).toEqual({ path: fake.compact, written: false });
      expect(larkSdkEntry(fake)).toBe(fake.compact);
      const text = readFileSync(fake.compact, 'utf8');
      expect(text).not.toContain('注释');
      expect((require(fake.compact) as { greet: () => string }).greet()).toBe('你好');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
