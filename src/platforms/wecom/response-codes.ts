/**
 * WeCom card update codes (`response_code`), kept in AdapterState so they survive restarts.
 *
 * WeCom (update_template_card doc): sending a button card returns one code; every click callback brings another;
 * each code can be used for exactly ONE update, within 72 h (the current update_template_card doc; older copies said
 * 24 h). So per card (`task_id`) we keep the unused codes, newest first, at most 5, each with its own
 * expiry, and hand out the newest on `take`. A consumed code is remembered for 72 h so a redelivered click
 * (same ResponseCode) does not put it back.
 *
 * Keys: `rc:<task_id>` → JSON `[{ "c": code, "e": expiresAtMs }]`; `used:<sha256(code)>` → '1'.
 */
import type { AdapterState } from '../types';
import { sha256Hex } from './payloads';

export const RESPONSE_CODE_TTL_MS = 72 * 3600_000;
export const USED_MARK_TTL_MS = 72 * 3600_000;
export const MAX_CODES_PER_TASK = 5;

interface Entry {
  c: string;
  e: number;
}

export interface TakenCode {
  code: string;
  expiresAt: number;
}

export class ResponseCodes {
  constructor(
    private readonly state: AdapterState,
    private readonly clock: () => Date,
  ) {}

  /** Stores a code for the card, unless it was already used. */
  add(taskId: string, code: string): void {
    if (this.state.get(usedKey(code)) !== null) return;
    const now = this.clock().getTime();
    const entries = this.live(taskId, now).filter((x) => x.c !== code);
    entries.unshift({ c: code, e: now + RESPONSE_CODE_TTL_MS });
    this.save(taskId, entries.slice(0, MAX_CODES_PER_TASK));
  }

  /** Removes and returns the newest usable code for the card, marking it used; null when there is none. */
  take(taskId: string): TakenCode | null {
    const now = this.clock().getTime();
    const [first, ...rest] = this.live(taskId, now);
    this.save(taskId, rest);
    if (!first) return null;
    this.state.set(usedKey(first.c), '1', new Date(now + USED_MARK_TTL_MS));
    return { code: first.c, expiresAt: first.e };
  }

  /** Puts back a code whose update request may not have reached WeCom (network error, timeout, 5xx). */
  restore(taskId: string, taken: TakenCode): void {
    this.state.delete(usedKey(taken.code));
    const now = this.clock().getTime();
    if (taken.expiresAt <= now) return;
    const entries = this.live(taskId, now).filter((x) => x.c !== taken.code);
    entries.push({ c: taken.code, e: taken.expiresAt });
    entries.sort((a, b) => b.e - a.e);
    this.save(taskId, entries.slice(0, MAX_CODES_PER_TASK));
  }

  count(taskId: string): number {
    return this.live(taskId, this.clock().getTime()).length;
  }

  private live(taskId: string, now: number): Entry[] {
    const raw = this.state.get(codesKey(taskId));
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (x): x is Entry =>
          typeof x === 'object' && x !== null && typeof x.c === 'string' && typeof x.e === 'number' && x.e > now,
      );
    } catch {
      return [];
    }
  }

  private save(taskId: string, entries: Entry[]): void {
    if (entries.length === 0) {
      this.state.delete(codesKey(taskId));
      return;
    }
    const expiresAt = Math.max(...entries.map((x) => x.e));
    this.state.set(codesKey(taskId), JSON.stringify(entries), new Date(expiresAt));
  }
}

const codesKey = (taskId: string) => `rc:${taskId}`;
const usedKey = (code: string) => `used:${sha256Hex(code).slice(0, 32)}`;
