/**
 * Long-connection source (FEISHU_MODE=ws): the SDK's WSClient + EventDispatcher feed the same InboundHandler as
 * the webhook route, and a card action's AckReply goes back on the socket as the callback response.
 *
 * - The dispatcher hands handlers the flattened `{ ...header, ...event }` object; normalize rebuilds the envelope.
 * - No signature / token check: frames arrive on a socket opened with the app credentials, `header.token` may be
 *   empty there (feishu.md §10), and the SDK invokes with `needCheck: false`.
 * - Resolves once the first handshake succeeds (`onReady`); rejects on a fatal error or after `connectTimeoutMs`.
 *   WSClient silently refuses app ids that are not `cli_` + 16 hex chars, so that is checked up front.
 */
import { MalformedPayloadError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { AckReply, InboundEvent, InboundHandler } from '../types';
import { bridgeLogger, DEFAULT_TIMEOUT_MS, larkSdk, timeoutHttpInstance } from './client';
import { EVENT_CARD_ACTION, EVENT_MESSAGE, envelopeFromFlattened, normalizeEnvelope } from './normalize';

export interface LongConnection {
  stop(): Promise<void>;
}

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  baseUrl: string;
  encryptKey?: string;
  logger: Logger;
  handler: InboundHandler;
  renderAck: (reply: AckReply) => object;
  connectTimeoutMs: number;
  /** The bot's open_id once known (group messages count only when they @-mention it). */
  botOpenId: () => string | null;
}

const WS_APP_ID = /^cli_[0-9a-fA-F]{16}$/;

export function startLongConnection(o: LongConnectionOptions): Promise<LongConnection> {
  if (!WS_APP_ID.test(o.appId)) {
    return Promise.reject(new Error('feishu long connection needs an app id of the form cli_<16 hex chars>'));
  }
  const log = o.logger.child({ platform: 'feishu', transport: 'ws' });
  const lark = larkSdk();
  const dispatch = async (data: unknown): Promise<AckReply | null> => {
    let ev: InboundEvent;
    try {
      const parsed = normalizeEnvelope(envelopeFromFlattened(data), { botOpenId: o.botOpenId() });
      ev = parsed.kind === 'handshake' ? { kind: 'ignored', reason: 'handshake on long connection' } : parsed;
    } catch (e) {
      if (!(e instanceof MalformedPayloadError)) throw e;
      log.warn('malformed event dropped', { error: e.message });
      return null;
    }
    try {
      return await o.handler(ev);
    } catch (e) {
      log.error('inbound handler failed', { error: e, eventId: 'eventId' in ev ? ev.eventId : undefined });
      throw e;
    }
  };
  const dispatcher = new lark.EventDispatcher({
    ...(o.encryptKey ? { encryptKey: o.encryptKey } : {}),
    logger: bridgeLogger(log),
    loggerLevel: lark.LoggerLevel.warn,
  }).register({
    [EVENT_MESSAGE]: async (data: unknown) => {
      await dispatch(data);
      return {};
    },
    [EVENT_CARD_ACTION]: async (data: unknown) => {
      const reply = await dispatch(data);
      return reply ? o.renderAck(reply) : {};
    },
  });

  return new Promise<LongConnection>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const client = new lark.WSClient({
      appId: o.appId,
      appSecret: o.appSecret,
      domain: o.baseUrl,
      logger: bridgeLogger(log),
      loggerLevel: lark.LoggerLevel.warn,
      httpInstance: timeoutHttpInstance(DEFAULT_TIMEOUT_MS),
      autoReconnect: true,
      onReady: () => {
        log.info('long connection ready');
        settle(() => resolve({ stop: async () => client.close({ force: true }) }));
      },
      onError: (err) => {
        log.error('long connection failed', { error: err });
        settle(() => {
          client.close({ force: true });
          reject(err);
        });
      },
      onReconnecting: () => log.warn('long connection lost, reconnecting'),
      onReconnected: () => log.info('long connection re-established'),
    });
    const timer = setTimeout(() => {
      settle(() => {
        client.close({ force: true });
        reject(new Error(`feishu long connection not ready after ${o.connectTimeoutMs} ms`));
      });
    }, o.connectTimeoutMs);
    client.start({ eventDispatcher: dispatcher }).catch((e: unknown) => {
      settle(() => {
        client.close({ force: true });
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  });
}
