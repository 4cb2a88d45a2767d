/**
 * A fake of the three platforms' web logins on 127.0.0.1 (one server: the login pages and the OAuth API paths).
 * Strict like the real ones: the app must be known (client id + secret), a code is single-use, expires, and is bound
 * to the app and the redirect_uri it was issued for; tokens are checked on every user-info call.
 *
 *   const fake = await startFakeOAuth({ feishu: { appId, appSecret }, dingtalk: {...}, wecom: {...} });
 *   fake.signInAs('feishu', 'ou_admin');   // who "scans the QR code" on the platform's page
 *
 * The login pages answer at once with a 302 to redirect_uri (as after the person approved), or with
 * `?error=access_denied` after `fake.deny(platform)`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asRecord, closeServer, parseBody, type Reply, readBody, reply } from './fake-http';

type P = 'feishu' | 'dingtalk' | 'wecom';
export interface FakeOAuthApps {
  feishu?: { appId: string; appSecret: string };
  dingtalk?: { clientId: string; clientSecret: string; corpUsers?: Record<string, string> };
  wecom?: { corpId: string; agentId: string; secret: string };
}

export interface FakeOAuth {
  readonly url: string;
  /** Every request, in order: `METHOD /path`. */
  readonly calls: string[];
  signInAs(platform: P, platformUserId: string, name?: string): void;
  deny(platform: P): void;
  close(): Promise<void>;
}

const rnd = () => randomBytes(9).toString('hex');

export async function startFakeOAuth(apps: FakeOAuthApps): Promise<FakeOAuth> {
  const current: Partial<Record<P, { id: string; name: string } | 'deny'>> = {};
  const codes = new Map<string, { platform: P; user: { id: string; name: string }; redirect: string; exp: number }>();
  const userTokens = new Map<string, { platform: P; user: { id: string; name: string } }>();
  const appTokens = new Set<string>();
  const calls: string[] = [];

  const loginPage = (platform: P, q: URLSearchParams, appOk: boolean, codeParam: string): Reply => {
    const redirect = q.get('redirect_uri') ?? '';
    if (!appOk || !/^http:\/\/127\.0\.0\.1:\d+\//.test(redirect))
      return { status: 400, body: { error: 'invalid client or redirect_uri' } };
    const who = current[platform];
    const back = new URL(redirect);
    back.searchParams.set('state', q.get('state') ?? '');
    if (!who || who === 'deny') back.searchParams.set('error', 'access_denied');
    else {
      const code = `${platform}-code-${rnd()}`;
      codes.set(code, { platform, user: who, redirect, exp: Date.now() + 300_000 });
      back.searchParams.set(codeParam, code);
    }
    return { status: 302, body: '', headers: { location: back.toString() } };
  };
  /** Takes a code once: a second use, another app's code or a different redirect_uri fails. */
  const takeCode = (platform: P, code: unknown, redirect?: unknown) => {
    const c = codes.get(String(code));
    codes.delete(String(code));
    if (!c || c.platform !== platform || c.exp < Date.now()) return null;
    if (redirect !== undefined && redirect !== c.redirect) return null;
    return c;
  };
  const issue = (platform: P, user: { id: string; name: string }) => {
    const t = `${platform}-uat-${rnd()}`;
    userTokens.set(t, { platform, user });
    return t;
  };

  function route(
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
    body: unknown,
  ): Reply {
    const q = url.searchParams;
    const b = asRecord(body);
    const f = apps.feishu;
    const d = apps.dingtalk;
    const w = apps.wecom;
    const key = `${method} ${url.pathname}`;
    // Feishu
    if (f && key === 'GET /open-apis/authen/v1/authorize')
      return loginPage('feishu', q, q.get('client_id') === f.appId, 'code');
    if (f && key === 'POST /open-apis/authen/v2/oauth/token') {
      if (b.grant_type !== 'authorization_code' || b.client_id !== f.appId || b.client_secret !== f.appSecret)
        return { status: 400, body: { code: 20002, error: 'invalid_client', error_description: 'bad client' } };
      const c = takeCode('feishu', b.code, b.redirect_uri);
      if (!c) return { status: 400, body: { code: 20003, error: 'invalid_grant', error_description: 'bad code' } };
      return {
        status: 200,
        body: { code: 0, access_token: issue('feishu', c.user), token_type: 'Bearer', expires_in: 7200 },
      };
    }
    if (f && key === 'GET /open-apis/authen/v1/user_info') {
      const t = userTokens.get(String(headers.authorization ?? '').replace(/^Bearer /, ''));
      if (t === undefined || t.platform !== 'feishu')
        return { status: 401, body: { code: 99991668, msg: 'invalid access token' } };
      return { status: 200, body: { code: 0, msg: 'success', data: { open_id: t.user.id, name: t.user.name } } };
    }
    // DingTalk
    if (d && key === 'GET /oauth2/auth') {
      const ok = q.get('client_id') === d.clientId && q.get('response_type') === 'code';
      return loginPage('dingtalk', q, ok, 'authCode');
    }
    if (d && key === 'POST /v1.0/oauth2/userAccessToken') {
      if (b.clientId !== d.clientId || b.clientSecret !== d.clientSecret || b.grantType !== 'authorization_code')
        return { status: 400, body: { code: 'invalidClient', message: 'bad client' } };
      const c = takeCode('dingtalk', b.code);
      if (!c) return { status: 400, body: { code: 'invalidAuthCode', message: 'bad code' } };
      return { status: 200, body: { accessToken: issue('dingtalk', c.user), refreshToken: rnd(), expireIn: 7200 } };
    }
    if (d && key === 'GET /v1.0/contact/users/me') {
      const t = userTokens.get(String(headers['x-acs-dingtalk-access-token'] ?? ''));
      if (t === undefined || t.platform !== 'dingtalk')
        return { status: 401, body: { code: 'InvalidAuthentication', message: 'bad token' } };
      return { status: 200, body: { nick: t.user.name, unionId: `union-${t.user.id}`, openId: `open-${t.user.id}` } };
    }
    if (d && key === 'POST /v1.0/oauth2/accessToken') {
      if (b.appKey !== d.clientId || b.appSecret !== d.clientSecret)
        return { status: 400, body: { code: 'invalidClient' } };
      const t = `dt-app-${rnd()}`;
      appTokens.add(t);
      return { status: 200, body: { accessToken: t, expireIn: 7200 } };
    }
    if (d && key === 'POST /topapi/user/getbyunionid') {
      if (!appTokens.has(q.get('access_token') ?? ''))
        return { status: 200, body: { errcode: 40014, errmsg: 'invalid access_token' } };
      const unionid = String(b.unionid ?? '');
      const staff = unionid.startsWith('union-') ? unionid.slice(6) : null;
      if (!staff || (d.corpUsers && !d.corpUsers[staff]))
        return { status: 200, body: { errcode: 60121, errmsg: '找不到该用户' } };
      return { status: 200, body: { errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid: staff } } };
    }
    // WeCom
    if (w && key === 'GET /wwlogin/sso/login') {
      const ok = q.get('appid') === w.corpId && q.get('agentid') === w.agentId && q.get('login_type') === 'CorpApp';
      return loginPage('wecom', q, ok, 'code');
    }
    if (w && key === 'GET /cgi-bin/gettoken') {
      if (q.get('corpid') !== w.corpId || q.get('corpsecret') !== w.secret)
        return { status: 200, body: { errcode: 40001, errmsg: 'invalid credential' } };
      const t = `wc-app-${rnd()}`;
      appTokens.add(t);
      return { status: 200, body: { errcode: 0, errmsg: 'ok', access_token: t, expires_in: 7200 } };
    }
    if (w && key === 'GET /cgi-bin/auth/getuserinfo') {
      if (!appTokens.has(q.get('access_token') ?? ''))
        return { status: 200, body: { errcode: 40014, errmsg: 'invalid access_token' } };
      const c = takeCode('wecom', q.get('code'));
      if (!c) return { status: 200, body: { errcode: 40029, errmsg: 'invalid code' } };
      return { status: 200, body: { errcode: 0, errmsg: 'ok', userid: c.user.id } };
    }
    return { status: 404, body: { error: `fake oauth: no route ${key}` } };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    calls.push(`${req.method} ${url.pathname}`);
    const r = route(req.method ?? 'GET', url, req.headers, parseBody(raw));
    if (r.status === 302) {
      res.writeHead(302, r.headers);
      res.end();
      return;
    }
    reply(res, r);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    signInAs(platform, id, name = id) {
      current[platform] = { id, name };
    },
    deny(platform) {
      current[platform] = 'deny';
    },
    close: () => closeServer(server),
  };
}
