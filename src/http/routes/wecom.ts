import type Router from '@koa/router';
import type { InboundHandler, WebhookInbound } from '../../platforms/types';
import type { InboundResult } from '../../shared/metrics';
import { mountWebhook } from './webhook';

/** The WeCom app's callback URL ("接收消息 → 设置API接收"): GET = URL verification, POST = messages and events. */
export const WECOM_CALLBACK_PATH = '/wecom/callback';

/** Mounts the WeCom callback (GET + POST) through the shared webhook route. */
export function mountWecom(
  router: Router,
  adapter: WebhookInbound,
  handle: InboundHandler,
  observe?: (result: InboundResult, seconds: number) => void,
): void {
  mountWebhook(router, [WECOM_CALLBACK_PATH], adapter, handle, ['GET', 'POST'], observe);
}
