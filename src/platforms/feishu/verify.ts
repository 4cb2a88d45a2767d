/**
 * Feishu request verification over the RAW body bytes. Pure functions; every failure is a `VerificationError`
 * (the HTTP edge answers 401), never a raw crypto error.
 *
 * - Decryption: key = sha256(encryptKey); the base64 payload is IV (16 bytes) + AES-256-CBC ciphertext, PKCS#7.
 * - Signature: hex(sha256(timestamp + nonce + encryptKey + rawBody)), headers `x-lark-request-timestamp`,
 *   `x-lark-request-nonce`, `x-lark-signature`. Plain SHA-256, not HMAC; over the bytes received, not a re-serialisation.
 * - Freshness: the timestamp header is in seconds; more than 300 s away from our clock is refused (replay window).
 * - Verification token: `header.token` (schema 2.0) or top-level `token` (url_verification, v1), constant-time.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { VerificationError } from '../../shared/errors';
import { safeEqual, signatureMatches } from '../../shared/verify';

export const SIGNATURE_HEADERS = {
  timestamp: 'x-lark-request-timestamp',
  nonce: 'x-lark-request-nonce',
  signature: 'x-lark-signature',
} as const;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Decrypts a Feishu `encrypt` field. Throws VerificationError on anything that is not a well-formed ciphertext. */
export function decrypt(encryptB64: string, encryptKey: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encryptB64)) throw new VerificationError('encrypt is not base64');
  const buf = Buffer.from(encryptB64, 'base64');
  // IV + at least one block, and whole blocks only.
  if (buf.length < 32 || buf.length % 16 !== 0) throw new VerificationError('encrypt has an invalid length');
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]);
    return utf8Strict.decode(plain);
  } catch (e) {
    throw new VerificationError('cannot decrypt the body', { cause: e });
  }
}

export function computeSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(timestamp + nonce + encryptKey, 'utf8'), rawBody]))
    .digest('hex');
}

export interface SignatureInput {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  encryptKey: string;
}

/** Throws VerificationError unless the signature headers are present and match the raw body. */
export function verifySignature(input: SignatureInput): void {
  const { timestamp, nonce, signature, rawBody, encryptKey } = input;
  if (!timestamp || !nonce || !signature) throw new VerificationError('missing signature headers');
  const expected = computeSignature(timestamp, nonce, encryptKey, rawBody);
  if (!signatureMatches(signature, expected)) {
    throw new VerificationError('bad signature');
  }
}

/** Reads the verification token of a plaintext envelope: `header.token` (schema 2.0), else top-level `token`. */
export function envelopeToken(envelope: unknown): string | undefined {
  if (typeof envelope !== 'object' || envelope === null) return undefined;
  const env = envelope as Record<string, unknown>;
  const header = env.header;
  if (typeof header === 'object' && header !== null && 'token' in header) {
    const t = (header as Record<string, unknown>).token;
    return typeof t === 'string' ? t : undefined;
  }
  return typeof env.token === 'string' ? env.token : undefined;
}

/** Constant-time comparison (hashes first, so lengths do not leak either). */

/** Throws VerificationError unless the envelope's verification token equals `expected`. HTTP only (see adapter). */
export function checkToken(envelope: unknown, expected: string): void {
  const token = envelopeToken(envelope);
  if (!token || !safeEqual(token, expected)) throw new VerificationError('bad verification token');
}
