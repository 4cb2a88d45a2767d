/**
 * DingTalk HTTP-mode callback verification (robot "receive message" doc, dingtalk-wecom.md B4). Pure functions;
 * every failure is a `VerificationError` (the HTTP edge answers 401).
 *
 * - Headers `timestamp` (ms since epoch, decimal) and `sign`.
 * - sign = base64(HMAC-SHA256(key = appSecret, data = timestamp + "\n" + appSecret)); compared in constant time.
 * - The timestamp must be within 1 hour of our clock (either direction).
 * Note: the signature covers the timestamp only, not the body; HTTPS is what protects the body.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { VerificationError } from '../../shared/errors';

export const MAX_CLOCK_SKEW_MS = 60 * 60 * 1000;

export const SIGNATURE_HEADERS = { timestamp: 'timestamp', sign: 'sign' } as const;

export function computeSign(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`, 'utf8').digest('base64');
}

export interface SignInput {
  timestamp: string | undefined;
  sign: string | undefined;
  appSecret: string;
  now: Date;
  maxSkewMs?: number;
}

/** Throws VerificationError unless `timestamp` is fresh and `sign` matches it. */
export function verifySign(input: SignInput): void {
  const { timestamp, sign, appSecret, now } = input;
  if (!timestamp || !sign) throw new VerificationError('missing timestamp/sign headers');
  if (!/^\d{1,15}$/.test(timestamp)) throw new VerificationError('invalid timestamp');
  const skew = Math.abs(now.getTime() - Number(timestamp));
  if (skew > (input.maxSkewMs ?? MAX_CLOCK_SKEW_MS)) throw new VerificationError('stale or future timestamp');
  const expected = Buffer.from(computeSign(timestamp, appSecret), 'utf8');
  // Accept a URL-encoded sign too (the custom-robot variant of the same algorithm travels URL-encoded).
  const raw = sign.trim();
  const given = Buffer.from(raw.includes('%') ? safeDecode(raw) : raw, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new VerificationError('bad signature');
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
