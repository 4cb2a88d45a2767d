import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROCESS_FILE,
  LEGACY_PROCESS_FILE,
  loadProcessFile,
  parseProcessFile,
} from '../../src/config/process-file';
import { canonicalJson, processHash } from '../../src/config/process-hash';

describe('processHash', () => {
  const text = readFileSync(DEFAULT_PROCESS_FILE, 'utf8');
  const hash = processHash(parseProcessFile(text, 'a.yaml'));

  it('is a sha256 hex digest, the same for the same file', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(processHash(loadProcessFile(DEFAULT_PROCESS_FILE))).toBe(hash);
  });

  it('ignores comments, formatting and key order', () => {
    const reformatted = text
      .replace(/^\s*#.*$/gm, '')
      .replace('registrar: sales\nno_self_approval: true', 'no_self_approval: true\nregistrar: sales');
    expect(reformatted).not.toBe(text);
    expect(processHash(parseProcessFile(reformatted, 'b.yaml'))).toBe(hash);
  });

  it('changes with any change of meaning', () => {
    const changed = text.replace('due_days: 30, filled_by: pickup_issue', 'due_days: 14, filled_by: pickup_issue');
    expect(processHash(parseProcessFile(changed, 'c.yaml'))).not.toBe(hash);
    expect(processHash(loadProcessFile(LEGACY_PROCESS_FILE))).not.toBe(hash);
  });

  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"y":2}]},"b":1}',
    );
  });
});
