import { describe, expect, it } from 'vitest';
import {
  aesKeyFrom,
  checkReceiveId,
  computeSignature,
  decrypt,
  verifySignature,
} from '../../../src/platforms/wecom/verify';
import { VerificationError } from '../../../src/shared/errors';
import { checkFreshness } from '../../../src/shared/verify';
import { WECOM_KAT, wecomEncrypt, wecomSignature } from '../../helpers/wecom-deliveries';

const KAT = WECOM_KAT;

const key = aesKeyFrom(KAT.aesKey);

describe('WeCom crypto: official known-answer vectors', () => {
  it('derives the AES key from the EncodingAESKey', () => {
    expect(key.toString('hex')).toBe(KAT.aesKeyHex);
  });

  it('computes the URL-verification signature and decrypts the echostr', () => {
    const v = KAT.verify;
    expect(computeSignature(KAT.token, v.timestamp, v.nonce, v.echostr)).toBe(v.signature);
    expect(decrypt(v.echostr, key)).toEqual({ message: v.plain, receiveId: KAT.corpId });
  });

  it('computes the message signature and decrypts the message', () => {
    const m = KAT.message;
    expect(computeSignature(KAT.token, m.timestamp, m.nonce, m.encrypt)).toBe(m.signature);
    expect(decrypt(m.encrypt, key)).toEqual({ message: m.plain, receiveId: KAT.corpId });
  });

  it('the test helpers reproduce the official ciphertext and signature byte for byte', () => {
    const m = KAT.message;
    const random = Buffer.from(m.randomHex, 'hex');
    expect(wecomEncrypt(KAT.aesKey, m.plain, KAT.corpId, random)).toBe(m.encrypt);
    expect(wecomSignature(KAT.token, m.timestamp, m.nonce, m.encrypt)).toBe(m.signature);
  });
});

describe('verifySignature', () => {
  const m = KAT.message;
  const input = {
    token: KAT.token,
    timestamp: m.timestamp,
    nonce: m.nonce,
    signature: m.signature,
    encrypt: m.encrypt,
  };

  it('accepts the right signature, in either case', () => {
    expect(() => verifySignature(input)).not.toThrow();
    expect(() => verifySignature({ ...input, signature: m.signature.toUpperCase() })).not.toThrow();
  });

  it.each([
    ['a changed signature', { signature: `${m.signature.slice(0, -1)}0` }],
    ['a truncated signature', { signature: m.signature.slice(0, 20) }],
    ['another token', { token: 'other' }],
    ['another nonce', { nonce: '1' }],
    ['a changed ciphertext', { encrypt: `A${m.encrypt.slice(1)}` }],
    ['no signature', { signature: undefined }],
    ['no timestamp', { timestamp: undefined }],
  ])('refuses %s', (_name, change) => {
    expect(() => verifySignature({ ...input, ...change })).toThrow(VerificationError);
  });
});

describe('decrypt', () => {
  it.each([
    ['not base64', 'not base64!'],
    ['too short', Buffer.alloc(16).toString('base64')],
    ['not whole blocks', Buffer.alloc(40).toString('base64')],
  ])('refuses a ciphertext that is %s', (_name, c) => {
    expect(() => decrypt(c, key)).toThrow(VerificationError);
  });

  it('refuses a ciphertext made with another key (bad padding or length)', () => {
    const other = wecomEncrypt('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', 'hello', KAT.corpId);
    let error: unknown = null;
    try {
      const out = decrypt(other, key);
      checkReceiveId(out.receiveId, KAT.corpId);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerificationError);
  });

  it('handles padding of a full 32-byte block and multi-byte text', () => {
    // 16 + 4 + msg + id = 64 bytes → a whole extra block of padding (pad byte 32).
    const id = 'corp';
    const msg = 'x'.repeat(64 - 16 - 4 - id.length);
    expect(decrypt(wecomEncrypt(KAT.aesKey, msg, id), key)).toEqual({ message: msg, receiveId: id });
    expect(decrypt(wecomEncrypt(KAT.aesKey, '驳回：原因', id), key).message).toBe('驳回：原因');
  });
});

describe('checkReceiveId / checkFreshness / aesKeyFrom', () => {
  it('compares the receive id with the corp id', () => {
    expect(() => checkReceiveId(KAT.corpId, KAT.corpId)).not.toThrow();
    expect(() => checkReceiveId('wwother', KAT.corpId)).toThrow(VerificationError);
  });

  it('refuses timestamps more than 5 minutes away, and garbage', () => {
    const now = new Date(1_700_000_000_000);
    expect(() => checkFreshness('1700000290', now)).not.toThrow();
    expect(() => checkFreshness('1699999710', now)).not.toThrow();
    expect(() => checkFreshness('1700000301', now)).toThrow(VerificationError);
    expect(() => checkFreshness('1699999699', now)).toThrow(VerificationError);
    expect(() => checkFreshness('17e8', now)).toThrow(VerificationError);
    expect(() => checkFreshness(undefined, now)).toThrow(VerificationError);
  });

  it('rejects a malformed EncodingAESKey at construction time', () => {
    expect(() => aesKeyFrom('short')).toThrow(/43 characters/);
  });
});
