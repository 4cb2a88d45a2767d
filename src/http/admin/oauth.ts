/**
 * The platforms' web logins, as OAuth 2.0 authorization-code flows. Each provider builds the URL the browser is sent
 * to and turns the code the platform sends back into the person's platform user id (the id the org file gives).
 *
 * - Feishu: `GET {login}/open-apis/authen/v1/authorize?client_id&redirect_uri&state` → `?code&state`;
 *   `POST {api}/open-apis/authen/v2/oauth/token {grant_type, client_id, client_secret, code, redirect_uri}` →
 *   `{code: 0, access_token}`; `GET {api}/open-apis/authen/v1/user_info` (Bearer) → `{code: 0, data: {open_id, name}}`.
 * - DingTalk: `GET {login}/oauth2/auth?client_id&redirect_uri&response_type=code&scope=openid&state&prompt=consent` →
 *   `?authCode&state`; `POST {api}/v1.0/oauth2/userAccessToken {clientId, clientSecret, code, grantType}` →
 *   `{accessToken}`; `GET {api}/v1.0/contact/users/me` (x-acs-dingtalk-access-token) → `{unionId, nick}`; the staff
 *   id through the app's token: `POST {oapi}/topapi/user/getbyunionid?access_token {unionid}` → `{result: {userid}}`.
 * - WeCom: `GET {login}/wwlogin/sso/login?login_type=CorpApp&appid&agentid&redirect_uri&state` → `?code&state`;
 *   `GET {api}/cgi-bin/gettoken?corpid&corpsecret` → `{access_token}`;
 *   `GET {api}/cgi-bin/auth/getuserinfo?access_token&code` → `{userid}` (a non-member gets `openid` only).
 */
import type { AdminConfig } from '../../config/admin-env';
import type { Config } from '../../config/env';

export type LoginPlatform = 'feishu' | 'dingtalk' | 'wecom';

export interface LoginProvider {
  platform: LoginPlatform;
  /** 飞书 / 钉钉 / 企业微信 */
  label: string;
  authorizeUrl(redirectUri: string, state: string): string;
  /** The code from the callback's query (DingTalk calls it authCode). */
  codeOf(query: Record<string, unknown>): string | null;
  /** The platform user id of whoever signed in, or an Error whose message says what went wrong. */
  identify(code: string, redirectUri: string): Promise<{ platformUserId: string; name: string | null }>;
}

export class LoginError extends Error {
  override name = 'LoginError';
}

const TIMEOUT_MS = 10_000;

async function call(what: string, url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new LoginError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LoginError(`${what}: HTTP ${res.status}, not JSON`);
  }
  if (typeof body !== 'object' || body === null) throw new LoginError(`${what}: HTTP ${res.status}, unexpected body`);
  const rec = body as Record<string, unknown>;
  if (!res.ok)
    throw new LoginError(`${what}: HTTP ${res.status} ${String(rec.msg ?? rec.message ?? rec.errmsg ?? '')}`);
  return rec;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});
const firstQuery = (v: unknown): string | null => str(Array.isArray(v) ? v[0] : v);

function feishu(c: NonNullable<Config['feishu']>, a: AdminConfig): LoginProvider {
  return {
    platform: 'feishu',
    label: '飞书',
    authorizeUrl: (redirectUri, state) =>
      `${a.feishuLoginUrl}/open-apis/authen/v1/authorize?${new URLSearchParams({ client_id: c.appId, redirect_uri: redirectUri, state })}`,
    codeOf: (q) => firstQuery(q.code),
    async identify(code, redirectUri) {
      const tok = await call(
        'feishu oauth token',
        `${c.baseUrl}/open-apis/authen/v2/oauth/token`,
        json({
          grant_type: 'authorization_code',
          client_id: c.appId,
          client_secret: c.appSecret,
          code,
          redirect_uri: redirectUri,
        }),
      );
      const accessToken = str(tok.access_token);
      if (tok.code !== 0 || !accessToken)
        throw new LoginError(`feishu oauth token: ${String(tok.error_description ?? tok.msg ?? tok.code)}`);
      const info = await call('feishu user_info', `${c.baseUrl}/open-apis/authen/v1/user_info`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const data = (info.data ?? {}) as Record<string, unknown>;
      const openId = str(data.open_id);
      if (info.code !== 0 || !openId) throw new LoginError(`feishu user_info: ${String(info.msg ?? info.code)}`);
      return { platformUserId: openId, name: str(data.name) };
    },
  };
}

function dingtalk(c: NonNullable<Config['dingtalk']>, a: AdminConfig): LoginProvider {
  return {
    platform: 'dingtalk',
    label: '钉钉',
    authorizeUrl: (redirectUri, state) =>
      `${a.dingtalkLoginUrl}/oauth2/auth?${new URLSearchParams({
        client_id: c.clientId,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid',
        state,
        prompt: 'consent',
      })}`,
    codeOf: (q) => firstQuery(q.authCode) ?? firstQuery(q.code),
    async identify(code) {
      const tok = await call(
        'dingtalk userAccessToken',
        `${c.baseUrl}/v1.0/oauth2/userAccessToken`,
        json({ clientId: c.clientId, clientSecret: c.clientSecret, code, grantType: 'authorization_code' }),
      );
      const userToken = str(tok.accessToken);
      if (!userToken) throw new LoginError('dingtalk userAccessToken: no accessToken');
      const me = await call('dingtalk users/me', `${c.baseUrl}/v1.0/contact/users/me`, {
        headers: { 'x-acs-dingtalk-access-token': userToken },
      });
      const unionId = str(me.unionId);
      if (!unionId) throw new LoginError('dingtalk users/me: no unionId');
      const app = await call(
        'dingtalk accessToken',
        `${c.baseUrl}/v1.0/oauth2/accessToken`,
        json({ appKey: c.clientId, appSecret: c.clientSecret }),
      );
      const appToken = str(app.accessToken);
      if (!appToken) throw new LoginError('dingtalk accessToken: no accessToken');
      const byUnion = await call(
        'dingtalk getbyunionid',
        `${a.dingtalkOapiUrl}/topapi/user/getbyunionid?access_token=${encodeURIComponent(appToken)}`,
        json({ unionid: unionId }),
      );
      const userid = str(((byUnion.result ?? {}) as Record<string, unknown>).userid);
      if (byUnion.errcode !== 0 || !userid) {
        throw new LoginError(`dingtalk getbyunionid: ${String(byUnion.errmsg ?? byUnion.errcode)}（不是本企业成员？）`);
      }
      return { platformUserId: userid, name: str(me.nick) };
    },
  };
}

function wecom(c: NonNullable<Config['wecom']>, a: AdminConfig): LoginProvider {
  return {
    platform: 'wecom',
    label: '企业微信',
    authorizeUrl: (redirectUri, state) =>
      `${a.wecomLoginUrl}/wwlogin/sso/login?${new URLSearchParams({
        login_type: 'CorpApp',
        appid: c.corpId,
        agentid: c.agentId,
        redirect_uri: redirectUri,
        state,
      })}`,
    codeOf: (q) => firstQuery(q.code),
    async identify(code) {
      const q = new URLSearchParams({ corpid: c.corpId, corpsecret: c.secret });
      const tok = await call('wecom gettoken', `${c.baseUrl}/cgi-bin/gettoken?${q}`);
      const token = str(tok.access_token);
      if (tok.errcode !== 0 || !token) throw new LoginError(`wecom gettoken: ${String(tok.errmsg ?? tok.errcode)}`);
      const info = await call(
        'wecom auth/getuserinfo',
        `${c.baseUrl}/cgi-bin/auth/getuserinfo?${new URLSearchParams({ access_token: token, code })}`,
      );
      if (info.errcode !== 0) throw new LoginError(`wecom auth/getuserinfo: ${String(info.errmsg ?? info.errcode)}`);
      const userid = str(info.userid);
      if (!userid) throw new LoginError('wecom auth/getuserinfo: 不是本企业成员（没有 userid）');
      return { platformUserId: userid, name: null };
    },
  };
}

/** One provider per running platform, in a fixed order (the sign-in page offers each). */
export function loginProviders(config: Config, admin: AdminConfig): LoginProvider[] {
  const out: LoginProvider[] = [];
  if (config.feishu) out.push(feishu(config.feishu, admin));
  if (config.dingtalk) out.push(dingtalk(config.dingtalk, admin));
  if (config.wecom) out.push(wecom(config.wecom, admin));
  return out;
}
