import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { ReportCache } from '../../app/console-report';
import type { Handoff } from '../../bootstrap';
import { adminConfig } from '../../config/admin-env';
import { ADMIN_ROLE, holdsRole } from '../../domain/org';
import { storedSessionSecret } from '../../store/admin-secret.repo';
import { SqliteConsoleQueries } from '../../store/console.queries';
import { csvStream, EXPORTS, isExportTable, xlsxStream } from '../admin/export';
import { esc, layout } from '../admin/html';
import { LoginError, type LoginProvider, loginProviders } from '../admin/oauth';
import {
  auditPage,
  cyclePage,
  exportsPage,
  overduePage,
  overviewPage,
  type PageCtx,
  parseSort,
  projectPage,
  workPage,
} from '../admin/pages';
import {
  type AdminSession,
  CookieSigner,
  liveSession,
  newSession,
  randomToken,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  STATE_COOKIE,
  STATE_TTL_MS,
  sameSecret,
} from '../admin/session';

/**
 * The admin console at /admin. Sign-in: the running platform's web login (only people holding the org's `admin`
 * role), or ADMIN_TOKEN. Without a platform and without ADMIN_TOKEN, a one-time token is generated at start-up and
 * printed on stdout (like a Jupyter token): the local mode stays usable and is never open to anyone.
 * Sessions are signed cookies (HttpOnly, SameSite=Lax, Secure behind https); every POST must come from this origin
 * and carry the session's CSRF token.
 */
const WEB_DIR = new URL('../admin/web/', import.meta.url);
const require = createRequire(import.meta.url);
const ECHARTS = require.resolve('echarts/dist/echarts.min.js');
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** This server's origin as the browser sees it (behind a proxy: X-Forwarded-Proto/Host, app.proxy is on). */
const originOf = (ctx: Context) => `${ctx.protocol}://${ctx.host}`;

type Query = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

export function mountAdmin(
  router: Router,
  handoff: Handoff,
  out: (line: string) => void = (l) => process.stdout.write(l),
): void {
  const admin =
    handoff.config.admin ??
    adminConfig({
      ADMIN_TOKEN: undefined,
      ADMIN_SESSION_SECRET: undefined,
      FEISHU_LOGIN_URL: 'https://accounts.feishu.cn',
      DINGTALK_LOGIN_URL: 'https://login.dingtalk.com',
      DINGTALK_OAPI_URL: 'https://oapi.dingtalk.com',
      WECOM_LOGIN_URL: 'https://login.work.weixin.qq.com',
    });
  const providers = loginProviders(handoff.config, admin);
  let token = admin.token;
  if (!token && providers.length === 0) {
    token = randomToken(18);
    out(`  admin:     /admin  ← 管理后台一次性令牌（本次启动有效，设置 ADMIN_TOKEN 可固定）：${token}\n`);
  }
  const signer = new CookieSigner(admin.sessionSecret ?? storedSessionSecret(handoff.db));
  const deps = handoff.deps;
  const q = deps.console ?? new SqliteConsoleQueries(handoff.db);
  const pc: PageCtx = { deps, q, cache: new ReportCache() };
  const now = () => deps.clock.now().getTime();

  const cookieOpts = (ctx: Context, maxAge: number) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: ctx.secure,
    path: '/admin',
    maxAge,
    overwrite: true,
    signed: false,
  });
  const sessionOf = (ctx: Context): AdminSession | null => {
    const s = liveSession(signer.verify<AdminSession>(ctx.cookies.get(SESSION_COOKIE)), now());
    if (!s) return null;
    // Someone whose admin role was taken away since signing in is out at once.
    if (s.via !== 'token' && !holdsRole(deps.org.view(), s.user, ADMIN_ROLE)) return null;
    return s;
  };
  const html = (ctx: Context, status: number, page: string) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.body = page;
  };
  const message = (ctx: Context, status: number, title: string, text: string) =>
    html(
      ctx,
      status,
      layout({
        title,
        path: '',
        body: `<p data-testid="message">${esc(text)}</p><p><a href="/admin/login">重新登录</a></p>`,
      }),
    );

  /** POSTs: same origin (Origin or Sec-Fetch-Site), and a urlencoded body of a few fields. */
  const sameOrigin = (ctx: Context): boolean => {
    const origin = ctx.get('origin');
    const site = ctx.get('sec-fetch-site');
    if (origin) return origin === originOf(ctx);
    return site === 'same-origin';
  };
  const formBody = async (ctx: Context): Promise<URLSearchParams> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of ctx.req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 8192) ctx.throw(413, '请求过大');
      chunks.push(c);
    }
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  };
  const signIn = (ctx: Context, user: string, name: string, via: string) => {
    const s = newSession(user, name, via, now());
    ctx.cookies.set(SESSION_COOKIE, signer.sign(s), cookieOpts(ctx, SESSION_TTL_MS));
  };
  const safeNext = (v: string) => (/^\/admin(\/[\w\-./?=&%]*)?$/.test(v) && !v.startsWith('//') ? v : '/admin');

  // Assets: no session needed (nothing in them is private).
  router.get('/admin/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    const types: Record<string, string> = {
      'echarts.min.js': 'application/javascript; charset=utf-8',
      'console.js': 'application/javascript; charset=utf-8',
      'console.css': 'text/css; charset=utf-8',
    };
    const type = types[file];
    if (!type) return;
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = await readFile(file === 'echarts.min.js' ? ECHARTS : new URL(file, WEB_DIR));
  });

  router.get('/admin/login', (ctx) => {
    if (sessionOf(ctx)) return ctx.redirect('/admin');
    const next = safeNext(one((ctx.query as Query).next));
    const buttons = providers
      .map(
        (p) =>
          `<p><a class="button" data-testid="login-${p.platform}" href="/admin/login/${p.platform}?next=${encodeURIComponent(next)}">用${esc(p.label)}登录</a></p>`,
      )
      .join('');
    const tokenForm = token
      ? `<form method="post" action="/admin/login/token" class="token-login"><input type="hidden" name="next" value="${esc(next)}">
<label>管理员令牌 <input type="password" name="token" data-testid="token-input" autocomplete="current-password" required></label>
<button type="submit" data-testid="token-submit">登录</button></form>`
      : '';
    const err = one((ctx.query as Query).error);
    html(
      ctx,
      200,
      layout({
        title: '登录',
        path: '/admin/login',
        body: `${err ? `<p class="error" data-testid="login-error">${esc(err)}</p>` : ''}<p>只有组织文件中拥有 admin 角色的人员可以登录。</p>${buttons}${tokenForm}${
          !buttons && !tokenForm ? '<p>没有可用的登录方式：请设置 ADMIN_TOKEN。</p>' : ''
        }`,
      }),
    );
  });

  router.post('/admin/login/token', async (ctx) => {
    if (!sameOrigin(ctx)) return message(ctx, 403, '拒绝', '拒绝来自其他网页的登录请求。');
    const form = await formBody(ctx);
    if (!token) return message(ctx, 404, '未启用', '本服务未启用令牌登录（ADMIN_TOKEN）。');
    if (!sameSecret(form.get('token') ?? '', token)) {
      return ctx.redirect(`/admin/login?error=${encodeURIComponent('令牌不正确。')}`);
    }
    signIn(ctx, 'token', '管理员（令牌）', 'token');
    ctx.redirect(safeNext(form.get('next') ?? '/admin'));
  });

  const byPlatform = new Map<string, LoginProvider>(providers.map((p) => [p.platform, p]));
  const callbackUrl = (ctx: Context, p: LoginProvider) => `${originOf(ctx)}/admin/callback/${p.platform}`;

  router.get('/admin/login/:platform', (ctx) => {
    const p = byPlatform.get(ctx.params.platform ?? '');
    if (!p) return message(ctx, 404, '未启用', '该平台未启用。');
    const state = randomToken(18);
    const next = safeNext(one((ctx.query as Query).next));
    ctx.cookies.set(
      STATE_COOKIE,
      signer.sign({ state, next, exp: now() + STATE_TTL_MS }),
      cookieOpts(ctx, STATE_TTL_MS),
    );
    ctx.redirect(p.authorizeUrl(callbackUrl(ctx, p), state));
  });

  router.get('/admin/callback/:platform', async (ctx) => {
    const p = byPlatform.get(ctx.params.platform ?? '');
    if (!p) return message(ctx, 404, '未启用', '该平台未启用。');
    const query = ctx.query as Query;
    const saved = signer.verify<{ state: string; next: string; exp: number }>(ctx.cookies.get(STATE_COOKIE));
    ctx.cookies.set(STATE_COOKIE, '', cookieOpts(ctx, 0));
    if (!saved || saved.exp <= now() || !sameSecret(one(query.state), saved.state)) {
      return message(ctx, 400, '登录失败', '登录已过期或不是从本站发起的，请重新登录。');
    }
    const code = p.codeOf(query);
    if (!code)
      return message(ctx, 400, '登录失败', `${p.label}未返回授权码（${one(query.error) || '用户取消了授权'}）。`);
    let who: { platformUserId: string; name: string | null };
    try {
      who = await p.identify(code, callbackUrl(ctx, p));
    } catch (e) {
      deps.logger.warn('admin sign-in failed', {
        platform: p.platform,
        error: e instanceof Error ? e.message : String(e),
      });
      const why = e instanceof LoginError ? e.message : '登录服务暂时不可用';
      return message(ctx, 502, '登录失败', `${p.label}登录失败：${why}`);
    }
    const user = deps.org.userByIdentity(p.platform, who.platformUserId);
    const org = deps.org.view();
    if (!user || !holdsRole(org, user, ADMIN_ROLE)) {
      deps.logger.warn('admin sign-in refused', { platform: p.platform, user: user ?? who.platformUserId });
      return message(
        ctx,
        403,
        '无权访问',
        `${user ? (org.users[user]?.name ?? user) : (who.name ?? who.platformUserId)} 不是管理员：只有组织文件中拥有 admin 角色的人员可以进入管理后台。`,
      );
    }
    signIn(ctx, user, org.users[user]?.name ?? user, p.platform);
    ctx.redirect(safeNext(saved.next));
  });

  // Everything below needs a session.
  const guard = async (ctx: Context, next: Next) => {
    const s = sessionOf(ctx);
    if (!s) {
      if (ctx.method === 'GET') return ctx.redirect(`/admin/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      return message(ctx, 401, '请先登录', '会话已过期，请重新登录。');
    }
    ctx.state.admin = s;
    await next();
  };
  const page =
    (title: string, path: string, render: (ctx: Context) => { body: string; title?: string } | null, charts = true) =>
    async (ctx: Context) => {
      const s = ctx.state.admin as AdminSession;
      const r = render(ctx);
      if (!r) return message(ctx, 404, '未找到', '没有这个项目。');
      html(
        ctx,
        200,
        layout({ title: r.title ?? title, path, user: { name: s.name, csrf: s.csrf }, body: r.body, charts }),
      );
    };

  router.post('/admin/logout', guard, async (ctx) => {
    const s = ctx.state.admin as AdminSession;
    const form = await formBody(ctx);
    if (!sameOrigin(ctx) || !sameSecret(form.get('csrf') ?? '', s.csrf)) {
      return message(ctx, 403, '拒绝', '请求缺少有效的 CSRF 令牌。');
    }
    ctx.cookies.set(SESSION_COOKIE, '', cookieOpts(ctx, 0));
    ctx.redirect('/admin/login');
  });
  router.get(
    '/admin',
    guard,
    page('概览', '/admin', () => overviewPage(pc)),
  );
  router.get(
    '/admin/work',
    guard,
    page('待办：谁在处理什么', '/admin/work', (ctx) => {
      const qs = ctx.query as Query;
      return workPage(pc, {
        region: one(qs.region),
        role: one(qs.role),
        person: one(qs.person),
        sort: parseSort(one(qs.sort)),
        page: Math.max(1, Number.parseInt(one(qs.page), 10) || 1),
      });
    }),
  );
  router.get(
    '/admin/overdue',
    guard,
    page('逾期资料', '/admin/overdue', (ctx) =>
      overduePage(pc, Math.max(1, Number.parseInt(one((ctx.query as Query).page), 10) || 1)),
    ),
  );
  router.get(
    '/admin/cycle',
    guard,
    page('处理时长', '/admin/cycle', () => cyclePage(pc)),
  );
  router.get('/admin/project', guard, (ctx) => {
    ctx.redirect(
      `/admin/projects/${encodeURIComponent(
        one((ctx.query as Query).regNo)
          .trim()
          .toUpperCase(),
      )}`,
    );
  });
  router.get(
    '/admin/projects/:regNo',
    guard,
    page('项目', '', (ctx) => projectPage(pc, ctx.params.regNo ?? ''), false),
  );
  router.get(
    '/admin/audit',
    guard,
    page(
      '审计日志',
      '/admin/audit',
      (ctx) => {
        const qs = ctx.query as Query;
        const before = Number.parseInt(one(qs.before), 10);
        const regNo = one(qs.regNo).trim().toUpperCase();
        return auditPage(pc, Number.isFinite(before) ? before : null, regNo || undefined);
      },
      false,
    ),
  );
  router.get(
    '/admin/exports',
    guard,
    page('导出', '/admin/exports', () => exportsPage(), false),
  );
  router.get('/admin/export/:file', guard, (ctx) => {
    const m = /^(\w+)\.(csv|xlsx)$/.exec(ctx.params.file ?? '');
    const table = m?.[1] ?? '';
    if (!m || !isExportTable(table)) return message(ctx, 404, '未找到', '没有这个导出。');
    const stamp = new Date(now()).toISOString().slice(0, 10);
    const name = `handoff-${table}-${stamp}.${m[2]}`;
    const title = encodeURIComponent(`${EXPORTS[table].title}-${stamp}.${m[2]}`);
    ctx.set('Content-Disposition', `attachment; filename="${name}"; filename*=UTF-8''${title}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (m[2] === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = csvStream(table, q.rows(table), deps.timeZone);
    } else {
      ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      ctx.body = xlsxStream(table, q.rows(table), deps.timeZone);
    }
  });
}
