import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import { startFeishuHandoff } from '../helpers/feishu-chat';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * The simulator API over real HTTP (node:http, so every header, Host included, is what the test says): which callers
 * it accepts (issue 10, finding 1 — the browser attack itself is in test/e2e/local-csrf.browser.test.ts), and that a
 * bad call gets a clear Chinese error and changes nothing.
 */
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { error?: string; needToken?: boolean; pending?: unknown; toast?: unknown };
}

function call(base: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string }) {
  const u = new URL(path, base);
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: opts.method ?? 'GET', headers: opts.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = {};
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const approve = JSON.stringify({ userId: 'li.lead', text: '/approve HO-2026-0001 伪造' });

describe('simulator API without a token (the local default)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let url: string;
  let host: string;
  const page = () => ({ origin: url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' });

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi] });
    url = (await h.listen()).url;
    host = new URL(url).host;
    await new LocalChat(h).say('wang.sales', REGISTER_NORTH_UNSIGNED);
  });
  afterAll(() => h.stop());

  const unmoved = () => {
    const p = h.deps.projects.get('HO-2026-0001');
    expect(p?.version).toBe(1);
    expect(h.local?.conversation('dm:li.lead').filter((m) => m.from === 'li.lead')).toEqual([]);
  };

  it.each([
    [
      'a text/plain no-cors POST from another port',
      { origin: 'http://127.0.0.1:1', 'content-type': 'text/plain' },
      403,
    ],
    [
      'a form POST from another site',
      { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      403,
    ],
    ['an opaque origin (sandboxed frame, file://)', { origin: 'null', 'content-type': 'application/json' }, 403],
    ['a POST without Origin (curl)', { 'content-type': 'application/json' }, 401],
    ['a same-origin POST that is not JSON', { origin: '', 'content-type': 'text/plain' }, 415],
    [
      'a same-origin POST marked cross-site',
      { origin: '', 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      403,
    ],
  ])('refuses %s, and nothing moves', async (_name, headers: Record<string, string>, status) => {
    const h2 = { ...headers, ...(headers.origin === '' ? { origin: url } : {}) };
    const r = await call(url, '/api/local/say', { method: 'POST', headers: h2, body: approve });
    expect(r.status).toBe(status);
    expect(r.json.error).toMatch(/[\u4e00-\u9fff]/);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    unmoved();
  });

  it('refuses a page reached through a DNS name (rebinding), even when Origin matches Host', async () => {
    const headers = {
      ...page(),
      host: `evil.example:${new URL(url).port}`,
      origin: `http://evil.example:${new URL(url).port}`,
    };
    const r = await call(url, '/api/local/say', { method: 'POST', headers, body: approve });
    expect(r.status).toBe(403);
    expect(r.json.error).toContain('evil.example');
    // A same-origin page on the rebound name may set X-Forwarded-Host: the guard reads the raw Host, not Koa's
    // proxy-aware ctx.host (the app trusts proxy headers for other purposes).
    const forwarded = { ...headers, 'x-forwarded-host': host, 'x-forwarded-proto': 'http' };
    const r2 = await call(url, '/api/local/say', { method: 'POST', headers: forwarded, body: approve });
    expect(r2.status).toBe(403);
    unmoved();
  });

  it('does not hand out the conversations or the event stream to another origin or to curl', async () => {
    for (const headers of [
      { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1' },
      { 'sec-fetch-site': 'cross-site' },
      {},
    ]) {
      for (const path of ['/api/local/bootstrap', '/api/local/events']) {
        const r = await call(url, path, { headers });
        expect(r.status, `${path} ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(401);
        expect(r.json.error).toBeTruthy();
        expect(JSON.stringify(r.json)).not.toContain('HO-2026-0001');
      }
    }
  });

  it("answers its own page: snapshot with everyone's waiting work, computed by the server", async () => {
    const r = await call(url, '/api/local/bootstrap', { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(r.json.pending).toEqual({
      rev: expect.any(Number),
      pending: { 'li.lead': [{ regNo: 'HO-2026-0001', what: expect.stringContaining('销售主管') }] },
    });
  });

  it('names every role in Chinese, the admin role too (never a role id)', async () => {
    const r = await call(url, '/api/local/bootstrap', { headers: { 'sec-fetch-site': 'same-origin' } });
    const people = (r.json as { people?: { id: string; roles: string[] }[] }).people ?? [];
    expect(people.find((p) => p.id === 'sun.director')?.roles).toEqual(['项目总监', '管理员']);
    for (const p of people) for (const role of p.roles) expect(role, p.id).not.toMatch(/[a-z]/i);
  });

  it('the page cannot be framed by another site, and runs only its own scripts', async () => {
    const r = await call(url, '/', {});
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['x-frame-options']).toBe('DENY');
  });

  it('serves only its own assets and answers bad API calls with clear errors', async () => {
    const js = await call(url, '/assets/app.js', {});
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await call(url, '/assets/style.css', {})).headers['content-type']).toBe('text/css; charset=utf-8');
    for (const path of ['/assets/..%2F..%2Fbootstrap.ts', '/assets/index.html', '/assets/toString', '/assets/.env']) {
      expect((await call(url, path, {})).status, path).toBe(404);
    }
    const post = (path: string, body: string) => call(url, path, { method: 'POST', headers: page(), body });
    const unknown = await post('/api/local/say', JSON.stringify({ userId: 'nobody', text: '/help' }));
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toContain('组织名单中没有用户「nobody」');
    expect((await post('/api/local/say', '{')).status).toBe(400);
    const elsewhere = await post(
      '/api/local/say',
      JSON.stringify({ userId: 'wang.sales', text: 'x', conversation: 'dm:li.lead' }),
    );
    expect(elsewhere.status).toBe(400);
    const huge = await post('/api/local/say', JSON.stringify({ userId: 'wang.sales', text: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    const noCard = await post(
      '/api/local/click',
      JSON.stringify({ userId: 'wang.sales', messageId: 'lm_404', value: {} }),
    );
    expect(noCard.status).toBe(400);
    const help = await post('/api/local/say', JSON.stringify({ userId: 'wang.sales', text: '/help' }));
    expect(help.status).toBe(200);
    expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});

describe('simulator beside Feishu (LOCAL_UI=on on a loopback bind, no token)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeAll(async () => {
    env = await startFeishuHandoff({ localUi: true });
    await env.chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
  });
  afterAll(() => env.stop());

  it('the attack of finding 1 moves nothing and sends no Feishu card; the Feishu approver still decides', async () => {
    const { h, fake, url } = env;
    const version = h.deps.projects.get('HO-2026-0001')?.version;
    const sent = fake.messages.length;
    const audit = h.db.$client.prepare('select count(*) as n from audit_log').get();
    const forged = JSON.stringify({ userId: 'yang.huiyu', text: '/approve HO-2026-0001 x' });
    for (const headers of [
      { origin: 'https://evil.example', 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://127.0.0.1:1', 'content-type': 'application/json', 'sec-fetch-site': 'same-site' },
      { 'content-type': 'application/json' },
    ]) {
      const r = await call(url, '/api/local/say', { method: 'POST', headers, body: forged });
      expect(r.status, JSON.stringify(headers)).toBeGreaterThanOrEqual(401);
      expect(r.json.error).toMatch(/[\u4e00-\u9fff]/);
    }
    await h.flush();
    expect(h.deps.projects.get('HO-2026-0001')?.version).toBe(version);
    expect(h.db.$client.prepare('select count(*) as n from audit_log').get()).toEqual(audit);
    expect(fake.messages).toHaveLength(sent);
    await env.chat.click('li.lead', '同意');
    expect(h.deps.projects.get('HO-2026-0001')?.stepIndex).toBe(1);
  });
});

describe('simulator API with LOCAL_UI_TOKEN', () => {
  const token = 'admin-token-0123456789';
  let h: ReturnType<typeof createTestHandoff>;
  let url: string;

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi], localUiToken: token });
    url = (await h.listen()).url;
    await new LocalChat(h).say('wang.sales', REGISTER_NORTH_UNSIGNED);
  });
  afterAll(() => h.stop());

  it('curl with the token may act; without it, or with a wrong one, even its own page may not', async () => {
    const json = { 'content-type': 'application/json' };
    const own = { ...json, origin: url, 'sec-fetch-site': 'same-origin' };
    for (const headers of [own, { ...json, authorization: 'Bearer wrong-token-0123456789' }]) {
      const r = await call(url, '/api/local/say', { method: 'POST', headers, body: approve });
      expect(r.status).toBe(401);
      expect(r.json.needToken).toBe(true);
      expect(r.json.error).toContain('管理员令牌');
    }
    expect(h.deps.projects.get('HO-2026-0001')?.version).toBe(1);
    const auth = { authorization: `Bearer ${token}` };
    const text = await call(url, '/api/local/say', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: approve,
    });
    expect(text.status).toBe(415);
    const ok = await call(url, '/api/local/say', { method: 'POST', headers: { ...auth, ...json }, body: approve });
    expect(ok.status).toBe(200);
    await h.flush();
    expect(h.deps.projects.get('HO-2026-0001')?.version).toBeGreaterThan(1);
    // With the token, a DNS name is fine (the token, not the address, is what proves the caller).
    const named = await call(url, '/api/local/bootstrap', { headers: { ...auth, host: 'handoff.example.com' } });
    expect(named.status).toBe(200);
  });
});
