import { describe, expect, it } from 'vitest';
import {
  CARD_MAX_CLOCK_SKEW_MS,
  computeCardSignature,
  computeSign,
  MAX_CLOCK_SKEW_MS,
  verifyCardSignature,
  verifySign,
} from '../../../src/platforms/dingtalk/verify';
import { VerificationError } from '../../../src/shared/errors';
import { signCardCallback, signDingtalk } from '../../helpers/dingtalk-deliveries';

const SECRET = 'this is secret';
const TS = '1577262236757';
const NOW = new Date(Number(TS));

function check(over: Partial<Parameters<typeof verifySign>[0]>): void {
  verifySign({ timestamp: TS, sign: signDingtalk(TS, SECRET), appSecret: SECRET, now: NOW, ...over });
}

describe('DingTalk HTTP-mode signature', () => {
  it('matches the self-computed vector (no official one exists) and the independent helper', () => {
    expect(computeSign(TS, SECRET)).toBe('hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=');
    expect(signDingtalk(TS, SECRET)).toBe(computeSign(TS, SECRET));
  });

  it('accepts a valid sign, also URL-encoded', () => {
    expect(() => check({})).not.toThrow();
    expect(() => check({ sign: encodeURIComponent(signDingtalk(TS, SECRET)) })).not.toThrow();
  });

  it('accepts timestamps up to one hour away in either direction, and refuses beyond', () => {
    expect(() => check({ now: new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS) })).not.toThrow();
    expect(() => check({ now: new Date(NOW.getTime() - MAX_CLOCK_SKEW_MS) })).not.toThrow();
    expect(() => check({ now: new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS + 1) })).toThrow(/stale/);
    expect(() => check({ now: new Date(NOW.getTime() - MAX_CLOCK_SKEW_MS - 1) })).toThrow(/stale/);
  });

  it.each([
    ['a wrong secret', { sign: signDingtalk(TS, 'other secret') }, /bad signature/],
    ['a sign for another timestamp', { sign: signDingtalk('1577262236758', SECRET) }, /bad signature/],
    ['a truncated sign', { sign: signDingtalk(TS, SECRET).slice(0, 10) }, /bad signature/],
    ['no sign', { sign: undefined }, /missing/],
    ['no timestamp', { timestamp: undefined }, /missing/],
    ['a non-numeric timestamp', { timestamp: '15772622367a7' }, /invalid timestamp/],
    ['a timestamp in seconds (stale)', { timestamp: '1577262236' }, /stale/],
  ])('refuses %s with a VerificationError', (_name, over, msg) => {
    expect(() => check(over)).toThrow(VerificationError);
    expect(() => check(over)).toThrow(msg);
  });
});

describe('DingTalk HTTP card callback signature (x-ddpaas-signature)', () => {
  const API_SECRET = 'example-secret';
  const CARD_TS = '1700000000000';
  const at = new Date(Number(CARD_TS));
  const card = (over: Partial<Parameters<typeof verifyCardSignature>[0]>) =>
    verifyCardSignature({
      timestamp: CARD_TS,
      signature: signCardCallback(CARD_TS, API_SECRET),
      apiSecret: API_SECRET,
      now: at,
      ...over,
    });

  it('is base64(HMAC-SHA256(apiSecret, timestamp)) (vector computed with Python hmac)', () => {
    expect(computeCardSignature(CARD_TS, API_SECRET)).toBe('I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg=');
    expect(() => card({})).not.toThrow();
  });

  it('reads 10 digits as seconds and 13 as milliseconds; 5 minutes either way', () => {
    const sec = '1700000000';
    expect(() => card({ timestamp: sec, signature: signCardCallback(sec, API_SECRET) })).not.toThrow();
    expect(() => card({ now: new Date(at.getTime() + CARD_MAX_CLOCK_SKEW_MS) })).not.toThrow();
    expect(() => card({ now: new Date(at.getTime() - CARD_MAX_CLOCK_SKEW_MS - 1) })).toThrow(/stale/);
  });

  it.each([
    ['no headers', { timestamp: undefined, signature: undefined }, /missing/],
    ['a robot-style sign', { signature: signDingtalk(CARD_TS, API_SECRET) }, /bad card callback signature/],
    ['another secret', { signature: signCardCallback(CARD_TS, 'other') }, /bad card callback signature/],
    ['a timestamp of 12 digits', { timestamp: '170000000000' }, /invalid/],
  ])('refuses %s', (_name, over, msg) => {
    expect(() => card(over)).toThrow(VerificationError);
    expect(() => card(over)).toThrow(msg);
  });
});
