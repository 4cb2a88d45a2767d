import { describe, expect, it } from 'vitest';
import { parseLimits, parseRate, SlidingWindow } from '../../src/app/delivery/limiter';
import { DEFAULT_RATE_LIMITS, loadConfig } from '../../src/config/env';

describe('rate limits', () => {
  it('parses rates and limit lists over the defaults, and names a bad part', () => {
    expect(parseRate('50/s')).toEqual({ count: 50, windowMs: 1000 });
    expect(parseRate('200/min')).toEqual({ count: 200, windowMs: 60_000 });
    expect(parseRate('off')).toBeNull();
    expect(() => parseRate('fast')).toThrow('"fast" is not a rate');
    const l = parseLimits('app=10/s, user=off', DEFAULT_RATE_LIMITS.feishu);
    expect(l).toEqual({ ...DEFAULT_RATE_LIMITS.feishu, app: { count: 10, windowMs: 1000 }, user: null });
    expect(() => parseLimits('apps=1/s', DEFAULT_RATE_LIMITS.feishu)).toThrow('"apps=1/s" is not one of');
    expect(() => loadConfig({ FEISHU_RATE_LIMITS: 'app=quick' })).toThrow('FEISHU_RATE_LIMITS');
    expect(loadConfig({ WECOM_RATE_LIMITS: 'chat=10/min' }).delivery?.limits.wecom?.chat).toEqual({
      count: 10,
      windowMs: 60_000,
    });
  });

  it('a window never lets more than `count` calls start within any window, spaced in small bursts', () => {
    const w = new SlidingWindow({ count: 10, windowMs: 1000 });
    const starts: number[] = [];
    for (let t = 0; t < 5000 && starts.length < 40; ) {
      const wait = w.waitMs(t);
      if (wait === 0) {
        w.take(t);
        starts.push(t);
      } else t += wait;
    }
    expect(starts).toHaveLength(40);
    for (let i = 10; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 10] as number)).toBeGreaterThanOrEqual(1000);
    }
    // At most 4 at once: the fifth waits for the spacing.
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 400]);
  });

  it('settling a call later holds the next ones back accordingly', () => {
    const w = new SlidingWindow({ count: 1, windowMs: 1000 });
    w.take(0);
    expect(w.waitMs(500)).toBe(500);
    w.settle(0, 300);
    expect(w.waitMs(500)).toBe(800);
  });
});
