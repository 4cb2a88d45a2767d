import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsole } from '../helpers/admin-console';

/** A browser-like client: keeps cookies, follows redirects by hand (so each hop is visible), sends Origin on POST. */
class Client {
  private jar = new Map<string, string>();
  readonly hops: string[] = [];
  constructor(private readonly origin: string) {}

  async go(url: string, init: RequestInit = {}, maxHops = 10): Promise<Response> {
    let target = new URL(url, this.origin).toString();
    let req = init;
    for (let i = 0; i < maxHops; i++) {
      this.hops.push(target);
      const sameHost = target.startsWith(this.origin);
      const headers = new Headers(req.headers);
      if (sameHost && this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
      const res = await fetch(target, { ...req, headers, redirect: 'manual' });
      if (sameHost) {
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, ...v] = (pair ?? '').split('=');
          if (!k) continue;
          const value = v.join('=');
          if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) this.jar.delete(k);
          else this.jar.set(k, value);
        }
      }
      const loc = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !loc) return res;
      target = new URL(loc, target).toString();
      req = {};
    }
    throw new Error('too many redirects');
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }
  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  post(path: string, form: Record<string, string>, origin: string | null = this.origin): Promise<Response> {
    return this.go(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
      body: new URLSearchParams(form).toString(),
    });
  }
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

let srv: ConsoleServer | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

describe('admin console sign-in', () => {
  it.each(['feishu', 'dingtalk', 'wecom'] as const)(
    '%s web login: an admin gets in, a non-admin gets 403',
    async (p) => {
      srv = await startConsole({ platforms: [p] });
      const ids = {
        feishu: ['ou_admin', 'ou_director'],
        dingtalk: ['dt_admin', 'dt_director'],
        wecom: ['wc_admin', 'wc_director'],
      }[p];
      const fake = srv.fake;
      if (!fake) throw new Error('no fake');

      const anon = new Client(srv.url);
      const first = await anon.go('/admin/work');
      expect(first.status).toBe(200);
      expect(anon.hops.at(-1)).toContain('/admin/login?next=%2Fadmin%2Fwork');
      expect(await first.text()).toContain(`data-testid="login-${p}"`);

      fake.signInAs(p, ids[1] as string, '孙总监');
      const director = new Client(srv.url);
      const refused = await director.go(`/admin/login/${p}`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('不是管理员');
      expect(director.cookie('handoff_admin')).toBeUndefined();
      expect((await director.go('/admin')).url ?? '').toBeDefined();
      expect(director.hops.at(-1)).toContain('/admin/login');

      fake.signInAs(p, ids[0] as string, '秦管理员');
      const admin = new Client(srv.url);
      const home = await admin.go(`/admin/login/${p}?next=${encodeURIComponent('/admin/work')}`);
      expect(home.status).toBe(200);
      expect(admin.hops.at(-1)).toBe(`${srv.url}/admin/work`);
      const html = await home.text();
      expect(html).toContain('秦管理员');
      expect(admin.cookie('handoff_admin')).toBeTruthy();
    },
  );

  it('refuses a callback whose state was not issued to this browser, and a replayed code', async () => {
    srv = await startConsole({ platforms: ['feishu'] });
    srv.fake?.signInAs('feishu', 'ou_admin');
    const a = new Client(srv.url);
    const start = await fetch(`${srv.url}/admin/login/feishu`, { redirect: 'manual' });
    const authorize = start.headers.get('location') ?? '';
    const back = await fetch(authorize, { redirect: 'manual' });
    const callback = back.headers.get('location') ?? '';
    // A browser without the state cookie (a login-CSRF attempt) is refused.
    const res = await a.go(callback);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('不是从本站发起');
  });

  it('a denied authorization says so', async () => {
    srv = await startConsole({ platforms: ['feishu'] });
    srv.fake?.deny('feishu');
    const res = await new Client(srv.url).go('/admin/login/feishu');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('access_denied');
  });

  it('a tampered session cookie is no session', async () => {
    srv = await startConsole({ platforms: ['feishu'] });
    srv.fake?.signInAs('feishu', 'ou_admin');
    const c = new Client(srv.url);
    await c.go('/admin/login/feishu');
    const value = c.cookie('handoff_admin') ?? '';
    const [body, mac] = value.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body ?? '', 'base64url').toString()), user: 'sun.director' }),
    ).toString('base64url');
    c.setCookie('handoff_admin', `${forged}.${mac}`);
    await c.go('/admin');
    expect(c.hops.at(-1)).toContain('/admin/login');
  });
});

describe('admin console: local mode and CSRF', () => {
  it('without ADMIN_TOKEN a one-time token is printed at start-up and signs in', async () => {
    srv = await startConsole();
    const line = srv.printed.join('');
    const token = /：(\S+)\n$/.exec(line)?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(20);
    const c = new Client(srv.url);
    const wrong = await c.post('/admin/login/token', { token: 'not-the-token', next: '/admin' });
    expect(await wrong.text()).toContain('令牌不正确');
    const ok = await c.post('/admin/login/token', { token, next: '/admin/audit' });
    expect(ok.status).toBe(200);
    expect(c.hops.at(-1)).toBe(`${srv.url}/admin/audit`);
  });

  it('ADMIN_TOKEN replaces the printed token; a POST from another origin or without the CSRF token is refused', async () => {
    srv = await startConsole({ token: 'a-very-long-admin-token' });
    expect(srv.printed).toEqual([]);
    const c = new Client(srv.url);
    const foreign = await c.post('/admin/login/token', { token: 'a-very-long-admin-token' }, 'http://evil.example');
    expect(foreign.status).toBe(403);
    const home = await c.post('/admin/login/token', { token: 'a-very-long-admin-token' });
    const csrf = csrfOf(await home.text());
    expect(csrf).not.toBe('');
    expect((await c.post('/admin/logout', { csrf: 'wrong' })).status).toBe(403);
    expect((await c.post('/admin/logout', { csrf }, 'http://evil.example')).status).toBe(403);
    expect((await c.go('/admin')).status).toBe(200);
    expect(c.hops.at(-1)).toBe(`${srv.url}/admin`);
    await c.post('/admin/logout', { csrf });
    expect(c.cookie('handoff_admin')).toBeUndefined();
    await c.go('/admin');
    expect(c.hops.at(-1)).toContain('/admin/login');
  });

  it('session cookies are HttpOnly and SameSite=Lax', async () => {
    srv = await startConsole({ token: 'a-very-long-admin-token' });
    const res = await fetch(`${srv.url}/admin/login/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: srv.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=a-very-long-admin-token',
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('handoff_admin=')) ?? '';
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).toMatch(/path=\/admin/i);
  });
});
