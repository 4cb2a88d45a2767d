/**
 * Sliding-window rate limits: at most `count` calls in any `windowMs`. Chosen over a token bucket because a bucket
 * lets a full burst through right after a full window (2× the limit inside one second), which a platform that
 * counts per sliding second answers with 429. Time comes from an injected monotonic clock (ms).
 */
export interface Rate {
  count: number;
  windowMs: number;
}

/** One limit or several that all hold (Feishu: 50/s and 1000/min per app); null = none. */
export type Limit = Rate | readonly Rate[] | null;

/** Parses `50/s`, `200/min`, `5/1s`: a count per second or per minute. `off` or `0` = unlimited (null). */
export function parseRate(spec: string): Rate | null {
  const s = spec.trim().toLowerCase();
  if (s === 'off' || s === '0' || s === 'unlimited') return null;
  const m = /^(\d+)\s*\/\s*(s|sec|second|min|minute)$/.exec(s);
  if (!m) throw new Error(`"${spec}" is not a rate: use e.g. 50/s or 200/min (or off)`);
  const count = Number(m[1]);
  if (!(count > 0)) throw new Error(`"${spec}": the count must be positive`);
  return { count, windowMs: m[2]?.startsWith('m') ? 60_000 : 1000 };
}

/**
 * Calls that may start at once after a pause, before the steady pace applies: a timer up to BURST paces late (a busy
 * moment of up to 400 ms at 50/s; 100–300 ms were seen on a loaded machine) is made up for instead of lost.
 */
const BURST = 20;

/**
 * At most `count` calls start in any window of `windowMs + marginMs` (the hard limit). Windows of up to a second are
 * also paced evenly, one call per `(windowMs + marginMs) / count` with a catch-up allowance of BURST calls (GCRA): a
 * full window never leaves as one burst, so platforms that count in finer steps see a steady rate, and a late timer
 * (a busy moment) is made up for. Longer windows (per minute) are a budget, spent as the per-second limit allows.
 */
export class SlidingWindow {
  /** Start times of the calls inside the window, oldest first. */
  private readonly starts: number[] = [];
  /** When the next call is due at the steady pace (GCRA's theoretical arrival time). */
  private due = Number.NEGATIVE_INFINITY;
  private readonly span: number;
  private readonly limit: number;
  private readonly interval: number;
  private readonly tolerance: number;
  constructor(
    rate: Rate,
    /** Added to the window: requests leave here and arrive there with jitter, so stay a little under the limit. */
    marginMs = 0,
  ) {
    this.span = rate.windowMs + marginMs;
    this.limit = Math.max(1, Math.floor(rate.count));
    this.interval = rate.windowMs <= 1000 ? this.span / rate.count : 0;
    this.tolerance = (Math.min(BURST, this.limit) - 1) * this.interval;
  }

  /** 0 when a call may start at `now`, else how many ms until one may. */
  waitMs(now: number): number {
    while (this.starts.length > 0 && (this.starts[0] as number) <= now - this.span) this.starts.shift();
    const pace = this.due - this.tolerance - now;
    const full =
      this.starts.length < this.limit ? 0 : (this.starts[this.starts.length - this.limit] as number) + this.span - now;
    const wait = Math.max(pace, full);
    return wait > 0 ? Math.max(1, wait) : 0;
  }

  take(now: number): void {
    this.insert(now);
    this.due = Math.max(this.due, now) + this.interval;
  }

  /**
   * Moves a call's start from `from` to the later `to` (it is known to have left or reached the platform later).
   * A start already out of the window counts again from `to`.
   */
  settle(from: number, to: number): void {
    const i = this.starts.indexOf(from);
    if (i >= 0) this.starts.splice(i, 1);
    this.insert(to);
  }

  /** True when nothing in the window any more: the limiter can be dropped. */
  idle(now: number): boolean {
    return this.waitMs(now) === 0 && this.starts.every((t) => t <= now - this.span);
  }

  private insert(t: number): void {
    let j = this.starts.length;
    while (j > 0 && (this.starts[j - 1] as number) > t) j--;
    this.starts.splice(j, 0, t);
  }
}

/** A platform's limits: app-wide, per person and per chat for sends, per message for updates. null = none. */
export interface PlatformLimits {
  app: Limit;
  user: Limit;
  chat: Limit;
  message: Limit;
}

export const UNLIMITED: PlatformLimits = { app: null, user: null, chat: null, message: null };

/**
 * Parses `app=50/s+1000/min,user=5/s,chat=5/s,message=5/s` over `defaults` (keys left out keep their default;
 * `+` joins limits that all hold). Throws an Error naming the bad part.
 */
export function parseLimits(spec: string | undefined, defaults: PlatformLimits): PlatformLimits {
  const out = { ...defaults };
  if (!spec?.trim()) return out;
  for (const part of spec.split(',')) {
    const [k, v, extra] = part.split('=').map((x) => x.trim());
    if (!k || v === undefined || extra !== undefined || !(k in out)) {
      throw new Error(`"${part.trim()}" is not one of app=…, user=…, chat=…, message=… (e.g. app=50/s)`);
    }
    const rates = v.split('+').map(parseRate);
    out[k as keyof PlatformLimits] =
      rates.length === 1 ? (rates[0] ?? null) : rates.filter((r): r is Rate => r !== null);
  }
  return out;
}

/** The windows of one Limit, all of which must let a call start. */
class Windows {
  private readonly all: SlidingWindow[];
  constructor(limit: Rate | readonly Rate[], marginMs: number) {
    this.all = (Array.isArray(limit) ? limit : [limit]).map((r) => new SlidingWindow(r, marginMs));
  }
  waitMs(now: number): number {
    let wait = 0;
    for (const w of this.all) wait = Math.max(wait, w.waitMs(now));
    return wait;
  }
  take(now: number): void {
    for (const w of this.all) w.take(now);
  }
  settle(from: number, to: number): void {
    for (const w of this.all) w.settle(from, to);
  }
  idle(now: number): boolean {
    return this.all.every((w) => w.idle(now));
  }
}

const isSet = (l: Limit): l is Rate | readonly Rate[] => l !== null && (!Array.isArray(l) || l.length > 0);

/** The app-wide windows plus windows per active conversation, created on demand and dropped when idle. */
export class PlatformLimiter {
  private readonly app: Windows | null;
  private readonly convs = new Map<string, Windows>();
  constructor(
    private readonly limits: PlatformLimits,
    private readonly marginMs: number,
  ) {
    this.app = isSet(limits.app) ? new Windows(limits.app, marginMs) : null;
  }

  /** ms until the app-wide limit lets one more call start. */
  appWaitMs(now: number): number {
    return this.app?.waitMs(now) ?? 0;
  }

  /** ms until this conversation may have one more call (updates are limited per message). */
  conversationWaitMs(conversation: string, now: number): number {
    return this.window(conversation)?.waitMs(now) ?? 0;
  }

  take(conversation: string, now: number): void {
    this.app?.take(now);
    this.window(conversation)?.take(now);
    if (this.convs.size > 10_000) {
      for (const [k, w] of this.convs) if (w.idle(now)) this.convs.delete(k);
    }
  }

  /** See SlidingWindow.settle: for both the app-wide windows and the conversation's. */
  settle(conversation: string, from: number, to: number): void {
    this.app?.settle(from, to);
    this.window(conversation)?.settle(from, to);
  }

  private window(conversation: string): Windows | null {
    const kind = conversation.slice(0, conversation.indexOf(':'));
    const limit = kind === 'msg' ? this.limits.message : kind === 'chat' ? this.limits.chat : this.limits.user;
    if (!isSet(limit)) return null;
    let w = this.convs.get(conversation);
    if (!w) {
      w = new Windows(limit, this.marginMs);
      this.convs.set(conversation, w);
    }
    return w;
  }
}
