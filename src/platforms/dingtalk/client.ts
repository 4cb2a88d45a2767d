/**
 * The OpenAPI half of the DingTalk adapter (api.dingtalk.com, "new" v1.0 APIs) over plain `fetch`: access token
 * cache, request timeout, and every failure mapped to `PlatformApiError` (on HTTP status and the body's `code`,
 * never on message text).
 *
 * - Token: `POST /v1.0/oauth2/accessToken {appKey, appSecret}` → `{accessToken, expireIn}` (seconds), sent as
 *   `x-acs-dingtalk-access-token`. Cached per instance until expiry minus a margin (10 % of the lifetime, at most
 *   5 min), measured on the injected clock; concurrent callers share one token request.
 * - HTTP 401 or code `InvalidAuthentication` → the token is dropped and the call retried once.
 * - Throttling: HTTP 429, or a code containing `QpsLimit` / `Throttling` (e.g. `Forbidden.AccessDenied.QpsLimitForApi`,
 *   which DingTalk returns with HTTP 403) → retryable with `retryAfterMs` = the `Retry-After` header, else 1 s
 *   (DingTalk's limits are per second; no documented default).
 * - Other 4xx → permanent; 5xx, network errors and timeouts → retryable.
 */
import type { Logger } from '../../shared/logger';
import { PlatformApiError } from '../types';
import { isRecord, type Json } from './payloads';

export const DEFAULT_BASE_URL = 'https://api.dingtalk.com';
/** The older server API (topapi): same access token, passed as `access_token` in the query; `errcode` in the body. */
export const DEFAULT_OAPI_BASE_URL = 'https://oapi.dingtalk.com';
/** topapi errcodes: the token is invalid or expired → refresh once. */
export const OAPI_TOKEN_CODES: ReadonlySet<number> = new Set([40014, 42001, 41001]);
/** topapi flow control (当前请求数过多 / 接口调用被限流) and -1 系统繁忙 → retry after a second. */
export const OAPI_RETRY_CODES: ReadonlySet<number> = new Set([-1, 90002, 90005, 90006, 90018]);
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_AFTER_MS = 1000;
const TOKEN_MARGIN_MAX_MS = 5 * 60 * 1000;

export interface DingtalkApiOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://api.dingtalk.com or http://127.0.0.1:PORT (trailing slashes are removed). */
  baseUrl: string;
  /** The topapi base URL. Default https://oapi.dingtalk.com. */
  oapiBaseUrl?: string;
  clock: () => Date;
  logger: Logger;
  timeoutMs?: number;
}

export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export class DingtalkApi {
  private token: { value: string; refreshAt: number } | null = null;
  private pendingToken: Promise<string> | null = null;
  private readonly baseUrl: string;

  constructor(private readonly opts: DingtalkApiOptions) {
    this.baseUrl = trimBaseUrl(opts.baseUrl);
  }

  /** An authenticated call; retries once with a fresh token when DingTalk rejects the cached one. */
  async call(op: string, method: 'POST' | 'PUT', path: string, body: Json): Promise<Json> {
    const token = await this.accessToken();
    try {
      return await this.request(op, method, path, body, token);
    } catch (e) {
      if (!isTokenRejected(e)) throw e;
      this.opts.logger.warn('dingtalk token rejected, refreshing', { op });
      if (this.token?.value === token) this.token = null;
      return this.request(op, method, path, body, await this.accessToken());
    }
  }

  /**
   * A topapi call (`POST <oapi>/topapi/...?access_token=`): `errcode != 0` becomes PlatformApiError with `code` =
   * the errcode (permanent unless it is a flow-control or busy code). The URL carries the token and never appears in
   * an error. A rejected token is refreshed and the call retried once.
   */
  async callOapi(op: string, path: string, body: Json): Promise<Json> {
    const base = trimBaseUrl(this.opts.oapiBaseUrl ?? DEFAULT_OAPI_BASE_URL);
    const once = async (token: string) => {
      const res = await this.request(
        op,
        'POST',
        '',
        body,
        undefined,
        `${base}${path}?access_token=${encodeURIComponent(token)}`,
      );
      const code = typeof res.errcode === 'number' ? res.errcode : 0;
      if (code === 0) return res;
      const msg = typeof res.errmsg === 'string' ? ` (${res.errmsg.slice(0, 200)})` : '';
      const message = `dingtalk ${op} failed: errcode ${code}${msg}`;
      if (OAPI_RETRY_CODES.has(code))
        throw new PlatformApiError(message, 'dingtalk', { code, status: 200, retryAfterMs: DEFAULT_RETRY_AFTER_MS });
      if (OAPI_TOKEN_CODES.has(code)) throw new PlatformApiError(message, 'dingtalk', { code, status: 401 });
      throw new PlatformApiError(message, 'dingtalk', { code, status: 200, permanent: true });
    };
    const token = await this.accessToken();
    try {
      return await once(token);
    } catch (e) {
      if (!isTokenRejected(e)) throw e;
      this.opts.logger.warn('dingtalk token rejected, refreshing', { op });
      if (this.token?.value === token) this.token = null;
      return once(await this.accessToken());
    }
  }

  invalidateToken(): void {
    this.token = null;
  }

  private accessToken(): Promise<string> {
    const now = this.opts.clock().getTime();
    if (this.token && now < this.token.refreshAt) return Promise.resolve(this.token.value);
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = null;
    });
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const res = await this.request('accessToken', 'POST', '/v1.0/oauth2/accessToken', {
      appKey: this.opts.clientId,
      appSecret: this.opts.clientSecret,
    });
    const value = typeof res.accessToken === 'string' ? res.accessToken : '';
    const expireIn = typeof res.expireIn === 'number' && res.expireIn > 0 ? res.expireIn : 7200;
    if (!value) throw new PlatformApiError('dingtalk accessToken failed: response without accessToken', 'dingtalk');
    const lifetimeMs = expireIn * 1000;
    const margin = Math.min(TOKEN_MARGIN_MAX_MS, lifetimeMs / 10);
    this.token = { value, refreshAt: this.opts.clock().getTime() + lifetimeMs - margin };
    return value;
  }

  private async request(
    op: string,
    method: string,
    path: string,
    body: Json,
    token?: string,
    url = `${this.baseUrl}${path}`,
  ): Promise<Json> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      accept: 'application/json',
    };
    if (token) headers['x-acs-dingtalk-access-token'] = token;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (e) {
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new PlatformApiError(`dingtalk ${op} failed: ${msg.slice(0, 200)}`, 'dingtalk');
    }
    const parsed = parseBody(text);
    if (res.ok) return parsed;
    throw toApiError(op, res.status, parsed, res.headers.get('retry-after'));
  }
}

function parseBody(text: string): Json {
  if (text.length === 0) return {};
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : { value: v };
  } catch {
    return {};
  }
}

export function isThrottleCode(code: string | undefined): boolean {
  return code !== undefined && /QpsLimit|Throttling/i.test(code);
}

/** Maps an HTTP error response of the OpenAPI to PlatformApiError. */
export function toApiError(op: string, status: number, body: Json, retryAfter: string | null): PlatformApiError {
  const code = typeof body.code === 'string' || typeof body.code === 'number' ? String(body.code) : undefined;
  const msg = typeof body.message === 'string' ? body.message.slice(0, 200) : undefined;
  const message = `dingtalk ${op} failed: HTTP ${status}${code ? ` code ${code}` : ''}${msg ? ` (${msg})` : ''}`;
  const base = code !== undefined ? { status, code } : { status };
  if (status === 429 || isThrottleCode(code)) {
    return new PlatformApiError(message, 'dingtalk', { ...base, retryAfterMs: retryAfterMs(retryAfter) });
  }
  if (status >= 500 || isTokenCode(status, code)) return new PlatformApiError(message, 'dingtalk', base);
  return new PlatformApiError(message, 'dingtalk', { ...base, permanent: true });
}

function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds * 1000)
    : DEFAULT_RETRY_AFTER_MS;
}

function isTokenCode(status: number, code: string | undefined): boolean {
  return status === 401 || code === 'InvalidAuthentication';
}

export function isTokenRejected(e: unknown): boolean {
  if (!(e instanceof PlatformApiError)) return false;
  const code = typeof e.opts.code === 'string' ? e.opts.code : undefined;
  return e.opts.status !== undefined && isTokenCode(e.opts.status, code);
}
