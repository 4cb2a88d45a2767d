import type Router from '@koa/router';
import type { Context } from 'koa';
import type { InboundHandler, WebhookInbound } from '../../platforms/types';
import { MalformedPayloadError, VerificationError } from '../../shared/errors';
import type { InboundResult } from '../../shared/metrics';
import { BodyTooLargeError, readRawBody } from '../middleware/raw-body';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Mounts a webhook platform on `paths`: raw body → adapter.parseHttp → pipeline → adapter.httpReply. */
export function mountWebhook(
  router: Router,
  paths: string[],
  adapter: WebhookInbound,
  handle: InboundHandler,
  methods: ('GET' | 'POST')[] = ['POST'],
  /** Told the result and the time to the ack of every delivery (metrics). */
  observe: (result: InboundResult, seconds: number) => void = () => {},
): void {
  const route = async (ctx: Context) => {
    const t0 = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    try {
      const result = await handleDelivery(ctx);
      observe(result, seconds());
    } catch (e) {
      observe(classify(e), seconds());
      throw e;
    }
  };
  const handleDelivery = async (ctx: Context): Promise<InboundResult> => {
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
      return 'handshake';
    }
    const reply = await handle(parsed);
    const res = adapter.httpReply(reply, parsed);
    ctx.type = res.contentType ?? 'application/json';
    ctx.body = res.body;
    return 'ok';
  };
  for (const path of paths) {
    if (methods.includes('POST')) router.post(path, route);
    if (methods.includes('GET')) router.get(path, route);
  }
}

function classify(e: unknown): InboundResult {
  if (e instanceof VerificationError) return 'rejected';
  if (e instanceof MalformedPayloadError) return 'malformed';
  if (e instanceof BodyTooLargeError) return 'too_large';
  return 'error';
}
