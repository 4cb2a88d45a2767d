/**
 * The Open API half of the Feishu adapter: builds the real `lark.Client` and maps every failure to
 * `PlatformApiError` (matching on `code` / HTTP status, never on message text).
 *
 * SDK quirks handled here (feishu.md §1–2):
 * - `domain` is our base URL without a trailing slash.
 * - A fresh token cache per instance (the default one is process-wide, keyed by appId).
 * - A request timeout: the default axios instance has none. We wrap the SDK's own `defaultHttpInstance` (which
 *   already unwraps `resp.data`) and add `timeout` per request, so nothing global is mutated.
 * - The SDK logs with one array argument and its errors contain request config (app_secret!): the bridge keeps
 *   only short strings and error messages.
 * - HTTP 200 with `code != 0` resolves instead of throwing: `expectOk` turns it into an error.
 * - The SDK never refreshes a token the server calls invalid: on 99991663/99991661 we clear our cache and retry once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { type ClientRequest, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import type * as Lark from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../shared/logger';
import { PlatformApiError } from '../types';
import { isRecord } from './payloads';
import { larkSdkEntry } from './sdk-file';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const RATE_LIMIT_CODE = 99991400;
/** Gateway limit, "operation triggers the frequency limit" (card updates), tenant message limit (community). */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([RATE_LIMIT_CODE, 230020, 11232]);
export const TOKEN_INVALID_CODES: ReadonlySet<number> = new Set([99991663, 99991661]);
const UUID_MAX = 50;

let sdk: typeof Lark | undefined;
/**
 * The SDK, loaded on first use, so a bot without Feishu never pays for it; from its compacted copy when the build
 * wrote one (sdk-file.ts: 10 MB less heap, faster to parse). The package is CommonJS (no `exports`, no `type`).
 */
export function larkSdk(): typeof Lark {
  sdk ??= createRequire(import.meta.url)(larkSdkEntry()) as typeof Lark;
  return sdk;
}

export interface FeishuClientOptions {
  appId: string;
  appSecret: string;
  /** e.g. https://open.feishu.cn or http://127.0.0.1:PORT (a trailing slash is removed). */
  baseUrl: string;
  logger: Logger;
  timeoutMs?: number;
}

type CacheKey = Parameters<Lark.Cache['get']>[0];

/** In-memory token cache with the SDK's semantics (absolute expiry in ms, namespace/key). */
export class TokenCache implements Lark.Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt: number | undefined }>();
  get = async (key: CacheKey, options?: { namespace?: string }): Promise<unknown> => {
    const hit = this.values.get(cacheKey(key, options?.namespace));
    if (!hit) return undefined;
    if (hit.expiresAt !== undefined && hit.expiresAt <= Date.now()) return undefined;
    return hit.value;
  };
  set = async (key: CacheKey, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> => {
    this.values.set(cacheKey(key, options?.namespace), { value, expiresAt: expire });
    return true;
  };
  clear(): void {
    this.values.clear();
  }
  /** True when some value (the tenant access token is the only one) is cached and not expired. */
  hasLive(now = Date.now()): boolean {
    for (const v of this.values.values()) if (v.expiresAt === undefined || v.expiresAt > now) return true;
    return false;
  }
}

function cacheKey(key: CacheKey, namespace: string | undefined): string {
  return `${namespace ?? ''}/${String(key)}`;
}

export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

const departures = new AsyncLocalStorage<() => void>();

/**
 * Runs an SDK call so that each HTTP request it makes calls `onDeparture` once it is written to its socket (the
 * token fetch, if any, then the API request): after a new connection's handshake, after a busy moment of the
 * process. The SDK passes nothing of ours down to its HTTP instance, so the hook rides the async context.
 */
export function reportingDepartures<T>(onDeparture: (() => void) | undefined, call: () => Promise<T>): Promise<T> {
  return onDeparture ? departures.run(onDeparture, call) : call();
}

/**
 * axios's `transport`: node's http(s).request, plus the departure hook of the call (if any) on the request's
 * `finish` (its bytes handed to the socket). Open API calls are never redirected, so follow-redirects is not needed.
 */
const transport = {
  request(options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const onDeparture = departures.getStore();
    const req = (options.protocol === 'https:' ? httpsRequest : httpRequest)(options, onResponse);
    if (onDeparture) req.once('finish', onDeparture);
    return req;
  },
};

/** An HttpInstance that delegates to the SDK's default axios instance and adds a timeout to every request. */
export function timeoutHttpInstance(timeoutMs: number): Lark.HttpInstance {
  const http = larkSdk().defaultHttpInstance;
  // The default instance's response interceptor already unwraps `resp.data`, so the runtime value is the body `R`.
  const send = <R>(opts: Lark.HttpRequestOptions<unknown> | undefined, extra: Lark.HttpRequestOptions<unknown> = {}) =>
    http.request({
      ...opts,
      ...extra,
      timeout: opts?.timeout ?? timeoutMs,
      transport,
    }) as Promise<unknown> as Promise<R>;
  return {
    request: (opts) => send(opts),
    get: (url, opts) => send(opts, { url, method: 'get' }),
    delete: (url, opts) => send(opts, { url, method: 'delete' }),
    head: (url, opts) => send(opts, { url, method: 'head' }),
    options: (url, opts) => send(opts, { url, method: 'options' }),
    post: (url, data, opts) => send(opts, { url, data, method: 'post' }),
    put: (url, data, opts) => send(opts, { url, data, method: 'put' }),
    patch: (url, data, opts) => send(opts, { url, data, method: 'patch' }),
  };
}

/** Bridges the SDK logger (called with one array argument) to ours, keeping no request config or secrets. */
export function bridgeLogger(logger: Logger): Lark.Logger {
  const emit =
    (level: 'warn' | 'debug') =>
    (...args: unknown[]) => {
      const detail = sanitize(args).slice(0, 5).join(' | ');
      logger[level]('feishu sdk', { detail });
    };
  return { error: emit('warn'), warn: emit('warn'), info: emit('debug'), debug: emit('debug'), trace: emit('debug') };
}

function sanitize(v: unknown, depth = 0): string[] {
  if (typeof v === 'string') return [v.slice(0, 200)];
  if (v instanceof Error) return [v.message.slice(0, 200)];
  if (Array.isArray(v) && depth < 3) return v.flatMap((x) => sanitize(x, depth + 1));
  if (isRecord(v)) {
    const parts: string[] = [];
    for (const k of ['message', 'msg', 'code', 'status']) {
      const x = v[k];
      if (typeof x === 'string' || typeof x === 'number') parts.push(`${k}=${String(x).slice(0, 200)}`);
    }
    return parts.length > 0 ? [parts.join(' ')] : [];
  }
  return [];
}

export function createLarkClient(opts: FeishuClientOptions, cache: Lark.Cache): Lark.Client {
  const lark = larkSdk();
  return new lark.Client({
    appId: opts.appId,
    appSecret: opts.appSecret,
    appType: lark.AppType.SelfBuild,
    domain: trimBaseUrl(opts.baseUrl),
    cache,
    logger: bridgeLogger(opts.logger),
    loggerLevel: lark.LoggerLevel.warn,
    httpInstance: timeoutHttpInstance(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
}

/** Feishu's `uuid` is at most 50 characters: longer keys are replaced by a stable hash. */
export function toUuid(idempotencyKey: string): string {
  if (idempotencyKey.length <= UUID_MAX) return idempotencyKey;
  return `h_${createHash('sha256')
    .update(idempotencyKey, 'utf8')
    .digest('hex')
    .slice(0, UUID_MAX - 2)}`;
}

/** Throws PlatformApiError when a resolved Open API body carries `code != 0`. */
export function expectOk<T extends { code?: number | undefined; msg?: string | undefined }>(res: T, op: string): T {
  const code = res.code ?? 0;
  if (code === 0) return res;
  throw bizError(op, code, res.msg, 200);
}

function bizError(op: string, code: number, msg: string | undefined, status: number): PlatformApiError {
  const message = `feishu ${op} failed: code ${code}${msg ? ` (${msg.slice(0, 200)})` : ''}`;
  if (RATE_LIMIT_CODES.has(code)) return new PlatformApiError(message, 'feishu', { code, status, retryAfterMs: 1000 });
  if (TOKEN_INVALID_CODES.has(code)) return new PlatformApiError(message, 'feishu', { code, status });
  return new PlatformApiError(message, 'feishu', { code, status, permanent: status < 500 });
}

/** Maps anything the SDK throws (AxiosError, token Error, timeout) to PlatformApiError. */
export function toPlatformApiError(e: unknown, op: string): PlatformApiError {
  if (e instanceof PlatformApiError) return e;
  const response = isRecord(e) ? e.response : undefined;
  if (isRecord(response) && typeof response.status === 'number') {
    const status = response.status;
    const body = isRecord(response.data) ? response.data : {};
    const code = typeof body.code === 'number' ? body.code : undefined;
    const msg = typeof body.msg === 'string' ? body.msg.slice(0, 200) : undefined;
    const message = `feishu ${op} failed: HTTP ${status}${code !== undefined ? ` code ${code}` : ''}${msg ? ` (${msg})` : ''}`;
    if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
      return new PlatformApiError(message, 'feishu', {
        status,
        code: code ?? RATE_LIMIT_CODE,
        retryAfterMs: resetMs(response.headers),
      });
    }
    const opts = code !== undefined ? { status, code } : { status };
    if (status >= 500) return new PlatformApiError(message, 'feishu', opts);
    if (code !== undefined && TOKEN_INVALID_CODES.has(code)) return new PlatformApiError(message, 'feishu', opts);
    return new PlatformApiError(message, 'feishu', { ...opts, permanent: true });
  }
  // No HTTP response: network error, timeout, or the SDK's "failed to get tenant_access_token" Error.
  const message = e instanceof Error ? e.message.slice(0, 200) : String(e);
  return new PlatformApiError(`feishu ${op} failed: ${message}`, 'feishu');
}

function resetMs(headers: unknown): number {
  if (!isRecord(headers)) return 1000;
  const raw = headers['x-ogw-ratelimit-reset'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : 1000;
}

export function isTokenInvalid(e: unknown): boolean {
  if (!(e instanceof PlatformApiError)) return false;
  const code = e.opts.code;
  return typeof code === 'number' && TOKEN_INVALID_CODES.has(code);
}
