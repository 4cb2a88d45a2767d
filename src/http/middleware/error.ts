import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { MalformedPayloadError, VerificationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { BodyTooLargeError } from './raw-body';

/**
 * The only place errors become HTTP statuses: forged/stale/undecryptable → 401, malformed → 400, too large → 413,
 * anything else → 500 with a request id (the stack is logged, never returned). Domain refusals never get here:
 * they are answered with 200 and a toast, because platforms count a non-200 as a failed delivery.
 */
export function errorMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    const requestId = randomUUID();
    ctx.set('x-request-id', requestId);
    try {
      await next();
    } catch (e) {
      const fields = { requestId, path: ctx.path, error: e instanceof Error ? e.message : String(e) };
      if (e instanceof VerificationError) {
        logger.warn('delivery refused: verification failed', fields);
        ctx.status = 401;
        ctx.body = { error: 'verification failed', requestId };
      } else if (e instanceof MalformedPayloadError) {
        logger.warn('delivery refused: malformed payload', fields);
        ctx.status = 400;
        ctx.body = { error: 'malformed payload', requestId };
      } else if (e instanceof BodyTooLargeError) {
        logger.warn('delivery refused: body too large', fields);
        ctx.status = 413;
        ctx.body = { error: 'payload too large', requestId };
      } else {
        logger.error('unhandled error', { ...fields, stack: e instanceof Error ? e.stack : undefined });
        ctx.status = 500;
        ctx.body = { error: 'internal error', requestId };
      }
    }
  };
}
