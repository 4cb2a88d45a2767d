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

/**
 * HTTP card callbacks (互动卡片 "事件回调", HTTP 模式) are signed differently from robot messages: the URL is registered
 * with `POST /v1.0/card/callbacks/register {callbackRouteKey, callbackUrl, apiSecret}`, and every callback then
 * carries `x-ddpaas-signature-timestamp` and `x-ddpaas-signature` =
 * base64(HMAC-SHA256(key = apiSecret, data = the timestamp as sent)). Without an apiSecret DingTalk sends no
 * signature at all, so the bot refuses to run HTTP card callbacks without one.
 * The documentation gives the algorithm (Java `Long.toString(ts)`) but neither the unit nor a freshness window:
 * a 13-digit value is read as milliseconds, a 10-digit one as seconds, and both must be within 5 minutes of our
 * clock (the callback is sent at the click and answered within 2 s, so a wider window only helps replays).
 */
export const CARD_SIGNATURE_HEADERS = {
  timestamp: 'x-ddpaas-signature-timestamp',
  signature: 'x-ddpaas-signature',
} as const;

export const CARD_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export function computeCardSignature(timestamp: string, apiSecret: string): string {
  return createHmac('sha256', apiSecret).update(timestamp, 'utf8').digest('base64');
}

export interface CardSignatureInput {
  timestamp: string | undefined;
  signature: string | undefined;
  apiSecret: string;
  now: Date;
}

/** Throws VerificationError unless the card callback's timestamp is fresh and its signature matches. */
export function verifyCardSignature(input: CardSignatureInput): void {
  const { timestamp, signature, apiSecret, now } = input;
  if (!timestamp || !signature) throw new VerificationError('missing x-ddpaas-signature headers');
  if (!/^(\d{10}|\d{13})$/.test(timestamp)) throw new VerificationError('invalid signature timestamp');
  const ms = timestamp.length === 10 ? Number(timestamp) * 1000 : Number(timestamp);
  if (Math.abs(now.getTime() - ms) > CARD_MAX_CLOCK_SKEW_MS) throw new VerificationError('stale or future timestamp');
  const expected = Buffer.from(computeCardSignature(timestamp, apiSecret), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new VerificationError('bad card callback signature');
  }
}
