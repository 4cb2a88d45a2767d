import { timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Metrics } from '../../shared/metrics';

export const METRICS_PATH = '/metrics';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Who may scrape: with `token` set, only requests carrying `Authorization: Bearer <token>`; without it, only
 * direct connections from this machine (loopback, and no proxy header — a reverse proxy on the same host would
 * otherwise make every outside request look local).
 */
export function mayScrape(ctx: Context, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(ctx.get('authorization'));
    const want = Buffer.from(`Bearer ${token}`);
    return given.length === want.length && timingSafeEqual(given, want);
  }
  const direct = !ctx.get('x-forwarded-for') && !ctx.get('x-real-ip') && !ctx.get('forwarded');
  return direct && LOOPBACK.has(ctx.req.socket.remoteAddress ?? '');
}

export function mountMetrics(router: Router, metrics: Metrics, token: string | undefined): void {
  router.get(METRICS_PATH, async (ctx) => {
    if (!mayScrape(ctx, token)) {
      ctx.status = 403;
      ctx.type = 'text/plain';
      ctx.body = token
        ? 'metrics need Authorization: Bearer <METRICS_TOKEN>\n'
        : 'metrics are served to loopback only; set METRICS_TOKEN to scrape from elsewhere\n';
      return;
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.render();
  });
}
