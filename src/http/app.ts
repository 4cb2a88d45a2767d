import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../shared/logger';
import { errorMiddleware } from './middleware/error';

export interface HttpAppOptions {
  logger: Logger;
  health: () => Record<string, unknown>;
  /** Each mounts its routes on the router (platform webhooks, the local simulator). */
  mounts: ((router: Router) => void)[];
}

export function createHttpApp(opts: HttpAppOptions): Koa {
  const app = new Koa();
  app.proxy = true;
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', ...opts.health() };
  });
  for (const mount of opts.mounts) mount(router);
  app.use(errorMiddleware(opts.logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
