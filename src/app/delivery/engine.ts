import { PLATFORMS, type Platform, type PlatformAdapter } from '../../platforms/types';
import type { AppDeps } from '../deps';
import { deliverRow } from '../dispatch-outbox';
import type { OutboxRow } from '../ports';
import { PlatformLimiter, type PlatformLimits, UNLIMITED } from './limiter';

export interface EngineOptions {
  /** Rate limits per platform; a platform without an entry is unlimited. */
  limits: ReadonlyMap<Platform, PlatformLimits>;
  /** Calls in flight per platform (enough to fill the app-wide limit at the platform's latency). */
  concurrency?: number;
  maxAttempts?: number;
  /** How long a leased row stays invisible to other dispatchers (a crash frees it after this). */
  leaseMs?: number;
  /** Safety margin added to every rate window (ms), for the jitter between leaving here and arriving there. */
  marginMs?: number;
  /** Monotonic milliseconds for the rate windows (tests inject a virtual clock). */
  now?: () => number;
  /** Waits for a rate window to open (tests inject one that advances the virtual clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Arm a timer for the next retry or lease expiry (off in tests, which flush explicitly). */
  wakeTimers?: boolean;
  onError: (e: unknown) => void;
}

/**
 * The outbox delivery engine: one independent runner per platform, so a slow or down platform never holds up the
 * others. Each runner sends the head row of many conversations concurrently under the platform's rate limits;
 * the next row of a conversation is only looked at once its head is delivered or dead (see OutboxRepo.heads).
 */
export class DeliveryEngine {
  private readonly runners = new Map<Platform, PlatformRunner>();
  constructor(
    private readonly deps: AppDeps,
    private readonly adapters: ReadonlyMap<Platform, PlatformAdapter>,
    private readonly opts: EngineOptions,
  ) {}

  /**
   * Starts (or nudges) a pass on every platform; resolves when they are all idle. Platforms that are not running
   * get a runner too, which dead-letters their rows (nothing could ever deliver them). `platform`: only that one.
   */
  kick(platform?: Platform): Promise<void> {
    if (platform) return this.runner(platform).kick();
    return Promise.all(PLATFORMS.map((p) => this.runner(p).kick())).then(() => {});
  }

  /**
   * Wakes the runners of `platforms` (default: all), waiting for nothing: what a commit does, for the platforms it
   * queued rows for. A pass can last minutes under a backlog,
   * and awaiting it (as kick() does) from every commit in between would keep a reaction per commit alive until then.
   */
  nudge(platforms: Iterable<Platform> = PLATFORMS): void {
    for (const p of platforms) void this.runner(p).kick();
  }

  /** Resolves when no runner is working. */
  async idle(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.idle()));
  }

  async stop(): Promise<void> {
    for (const r of this.runners.values()) r.stop();
    await this.idle();
  }

  private runner(platform: Platform): PlatformRunner {
    let r = this.runners.get(platform);
    if (!r) {
      const limits = this.opts.limits.get(platform) ?? UNLIMITED;
      r = new PlatformRunner(platform, this.deps, this.adapters, this.opts, limits);
      this.runners.set(platform, r);
    }
    return r;
  }
}

/** Heads read per query while filling the free places (a pass continues to the next page when it needs more). */
const HEADS_PAGE = 16;

class PlatformRunner {
  private readonly limiter: PlatformLimiter;
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | null = null;
  private again = false;
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /**
   * False until a first call has completed. That first call also fetches the access token, so it reaches the
   * platform later than it started: it goes alone, and its place in the rate windows moves to when it finished.
   */
  private warm = false;
  private readonly roundTrips = new RecentMinimum(64);
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly platform: Platform,
    private readonly deps: AppDeps,
    private readonly adapters: ReadonlyMap<Platform, PlatformAdapter>,
    private readonly opts: EngineOptions,
    limits: PlatformLimits,
  ) {
    this.limiter = new PlatformLimiter(limits, opts.marginMs ?? 0);
    this.now = opts.now ?? (() => performance.now());
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
  }

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      this.poke();
      return this.running;
    }
    // Starts on the next microtask so that `running` is set before the loop can finish.
    this.running = Promise.resolve().then(() => this.loop());
    return this.running;
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.again = false;
      let wait: number | null = null;
      if (!this.stopped) {
        try {
          wait = this.fill();
        } catch (e) {
          this.opts.onError(e);
        }
      }
      if (this.inFlight.size === 0 && (wait === null || this.stopped) && !this.again) {
        this.running = null;
        this.armTimer();
        return;
      }
      if (this.again) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        if (wait !== null) void this.sleep(wait).then(resolve);
      });
      this.wake = null;
    }
  }

  /** Starts every send the limits allow now; returns how long until a rate window opens (null: none is waiting). */
  private fill(): number | null {
    const concurrency = this.opts.concurrency ?? 32;
    let free = concurrency - this.inFlight.size;
    if (!this.warm && this.adapters.get(this.platform)?.warm?.()) this.warm = true;
    if (!this.warm) free = this.inFlight.size > 0 ? 0 : 1;
    if (free <= 0) return null;
    const mono = this.now();
    const appWait = this.limiter.appWaitMs(mono);
    if (appWait > 0) return appWait;
    const now = this.deps.clock.now();
    const leaseUntil = new Date(now.getTime() + (this.opts.leaseMs ?? 60_000));
    let wait: number | null = null;
    // Heads are read a page at a time: a pass mostly launches one or two sends (the app-wide window refills a call
    // at a time), and reading every head it might use cost more than the sends (issue 9's decision profile).
    // At most as many as one read before (enough to step over the conversations waiting for their own window).
    let left = Math.max(64, free * 4);
    let after: OutboxRow | undefined;
    for (;;) {
      const page = this.deps.outbox.heads(this.platform, now, Math.min(HEADS_PAGE, left), after);
      left -= page.length;
      for (const row of page) {
        if (free <= 0) return wait;
        const a = this.limiter.appWaitMs(mono);
        if (a > 0) return min(wait, a);
        const c = this.limiter.conversationWaitMs(row.conversation, mono);
        if (c > 0) {
          wait = min(wait, c);
          continue;
        }
        if (!this.deps.outbox.claim(row.id, now, leaseUntil)) continue;
        this.limiter.take(row.conversation, mono);
        this.launch(row, mono);
        free--;
      }
      if (page.length < HEADS_PAGE || free <= 0 || left <= 0) return wait;
      after = page.at(-1);
    }
  }

  private launch(row: OutboxRow, startedAt: number): void {
    const probe = !this.warm;
    // Where the call stands in the rate windows: its start, then when its request left (if the adapter tells), then
    // the latest it can have reached the platform. A busy moment between the start and the socket, or a slow first
    // request (cold connections), would otherwise put calls at the platform later than the windows believe.
    let at = startedAt;
    let left = startedAt;
    const moveTo = (t: number) => {
      if (t <= at) return;
      this.limiter.settle(row.conversation, at, t);
      at = t;
    };
    const hooks = {
      onDeparture: () => {
        left = this.now();
        moveTo(left);
      },
    };
    const p: Promise<void> = deliverRow(this.deps, this.adapters, row, this.opts.maxAttempts ?? 10, hooks)
      .then(
        (delivered) => {
          const done = this.now();
          // The quickest recent round trip is (nearly) all platform and way back, so this call reached the
          // platform at the latest `done - quickest`; its own extra time was spent on the way there.
          moveTo(probe ? done : done - this.roundTrips.add(done - left));
          if (probe && delivered) this.warm = true;
        },
        (e: unknown) => this.opts.onError(e),
      )
      .finally(() => {
        this.inFlight.delete(p);
        this.poke();
      });
    this.inFlight.add(p);
  }

  /** Wakes up for the next retry or expired lease (the scheduler's periodic kick is the fallback). */
  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.opts.wakeTimers === false) return;
    const now = this.deps.clock.now();
    const at = this.deps.outbox.nextWakeAt(this.platform, now);
    if (!at) return;
    const ms = Math.min(60_000, Math.max(0, at.getTime() - now.getTime()) + 5);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.kick();
    }, ms);
    this.timer.unref();
  }
}

/** The smallest of the last `size` values added. */
class RecentMinimum {
  private readonly values: number[] = [];
  private next = 0;
  constructor(private readonly size: number) {}

  /** Adds `v`; returns the minimum including it. */
  add(v: number): number {
    if (this.values.length < this.size) this.values.push(v);
    else this.values[this.next] = v;
    this.next = (this.next + 1) % this.size;
    return Math.min(...this.values);
  }
}

function min(a: number | null, b: number): number {
  return a === null ? b : Math.min(a, b);
}
