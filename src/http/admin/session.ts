import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The console's signed cookies: `base64url(JSON).base64url(HMAC-SHA256)`. Nothing secret is inside (who signed in,
 * until when, the CSRF token), so signing is enough; the cookie is HttpOnly and SameSite=Lax (the OAuth callback is a
 * top-level navigation from the platform's page, which a Strict cookie would not survive).
 */
export interface AdminSession {
  /** The org user id, or `token` for a token sign-in. */
  user: string;
  name: string;
  /** How the person signed in: feishu, dingtalk, wecom or token. */
  via: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  /** Sent back by every POST (a form field or the X-CSRF-Token header). */
  csrf: string;
}

export const SESSION_COOKIE = 'handoff_admin';
export const STATE_COOKIE = 'handoff_admin_oauth';
export const SESSION_TTL_MS = 8 * 3600_000;
export const STATE_TTL_MS = 10 * 60_000;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class CookieSigner {
  constructor(private readonly secret: string) {}

  sign(payload: object): string {
    const body = b64(JSON.stringify(payload));
    return `${body}.${this.mac(body)}`;
  }

  /** The payload of a well-signed value, or null. Expiry is the caller's (`exp` field). */
  verify<T>(value: string | undefined): T | null {
    if (!value) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const want = Buffer.from(this.mac(body));
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return null;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

export const randomToken = (bytes = 24): string => randomBytes(bytes).toString('base64url');

export function newSession(user: string, name: string, via: string, now: number): AdminSession {
  return { user, name, via, exp: now + SESSION_TTL_MS, csrf: randomToken(18) };
}

export function liveSession(s: AdminSession | null, now: number): AdminSession | null {
  if (!s || typeof s.exp !== 'number' || s.exp <= now || typeof s.user !== 'string' || typeof s.csrf !== 'string') {
    return null;
  }
  return s;
}

/** Constant-time comparison of two strings of any length. */
export function sameSecret(a: string, b: string): boolean {
  const d = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(a), d(b));
}
