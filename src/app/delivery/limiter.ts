/**
 * Sliding-window rate limits: at most `count` calls in any `windowMs`. Chosen over a token bucket because a bucket
 * lets a full burst through right after a full window (2× the limit inside one second), which a platform that
 * counts per sliding second answers with 429. Time comes from an injected monotonic clock (ms).
 */
export interface Rate {
  count: number;
  windowMs: number;
}

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

const BURST = 4;

export class SlidingWindow {
  /** Start times of the calls inside the window, oldest first. */
  private readonly starts: number[] = [];
  constructor(
    private readonly rate: Rate,
    /** Added to the window: requests leave here and arrive there with jitter, so stay a little under the limit. */
    private readonly marginMs = 0,
  ) {}

  /** 0 when a call may start at `now`, else how many ms until one may. */
  waitMs(now: number): number {
    const span = this.rate.windowMs + this.marginMs;
    while (this.starts.length > 0 && (this.starts[0] as number) <= now - span) this.starts.shift();
    // Evenly spaced, in bursts of at most BURST (to catch up after a late timer): arrival jitter then never packs
    // more than `count` calls into the platform's window.
    const burst = Math.min(BURST, Math.floor(this.rate.count));
    const ref = this.starts[this.starts.length - burst];
    const gap = ref === undefined ? 0 : ref + (burst * span) / this.rate.count - now;
    if (this.starts.length < Math.floor(this.rate.count)) return gap > 0 ? Math.max(1, gap) : 0;
    const oldest = this.starts[this.starts.length - Math.floor(this.rate.count)] as number;
    return Math.max(1, oldest + span - now, gap);
  }

  take(now: number): void {
    this.starts.push(now);
  }

  /** Moves a call's start from `from` to the later `to` (it is known to have reached the platform later). */
  settle(from: number, to: number): void {
    const i = this.starts.indexOf(from);
    if (i < 0) return;
    this.starts.splice(i, 1);
    let j = this.starts.length;
    while (j > 0 && (this.starts[j - 1] as number) > to) j--;
    this.starts.splice(j, 0, to);
  }

  /** True when nothing in the window any more: the limiter can be dropped. */
  idle(now: number): boolean {
    return this.waitMs(now) === 0 && this.starts.every((t) => t <= now - this.rate.windowMs - this.marginMs);
  }
}

/** A platform's limits: app-wide, per person and per chat for sends, per message for updates. null = none. */
export interface PlatformLimits {
  app: Rate | null;
  user: Rate | null;
  chat: Rate | null;
  message: Rate | null;
}

export const UNLIMITED: PlatformLimits = { app: null, user: null, chat: null, message: null };

/**
 * Parses `app=50/s,user=5/s,chat=5/s,message=5/s` over `defaults` (keys left out keep their default).
 * Throws an Error naming the bad part.
 */
export function parseLimits(spec: string | undefined, defaults: PlatformLimits): PlatformLimits {
  const out = { ...defaults };
  if (!spec?.trim()) return out;
  for (const part of spec.split(',')) {
    const [k, v, extra] = part.split('=').map((x) => x.trim());
    if (!k || v === undefined || extra !== undefined || !(k in out)) {
      throw new Error(`"${part.trim()}" is not one of app=…, user=…, chat=…, message=… (e.g. app=50/s)`);
    }
    out[k as keyof PlatformLimits] = parseRate(v);
  }
  return out;
}

/** The app-wide window plus one window per active conversation, created on demand and dropped when idle. */
export class PlatformLimiter {
  private readonly app: SlidingWindow | null;
  private readonly convs = new Map<string, SlidingWindow>();
  constructor(
    private readonly limits: PlatformLimits,
    private readonly marginMs: number,
  ) {
    this.app = limits.app ? new SlidingWindow(limits.app, marginMs) : null;
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

  /** See SlidingWindow.settle: for both the app-wide window and the conversation's. */
  settle(conversation: string, from: number, to: number): void {
    this.app?.settle(from, to);
    this.window(conversation)?.settle(from, to);
  }

  private window(conversation: string): SlidingWindow | null {
    const kind = conversation.slice(0, conversation.indexOf(':'));
    const rate = kind === 'msg' ? this.limits.message : kind === 'chat' ? this.limits.chat : this.limits.user;
    if (!rate) return null;
    let w = this.convs.get(conversation);
    if (!w) {
      w = new SlidingWindow(rate, this.marginMs);
      this.convs.set(conversation, w);
    }
    return w;
  }
}
