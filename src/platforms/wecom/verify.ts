/**
 * WeCom callback verification (加解密方案, dingtalk-wecom.md A1–A3). Pure functions; every failure on inbound data
 * is a `VerificationError` (the HTTP edge answers 401), never a raw crypto error.
 *
 * - Signature: `msg_signature = hex(sha1(sort([token, timestamp, nonce, encrypt]).join('')))`, compared in
 *   constant time. It covers the `Encrypt` value (POST) or the `echostr` (GET URL verification).
 * - Key: `AESKey = base64(EncodingAESKey + '=')`, 32 bytes; AES-256-CBC with IV = the first 16 bytes of the key.
 * - Padding: PKCS#7 to a multiple of 32 bytes (not 16), so a pad byte is 1..32. Checked strictly.
 * - Plaintext: random(16) + msg_len(4, big-endian) + msg + receiveId. For a self-built app receiveId = corp id,
 *   which the caller must compare itself (`checkReceiveId`).
 * - Freshness: the `timestamp` query parameter (seconds) more than 300 s from our clock is refused.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { VerificationError } from '../../shared/errors';
import { safeEqual, signatureMatches } from '../../shared/verify';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes a 43-character EncodingAESKey into the 32-byte AES key. Throws a plain Error: this is a config error. */
export function aesKeyFrom(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new Error('WeCom EncodingAESKey must be 43 characters [A-Za-z0-9]');
  }
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new Error('WeCom EncodingAESKey does not decode to 32 bytes');
  return key;
}

export function computeSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join(''), 'utf8').digest('hex');
}

export interface SignatureInput {
  token: string;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  /** The `Encrypt` value of a POST body, or the `echostr` of a GET. */
  encrypt: string;
}

/** Throws VerificationError unless `msg_signature` is present and matches. Constant-time comparison. */
export function verifySignature(input: SignatureInput): void {
  const { token, timestamp, nonce, signature, encrypt } = input;
  if (!timestamp || !nonce || !signature) throw new VerificationError('missing msg_signature/timestamp/nonce');
  const expected = computeSignature(token, timestamp, nonce, encrypt);
  if (!signatureMatches(signature, expected)) {
    throw new VerificationError('bad msg_signature');
  }
}

export interface Decrypted {
  message: string;
  receiveId: string;
}

/** Decrypts `Encrypt`/`echostr`. Throws VerificationError on anything that is not a well-formed ciphertext. */
export function decrypt(encryptB64: string, aesKey: Buffer): Decrypted {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encryptB64)) throw new VerificationError('ciphertext is not base64');
  const buf = Buffer.from(encryptB64, 'base64');
  if (buf.length < 32 || buf.length % 16 !== 0) throw new VerificationError('ciphertext has an invalid length');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(buf), decipher.final()]);
  } catch (e) {
    throw new VerificationError('cannot decrypt the ciphertext', { cause: e });
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32 || pad > plain.length) throw new VerificationError('bad padding');
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new VerificationError('bad padding');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw new VerificationError('plaintext too short');
  const msgLen = content.readUInt32BE(16);
  if (20 + msgLen > content.length) throw new VerificationError('bad message length');
  try {
    return {
      message: utf8Strict.decode(content.subarray(20, 20 + msgLen)),
      receiveId: utf8Strict.decode(content.subarray(20 + msgLen)),
    };
  } catch (e) {
    throw new VerificationError('plaintext is not UTF-8', { cause: e });
  }
}

/** The decrypted receiveId must be our corp id (self-built app). Constant-time. */
export function checkReceiveId(receiveId: string, corpId: string): void {
  if (!safeEqual(receiveId, corpId)) throw new VerificationError('receive id is not our corp id');
}
