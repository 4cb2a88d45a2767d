/** Composition-root glue between the running parts and the metrics: transports, webhook routes, the dispatcher. */
import type { InboundHandler, Platform, PlatformAdapter } from './platforms/types';
import type { InboundResult, Metrics } from './shared/metrics';

/** The webhook route's observer for one platform. */
export function observedHandler(metrics: Metrics, platform: Platform, transport: string) {
  return (result: InboundResult, seconds: number) => metrics.inbound(platform, transport, result, seconds);
}

/** A long-connection handler that counts each event and times it until its ack. */
export function timedHandler(
  metrics: Metrics,
  platform: Platform,
  transport: string,
  handle: InboundHandler,
): InboundHandler {
  return async (ev) => {
    const t0 = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    try {
      const reply = await handle(ev);
      metrics.inbound(platform, transport, 'ok', seconds());
      return reply;
    } catch (e) {
      metrics.inbound(platform, transport, 'error', seconds());
      throw e;
    }
  };
}

const CALLS = new Set(['send', 'update', 'urgent']);

/**
 * The adapters as the outbox dispatcher sees them: each platform API call (send, update, urgent) is counted by
 * result. A live view of `adapters` (an adapter swapped in later is counted too); the dispatcher's own code is
 * untouched, and a port for richer delivery metrics can replace this later.
 */
export function countedAdapters(
  adapters: ReadonlyMap<Platform, PlatformAdapter>,
  metrics: Metrics,
): ReadonlyMap<Platform, PlatformAdapter> {
  const wrapped = new WeakMap<PlatformAdapter, PlatformAdapter>();
  const counted = (platform: Platform, adapter: PlatformAdapter): PlatformAdapter => {
    let w = wrapped.get(adapter);
    if (!w) {
      w = new Proxy(adapter, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          if (typeof key !== 'string' || !CALLS.has(key)) return value.bind(target);
          return async (...args: unknown[]) => {
            try {
              const result: unknown = await value.apply(target, args);
              metrics.platformCall(platform, key, true);
              return result;
            } catch (e) {
              metrics.platformCall(platform, key, false);
              throw e;
            }
          };
        },
      });
      wrapped.set(adapter, w);
    }
    return w;
  };
  return {
    get size() {
      return adapters.size;
    },
    get: (p) => {
      const a = adapters.get(p);
      return a && counted(p, a);
    },
    has: (p) => adapters.has(p),
    keys: () => adapters.keys(),
    *entries() {
      for (const [p, a] of adapters) yield [p, counted(p, a)];
    },
    *values() {
      for (const [p, a] of adapters) yield counted(p, a);
    },
    forEach(fn, thisArg) {
      for (const [p, a] of adapters) fn.call(thisArg, counted(p, a), p, this);
    },
    [Symbol.iterator]() {
      return this.entries();
    },
  } as ReadonlyMap<Platform, PlatformAdapter>;
}
