import { describe, expect, it } from 'vitest';
import { checkToken, computeSignature, decrypt, verifySignature } from '../../../src/platforms/feishu/verify';
import { VerificationError } from '../../../src/shared/errors';
import { checkFreshness, safeEqual } from '../../../src/shared/verify';
import { encryptFeishu, signFeishu } from '../../helpers/feishu-deliveries';

const KEY = 'test key';
const VECTOR = 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=';

function signed(body: string, ts = '1700000000', nonce = 'n0nce') {
  return {
    timestamp: ts,
    nonce,
    signature: signFeishu(ts, nonce, KEY, body),
    rawBody: Buffer.from(body),
    encryptKey: KEY,
  };
}

describe('decrypt', () => {
  it('decrypts the documented known-answer vector', () => {
    expect(decrypt(VECTOR, 'test key')).toBe('hello world');
  });

  it('round-trips what the test helper encrypts (random IV)', () => {
    const plain = JSON.stringify({ hello: '世界', n: 1 });
    expect(decrypt(encryptFeishu(plain, 'k2'), 'k2')).toBe(plain);
  });

  it.each([
    ['the docs-style "123123" placeholder', '123123'],
    ['a vector with its tail replaced by 123123', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pRe123123'],
    ['a vector with its last block corrupted', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1p123123k='],
    ['not base64 at all', '%%%not-base64%%%'],
    ['an empty string', ''],
  ])('throws VerificationError (not a crypto error) for %s', (_name, cipher) => {
    expect(() => decrypt(cipher, KEY)).toThrow(VerificationError);
  });

  it('throws VerificationError with the wrong key', () => {
    expect(() => decrypt(VECTOR, 'other key')).toThrow(VerificationError);
  });
});

describe('verifySignature', () => {
  const body = JSON.stringify({ encrypt: VECTOR });

  it('accepts sha256(timestamp + nonce + key + raw body) in hex', () => {
    expect(() => verifySignature(signed(body))).not.toThrow();
    expect(computeSignature('1', '2', KEY, Buffer.from('x'))).toBe(signFeishu('1', '2', KEY, 'x'));
  });

  it('checks the raw bytes: a re-serialised (pretty-printed) body fails', () => {
    const input = signed(body);
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect(() => verifySignature({ ...input, rawBody: Buffer.from(pretty) })).toThrow(VerificationError);
  });

  it('rejects a tampered body', () => {
    const input = signed(body);
    expect(() => verifySignature({ ...input, rawBody: Buffer.from(body.replace('P37', 'Q37')) })).toThrow(
      VerificationError,
    );
  });

  it('rejects a wrong signature, a truncated one, and one computed with another key', () => {
    const input = signed(body);
    expect(() => verifySignature({ ...input, signature: 'a'.repeat(64) })).toThrow(VerificationError);
    expect(() => verifySignature({ ...input, signature: input.signature.slice(0, 10) })).toThrow(VerificationError);
    const other = signFeishu(input.timestamp, input.nonce, 'other key', body);
    expect(() => verifySignature({ ...input, signature: other })).toThrow(VerificationError);
  });

  it('rejects a changed timestamp or nonce', () => {
    const input = signed(body);
    expect(() => verifySignature({ ...input, timestamp: '1700000001' })).toThrow(VerificationError);
    expect(() => verifySignature({ ...input, nonce: 'other' })).toThrow(VerificationError);
  });

  it.each(['timestamp', 'nonce', 'signature'] as const)('rejects a missing %s header', (field) => {
    expect(() => verifySignature({ ...signed(body), [field]: undefined })).toThrow(VerificationError);
  });
});

describe('checkFreshness', () => {
  const now = new Date('2024-05-01T00:00:00Z');
  const nowSec = now.getTime() / 1000;

  it('accepts timestamps within 300 s either way', () => {
    expect(() => checkFreshness(String(nowSec), now)).not.toThrow();
    expect(() => checkFreshness(String(nowSec - 300), now)).not.toThrow();
    expect(() => checkFreshness(String(nowSec + 300), now)).not.toThrow();
  });

  it('rejects stale and future timestamps', () => {
    expect(() => checkFreshness(String(nowSec - 301), now)).toThrow(VerificationError);
    expect(() => checkFreshness(String(nowSec + 301), now)).toThrow(VerificationError);
  });

  it('rejects missing, non-numeric and millisecond timestamps', () => {
    expect(() => checkFreshness(undefined, now)).toThrow(VerificationError);
    expect(() => checkFreshness('yesterday', now)).toThrow(VerificationError);
    expect(() => checkFreshness(String(now.getTime()), now)).toThrow(VerificationError);
  });
});

describe('checkToken', () => {
  it('reads header.token on schema 2.0 events', () => {
    expect(() => checkToken({ schema: '2.0', header: { token: 'vt' } }, 'vt')).not.toThrow();
    expect(() => checkToken({ schema: '2.0', header: { token: 'wrong' } }, 'vt')).toThrow(VerificationError);
  });

  it('reads the top-level token on url_verification', () => {
    expect(() => checkToken({ type: 'url_verification', token: 'vt', challenge: 'c' }, 'vt')).not.toThrow();
    expect(() => checkToken({ type: 'url_verification', token: 'vx', challenge: 'c' }, 'vt')).toThrow(
      VerificationError,
    );
  });

  it('rejects an empty or missing token, and the callback token of a card action', () => {
    expect(() => checkToken({ schema: '2.0', header: { token: '' } }, 'vt')).toThrow(VerificationError);
    expect(() => checkToken({ schema: '2.0', header: {} }, 'vt')).toThrow(VerificationError);
    expect(() => checkToken({ schema: '2.0', header: { token: '' }, event: { token: 'vt' } }, 'vt')).toThrow(
      VerificationError,
    );
    expect(() => checkToken(null, 'vt')).toThrow(VerificationError);
  });

  it('compares in constant time without confusing prefixes', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
