import { createHash, timingSafeEqual } from 'node:crypto';
import { VerificationError } from './errors';

/** Webhook deliveries whose timestamp is further than this from our clock are refused (replay window). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * Constant-time string comparison. Both sides are hashed first, so neither the content nor the length of the
 * secret leaks through timing; the length check after the compare rules out hash-equal inputs of other lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Refuses a request timestamp (seconds, decimal string) more than `maxSkewSeconds` away from `now`. */
export function checkFreshness(
  timestamp: string | undefined,
  now: Date,
  maxSkewSeconds: number = MAX_CLOCK_SKEW_SECONDS,
): void {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new VerificationError('missing or invalid timestamp');
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > maxSkewSeconds) throw new VerificationError('stale or future timestamp');
}

/** A hex/base64 signature as sent (trimmed, case-insensitive for hex) against the expected one, in constant time. */
export function signatureMatches(given: string, expected: string): boolean {
  return safeEqual(given.trim().toLowerCase(), expected.toLowerCase());
}
