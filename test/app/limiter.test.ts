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
    // Feishu's default holds 50/s and 1000/min together; `+` joins limits that all hold.
    expect(DEFAULT_RATE_LIMITS.feishu.app).toEqual([
      { count: 50, windowMs: 1000 },
      { count: 1000, windowMs: 60_000 },
    ]);
    expect(parseLimits('app=10/s+100/min', DEFAULT_RATE_LIMITS.feishu).app).toEqual([
      { count: 10, windowMs: 1000 },
      { count: 100, windowMs: 60_000 },
    ]);
    expect(() => parseLimits('app=10/s+fast', DEFAULT_RATE_LIMITS.feishu)).toThrow('"fast" is not a rate');
    expect(loadConfig({ WECOM_RATE_LIMITS: 'chat=10/min' }).delivery?.limits.wecom?.chat).toEqual({
      count: 10,
      windowMs: 60_000,
    });
  });

  it('a window never lets more than `count` calls start within any window, evenly paced after a small burst', () => {
    const w = new SlidingWindow({ count: 40, windowMs: 1000 });
    const starts: number[] = [];
    for (let t = 0; t < 5000 && starts.length < 100; ) {
      const wait = w.waitMs(t);
      if (wait === 0) {
        w.take(t);
        starts.push(t);
      } else t += wait;
    }
    expect(starts).toHaveLength(100);
    for (let i = 40; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 40] as number)).toBeGreaterThanOrEqual(1000);
    }
    // At most 20 at once, then one every windowMs / count (the old limiter let 4 go at once every 4 intervals).
    expect(starts.slice(0, 23)).toEqual([...Array.from({ length: 20 }, () => 0), 25, 50, 75]);
    for (let i = 20; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 20] as number)).toBeGreaterThanOrEqual(25);
    }
  });

  it('a late caller catches up by at most the burst, then keeps the pace', () => {
    const w = new SlidingWindow({ count: 50, windowMs: 1000 });
    for (let i = 0; i < 20; i++) w.take(0);
    // Asked again only at 900 (late timers): the hard window lets 30 more start, the pace 20 of them at once.
    let n = 0;
    while (w.waitMs(900) === 0) {
      w.take(900);
      n++;
    }
    expect(n).toBe(20);
    expect(w.waitMs(900)).toBe(20);
  });

  it('a per-minute window is a budget, not a pace: spent as fast as the per-second window allows', () => {
    const minute = new SlidingWindow({ count: 1000, windowMs: 60_000 });
    for (let i = 0; i < 999; i++) {
      expect(minute.waitMs(i)).toBe(0);
      minute.take(i);
    }
    minute.take(999);
    expect(minute.waitMs(1000)).toBe(59_000);
  });

  it('settling a call later holds the next ones back accordingly', () => {
    const w = new SlidingWindow({ count: 1, windowMs: 1000 });
    w.take(0);
    expect(w.waitMs(500)).toBe(500);
    w.settle(0, 300);
    expect(w.waitMs(500)).toBe(800);
  });
});
