import type Router from '@koa/router';
import type { InboundHandler, WebhookInbound } from '../../platforms/types';
import { readRawBody } from '../middleware/raw-body';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Mounts a webhook platform on `paths`: raw body → adapter.parseHttp → pipeline → adapter.renderAck. */
export function mountWebhook(router: Router, paths: string[], adapter: WebhookInbound, handle: InboundHandler): void {
  for (const path of paths) {
    router.post(path, async (ctx) => {
      const rawBody = await readRawBody(ctx, MAX_BODY_BYTES);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(ctx.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
      const parsed = await adapter.parseHttp({ headers, rawBody });
      ctx.status = 200;
      ctx.type = 'application/json';
      if (parsed.kind === 'handshake') {
        ctx.body = parsed.body;
        return;
      }
      const reply = await handle(parsed);
      ctx.body = adapter.renderAck(reply) ?? {};
    });
  }
}
