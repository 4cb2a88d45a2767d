import { describe, expect, it } from 'vitest';
import { computeSign, MAX_CLOCK_SKEW_MS, verifySign } from '../../../src/platforms/dingtalk/verify';
import { VerificationError } from '../../../src/shared/errors';
import { signDingtalk } from '../../helpers/dingtalk-deliveries';

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
