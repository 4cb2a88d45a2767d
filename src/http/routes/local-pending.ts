import type { AppDeps } from '../../app/deps';
import { mineItems } from '../../app/mine';

/** One thing a person must act on: a step or task they hold, a document they owe, a project to resubmit. */
export interface PendingItem {
  regNo: string;
  what: string;
}

/** What the page's badges show: user id → their waiting work (only users who have some), numbered by `rev`. */
export interface PendingSnapshot {
  rev: number;
  pending: Record<string, PendingItem[]>;
}

/** Everyone's waiting work, from the same query `/mine` answers with (so badge and `/mine` never disagree). */
export function pendingWork(deps: AppDeps, userIds: readonly string[]): Record<string, PendingItem[]> {
  const out: Record<string, PendingItem[]> = {};
  for (const id of userIds) {
    const items = mineItems(deps, id);
    if (items.length) out[id] = items.map(({ regNo, what }) => ({ regNo, what }));
  }
  return out;
}

/**
 * Keeps the badges live: after anything changes on the local platform (a message sent, a card updated — which every
 * decision on any platform causes, since every card is also delivered here), recomputes once the burst is over and
 * tells the listeners when the result differs. `rev` grows with each new result, so the page can tell an event older
 * than its snapshot from a newer one.
 */
export class PendingFeed {
  private rev = 0;
  private last = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(s: PendingSnapshot) => void>();

  constructor(
    private readonly compute: () => Record<string, PendingItem[]>,
    private readonly delayMs = 50,
  ) {}

  /** Computes now; a changed result is also sent to the listeners. */
  current(): PendingSnapshot {
    const pending = this.compute();
    const json = JSON.stringify(pending);
    if (json !== this.last) {
      this.last = json;
      this.rev += 1;
      const snap = { rev: this.rev, pending };
      for (const fn of this.listeners) fn(snap);
      return snap;
    }
    return { rev: this.rev, pending };
  }

  /** Something changed: recompute soon (one computation per burst, and none while nobody listens). */
  changed(): void {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.listeners.size) this.current();
    }, this.delayMs);
    this.timer.unref();
  }

  subscribe(fn: (s: PendingSnapshot) => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  }
}
