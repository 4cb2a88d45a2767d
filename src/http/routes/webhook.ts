import type Router from '@koa/router';
import type { Context } from 'koa';
import type { InboundHandler, WebhookInbound } from '../../platforms/types';
import { readRawBody } from '../middleware/raw-body';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Mounts a webhook platform on `paths`: raw body → adapter.parseHttp → pipeline → adapter.httpReply. */
export function mountWebhook(
  router: Router,
  paths: string[],
  adapter: WebhookInbound,
  handle: InboundHandler,
  methods: ('GET' | 'POST')[] = ['POST'],
): void {
  const route = async (ctx: Context) => {
    const method = ctx.method === 'GET' ? 'GET' : 'POST';
    const rawBody = method === 'POST' ? await readRawBody(ctx, MAX_BODY_BYTES) : Buffer.alloc(0);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(ctx.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
    const query: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(ctx.query)) query[k] = Array.isArray(v) ? v[0] : v;
    const parsed = await adapter.parseHttp({ method, query, headers, rawBody });
    ctx.status = 200;
    if (parsed.kind === 'handshake') {
      ctx.type = parsed.contentType ?? 'application/json';
      ctx.body = parsed.body;
      return;
    }
    const reply = await handle(parsed);
    const res = adapter.httpReply(reply, parsed);
    ctx.type = res.contentType ?? 'application/json';
    ctx.body = res.body;
  };
  for (const path of paths) {
    if (methods.includes('POST')) router.post(path, route);
    if (methods.includes('GET')) router.get(path, route);
  }
}
