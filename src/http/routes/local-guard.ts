import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context } from 'koa';

/**
 * Who may call the simulator API (issue 10, finding 1: cross-site forgery). The page has no login and lets its user act
 * as anyone, so what matters is that no OTHER web page the admin visits can drive it, and — beside a real platform —
 * that nobody but the admin can. The rules, in order:
 *
 * 1. `LOCAL_UI_TOKEN` set: every call carries `Authorization: Bearer <token>`, or is refused with 401. A foreign page
 *    cannot make a browser send that header (it forces a CORS preflight, which this server never grants), and it does
 *    not know the token. This is how curl and scripts use the API, and how the page works on a non-loopback name.
 * 2. No token configured: only the simulator's own page, recognised by what browsers send and pages cannot forge:
 *    - the `Host` header names an IP address or `localhost` (a DNS-rebinding page has its own domain name there);
 *    - `Origin`, when sent, is this very host (another port of 127.0.0.1 is another origin);
 *    - `Sec-Fetch-Site`, when sent, is `same-origin` (or `none` for a GET typed into the address bar);
 *    - one of the two is present (a request with neither is not from a current browser: it needs the token);
 *    - a POST always carries `Origin` (browsers send it on every POST).
 * 3. Every POST is `Content-Type: application/json`: a form or a `no-cors` fetch can only send text/plain,
 *    urlencoded or multipart bodies, so even a forgery that got past the rules above would be refused (415).
 *
 * Beside a real platform, start-up refuses a simulator without a token unless HOST is a loopback address (env.ts).
 * No response carries CORS headers, so nothing the API returns (bootstrap, the event stream) is readable elsewhere.
 */

export type GuardRefusal = { status: 401 | 403 | 415; error: string; needToken?: true };

const TOKEN_HINT = '请在页面提示时输入管理员令牌（LOCAL_UI_TOKEN），脚本请带上 Authorization: Bearer <令牌>。';

/** The host part of a Host header value, without port or IPv6 brackets. */
function hostname(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1] ?? '';
  return host.replace(/:\d+$/, '');
}

/** A name no DNS answer can move elsewhere: an IP literal or localhost. */
function fixedHost(host: string): boolean {
  const name = hostname(host).toLowerCase();
  return name === 'localhost' || isIP(name) !== 0;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function bearer(ctx: Context): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  return m?.[1] ?? null;
}

/** Decides one API request; null = allowed. Pure over the request headers. */
export function checkLocalRequest(ctx: Context, token: string | null): GuardRefusal | null {
  const isPost = ctx.method === 'POST';
  const given = bearer(ctx);
  if (given !== null || token !== null) {
    if (token === null) return { status: 401, error: '本服务未设置管理员令牌（LOCAL_UI_TOKEN），不接受令牌登录。' };
    if (given === null) return { status: 401, error: `需要管理员令牌。${TOKEN_HINT}`, needToken: true };
    if (!tokenMatches(given, token)) return { status: 401, error: `管理员令牌不正确。${TOKEN_HINT}`, needToken: true };
    return isPost ? jsonOnly(ctx) : null;
  }
  // The raw Host header: a page cannot set it, unlike X-Forwarded-Host (which Koa's ctx.host would trust).
  const host = ctx.req.headers.host ?? '';
  if (!fixedHost(host)) {
    return {
      status: 403,
      error: `模拟器只接受以 IP 地址或 localhost 打开的页面（当前为「${hostname(host)}」）；用域名访问请设置 LOCAL_UI_TOKEN。`,
    };
  }
  const origin = ctx.get('origin');
  const site = ctx.get('sec-fetch-site');
  if (origin) {
    let originHost: string | null = null;
    try {
      const u = new URL(origin);
      if (u.protocol === 'http:' || u.protocol === 'https:') originHost = u.host;
    } catch {
      originHost = null;
    }
    if (originHost?.toLowerCase() !== host.toLowerCase()) {
      return { status: 403, error: `拒绝来自其他网页（${origin}）的请求：只有模拟器自己的页面可以操作。` };
    }
  } else if (isPost) {
    return { status: 401, error: `请求缺少 Origin，不像来自模拟器页面。${TOKEN_HINT}`, needToken: true };
  }
  if (site && site !== 'same-origin' && !(site === 'none' && !isPost)) {
    return { status: 403, error: `拒绝跨站请求（Sec-Fetch-Site: ${site}）：只有模拟器自己的页面可以操作。` };
  }
  if (!origin && !site) {
    return { status: 401, error: `无法确认请求来自模拟器页面。${TOKEN_HINT}`, needToken: true };
  }
  return isPost ? jsonOnly(ctx) : null;
}

function jsonOnly(ctx: Context): GuardRefusal | null {
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  if (type === 'application/json') return null;
  return { status: 415, error: `请求内容类型应为 application/json（收到「${type || '无'}」）。` };
}

/** Headers on every simulator API response: never cached, never sniffed, never embedded by another origin. */
export function apiHeaders(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
}

/** The page and its assets: same-origin scripts only, and no other site may frame it (a framed page could be clicked). */
export function pageHeaders(ctx: Context): void {
  ctx.set(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  );
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
}
