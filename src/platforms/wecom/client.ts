/**
 * The WeCom server API over Node's fetch: access token cache, JSON calls, and error mapping to PlatformApiError
 * (matching on `errcode` / HTTP status, never on message text).
 *
 * - Token: `GET /cgi-bin/gettoken?corpid&corpsecret` → `{access_token, expires_in}` (7200 s), cached per client
 *   until expiry minus 5 min (our injected clock); concurrent callers share one fetch. Calls pass it as the
 *   `access_token` query parameter.
 * - `errcode` 40014 (invalid), 42001 (expired), 41001 (missing) → drop the token, fetch a new one and retry ONCE.
 * - Rate limits: 45009 "接口调用超过限制" (the block lasts as long as the limit's window, usually a minute →
 *   retryAfterMs 60 s), 45033 "接口并发调用超过限制" (1 s). HTTP 429 → 60 s.
 * - -1 "系统繁忙" and 6000 "数据版本冲突", HTTP 5xx, timeouts and network errors → retryable.
 * - Any other errcode, and other HTTP 4xx → permanent.
 * - URLs carry the token or the robot key: they never appear in errors or logs.
 */
import type { Logger } from '../../shared/logger';
import { PlatformApiError } from '../types';
import { isRecord, type Json } from './payloads';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const TOKEN_MARGIN_MS = 5 * 60_000;
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([40014, 42001, 41001]);
export const RATE_LIMIT_CODES: ReadonlyMap<number, number> = new Map([
  [45009, 60_000],
  [45033, 1000],
]);
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([-1, 6000]);

export interface WecomClientOptions {
  corpId: string;
  secret: string;
  /** e.g. https://qyapi.weixin.qq.com or http://127.0.0.1:PORT (a trailing slash is removed). */
  baseUrl: string;
  clock: () => Date;
  logger: Logger;
  timeoutMs?: number;
}

export class WecomClient {
  private token: { value: string; expiresAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly baseUrl: string;

  constructor(private readonly opts: WecomClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** POSTs `body` to `/cgi-bin/<path>` with the access token; retries once with a new token if it was refused. */
  async post(op: string, path: string, body: Json): Promise<Json> {
    const attempt = async () => {
      const token = await this.accessToken();
      const url = `${this.baseUrl}/cgi-bin/${path}?access_token=${encodeURIComponent(token)}`;
      return { token, res: await this.request(op, url, { method: 'POST', body }) };
    };
    const first = await attempt();
    const code = errcodeOf(first.res);
    if (code === 0) return first.res;
    if (!TOKEN_INVALID_CODES.has(code)) throw apiError(op, first.res, 200);
    this.opts.logger.warn('wecom token rejected, refreshing', { op, errcode: code });
    this.invalidateToken(first.token);
    const second = await attempt();
    if (errcodeOf(second.res) !== 0) throw apiError(op, second.res, 200);
    return second.res;
  }

  /** POSTs to a group robot webhook (the key in the URL is the credential; no access token). */
  async postWebhook(op: string, url: string, body: Json): Promise<Json> {
    const res = await this.request(op, url, { method: 'POST', body });
    if (errcodeOf(res) !== 0) throw apiError(op, res, 200);
    return res;
  }

  /** Forgets the cached token (only if it is still `stale`, so a token fetched meanwhile is kept). */
  invalidateToken(stale?: string): void {
    if (!stale || this.token?.value === stale) this.token = null;
  }

  async accessToken(): Promise<string> {
    const now = this.opts.clock().getTime();
    if (this.token && this.token.expiresAt > now) return this.token.value;
    if (!this.inflight) {
      this.inflight = this.fetchToken().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async fetchToken(): Promise<string> {
    const q = new URLSearchParams({ corpid: this.opts.corpId, corpsecret: this.opts.secret });
    const res = await this.request('gettoken', `${this.baseUrl}/cgi-bin/gettoken?${q}`, { method: 'GET' });
    const token = res.access_token;
    if (errcodeOf(res) !== 0 || typeof token !== 'string' || token === '') throw apiError('gettoken', res, 200);
    const expiresIn = typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : 7200;
    const ttl = Math.max(0, expiresIn * 1000 - TOKEN_MARGIN_MS);
    this.token = { value: token, expiresAt: this.opts.clock().getTime() + ttl };
    return token;
  }

  /** One HTTP exchange → parsed JSON body. HTTP/network failures become PlatformApiError here. */
  private async request(op: string, url: string, init: { method: 'GET' | 'POST'; body?: Json }): Promise<Json> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method,
        headers: init.body ? { 'content-type': 'application/json; charset=utf-8' } : {},
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (e) {
      const why =
        e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : e instanceof Error ? e.message : String(e);
      throw new PlatformApiError(`wecom ${op} failed: ${why.slice(0, 200)}`, 'wecom');
    }
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    const status = response.status;
    if (status === 429) {
      throw new PlatformApiError(`wecom ${op} failed: HTTP 429`, 'wecom', { status, retryAfterMs: 60_000 });
    }
    if (status >= 500) throw new PlatformApiError(`wecom ${op} failed: HTTP ${status}`, 'wecom', { status });
    if (status >= 400 || !isRecord(body)) {
      const what = status >= 400 ? `HTTP ${status}` : 'response is not a JSON object';
      throw new PlatformApiError(`wecom ${op} failed: ${what}`, 'wecom', { status, permanent: true });
    }
    return body;
  }
}

export function errcodeOf(res: Json): number {
  const code = res.errcode;
  if (typeof code === 'number') return code;
  if (typeof code === 'string' && /^-?\d+$/.test(code)) return Number(code);
  return 0;
}

/** Maps a body with `errcode != 0` to PlatformApiError. */
export function apiError(op: string, res: Json, status: number): PlatformApiError {
  const code = errcodeOf(res);
  const msg = typeof res.errmsg === 'string' ? res.errmsg.slice(0, 200) : '';
  const message = `wecom ${op} failed: errcode ${code}${msg ? ` (${msg})` : ''}`;
  const retryAfterMs = RATE_LIMIT_CODES.get(code);
  if (retryAfterMs !== undefined) return new PlatformApiError(message, 'wecom', { code, status, retryAfterMs });
  if (RETRYABLE_CODES.has(code) || TOKEN_INVALID_CODES.has(code)) {
    return new PlatformApiError(message, 'wecom', { code, status, retryAfterMs: 1000 });
  }
  return new PlatformApiError(message, 'wecom', { code, status, permanent: true });
}
