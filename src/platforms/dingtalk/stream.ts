/**
 * DingTalk Stream mode source (dingtalk-wecom.md B1/B2): the real `dingtalk-stream` DWClient, subclassed where
 * 2.1.5 falls short, feeding the same InboundHandler as the HTTP route.
 *
 * What the subclass changes, and why:
 * - `getEndpoint()`: 2.1.5 posts to the module constant GATEWAY_URL (api.dingtalk.com) with no way to configure it.
 *   Ours posts to `${gatewayUrl}/v1.0/gateway/connections/open` (same body, `Accept: application/json`) with a
 *   timeout, then sets the SDK's private `dw_url` = `${endpoint}?ticket=${ticket}` exactly as the SDK does.
 *   Subscriptions: only our two CALLBACK topics (no EVENT `*`: we handle no events and must not steal them).
 * - `onDownStream()`: the SDK JSON.parses without a guard (a bad frame would throw in the socket handler) and
 *   never acks a CALLBACK whose topic has no listener. Ours validates the frame, leaves SYSTEM (ping is echoed) and
 *   EVENT (auto-acked SUCCESS) to the SDK, and handles every CALLBACK itself: each one is acked exactly once —
 *   ignored and malformed ones with 200 `{"response":null}`, handler failures with 500.
 * - `connect()`: no reconnect once stopped (the SDK's pending 1 s reconnect timer would otherwise revive it), and
 *   one reconnect loop at a time.
 * Ack data: robot messages `{"response":null}` (content ignored by DingTalk); card callbacks
 * `{"response": CardResponse|null}` — the inline card update (render-card.ts).
 */
import { DWClient, type DWClientDownStream, TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import { MalformedPayloadError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { AckReply, InboundEvent, InboundHandler } from '../types';
import { normalizeCardCallback, normalizeRobotMessage } from './normalize';
import { isRecord, rec, str, tryJson } from './payloads';

export const STREAM_TOPICS = { robot: TOPIC_ROBOT, card: TOPIC_CARD } as const;
export const SUBSCRIPTIONS = [
  { type: 'CALLBACK', topic: TOPIC_ROBOT },
  { type: 'CALLBACK', topic: TOPIC_CARD },
];
const UA = 'handoff dingtalk-stream/2.1.5';
const WS_CLOSED = 3;

export interface StreamConnection {
  stop(): Promise<void>;
}

export interface StreamOptions {
  clientId: string;
  clientSecret: string;
  /** Base URL of the gateway, e.g. https://api.dingtalk.com (no trailing slash). */
  gatewayUrl: string;
  logger: Logger;
  handler: InboundHandler;
  /** The ack `response` for a card callback (null: no inline update). */
  cardResponse: (reply: AckReply) => unknown;
  connectTimeoutMs: number;
  timeoutMs: number;
}

interface WsLike {
  readyState: number;
  send(data: string): void;
  once(event: 'close', fn: () => void): unknown;
  terminate(): void;
}

function isWsLike(v: unknown): v is WsLike {
  return (
    isRecord(v) && typeof v.send === 'function' && typeof v.once === 'function' && typeof v.readyState === 'number'
  );
}

class StreamClient extends DWClient {
  private stopped = false;
  private reconnectInFlight = false;

  constructor(
    private readonly o: StreamOptions,
    private readonly log: Logger,
    private readonly onCallbackFrame: (frame: DWClientDownStream) => void,
  ) {
    super({ clientId: o.clientId, clientSecret: o.clientSecret, ua: UA, keepAlive: false, debug: false });
  }

  override async getEndpoint(): Promise<this> {
    const res = await fetch(`${this.o.gatewayUrl}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        clientId: this.o.clientId,
        clientSecret: this.o.clientSecret,
        ua: UA,
        subscriptions: SUBSCRIPTIONS,
      }),
      signal: AbortSignal.timeout(this.o.timeoutMs),
    });
    const body = rec(tryJson(await res.text()));
    const endpoint = str(body?.endpoint);
    const ticket = str(body?.ticket);
    if (!res.ok || !endpoint || !ticket) {
      throw new Error(`dingtalk stream gateway refused: HTTP ${res.status} ${str(body?.code) ?? ''}`.trim());
    }
    Reflect.set(this, 'dw_url', `${endpoint}?ticket=${ticket}`);
    return this;
  }

  /**
   * The SDK's reconnect entry point (socket `close` handler and its own retry timer). A failed socket attempt
   * schedules BOTH, so without this guard the number of parallel reconnect loops doubles on every failure.
   */
  override async connect(): Promise<void> {
    if (this.stopped || this.reconnectInFlight || this.connected) return;
    this.reconnectInFlight = true;
    this.log.warn('stream connection lost, reconnecting');
    try {
      await super.connect();
    } finally {
      this.reconnectInFlight = false;
    }
    if (this.connected) this.log.info('stream reconnected');
  }

  async open(): Promise<void> {
    await this.getEndpoint();
    await this._connect();
  }

  override onDownStream(data: string): void {
    const frame = toFrame(tryJson(String(data)));
    if (!frame) {
      this.log.warn('unreadable stream frame dropped');
      return;
    }
    if (frame.type === 'CALLBACK') this.onCallbackFrame(frame);
    else if (frame.type === 'SYSTEM') this.onSystem(frame);
    else if (frame.type === 'EVENT') this.onEvent(frame);
    else this.log.warn('unknown stream frame type', { type: frame.type });
  }

  /** Acks one CALLBACK frame: 200 + `{response}` through the SDK, or another code on the raw socket. */
  ack(messageId: string, code: 200 | 500, response: unknown): void {
    if (code === 200) {
      this.socketCallBackResponse(messageId, response);
      return;
    }
    const frame = { code, headers: { contentType: 'application/json', messageId }, message: 'ERROR', data: '{}' };
    this.rawSocket()?.send(JSON.stringify(frame));
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    const ws = this.rawSocket();
    if (!ws || ws.readyState === WS_CLOSED) {
      this.disconnect();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), 2000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.disconnect();
    });
  }

  private rawSocket(): WsLike | undefined {
    const ws: unknown = Reflect.get(this, 'socket');
    return isWsLike(ws) ? ws : undefined;
  }
}

/** A downstream frame with the fields we rely on, or undefined. */
function toFrame(v: unknown): DWClientDownStream | undefined {
  if (!isRecord(v)) return undefined;
  const h = rec(v.headers);
  const type = str(v.type);
  const messageId = str(h?.messageId);
  const topic = str(h?.topic);
  if (!h || !type || !messageId || !topic) return undefined;
  return {
    specVersion: str(v.specVersion) ?? '1.0',
    type,
    headers: {
      ...h,
      appId: str(h.appId) ?? '',
      connectionId: str(h.connectionId) ?? '',
      contentType: str(h.contentType) ?? 'application/json',
      messageId,
      time: str(h.time) ?? '',
      topic,
    },
    data: typeof v.data === 'string' ? v.data : JSON.stringify(v.data ?? null),
  };
}

export async function startStream(o: StreamOptions): Promise<StreamConnection> {
  const log = o.logger.child({ platform: 'dingtalk', transport: 'stream' });
  const client: StreamClient = new StreamClient(o, log, (frame) => {
    void handleCallback(frame).catch((e: unknown) => log.error('stream callback failed', { error: e }));
  });

  const handleCallback = async (frame: DWClientDownStream): Promise<void> => {
    const { messageId, topic } = frame.headers;
    let ev: InboundEvent;
    try {
      ev = toEvent(topic, tryJson(frame.data), messageId);
    } catch (e) {
      if (!(e instanceof MalformedPayloadError)) throw e;
      log.warn('malformed callback acked and dropped', { topic, messageId, error: e.message });
      client.ack(messageId, 200, null);
      return;
    }
    if (ev.kind === 'ignored') {
      log.debug('callback ignored', { topic, messageId, reason: ev.reason });
      client.ack(messageId, 200, null);
      return;
    }
    let reply: AckReply;
    try {
      reply = await o.handler(ev);
    } catch (e) {
      log.error('inbound handler failed', { error: e, eventId: ev.eventId });
      client.ack(messageId, 500, null);
      return;
    }
    client.ack(messageId, 200, ev.kind === 'cardAction' ? o.cardResponse(reply) : null);
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`dingtalk stream not connected after ${o.connectTimeoutMs} ms`)),
      o.connectTimeoutMs,
    );
  });
  try {
    await Promise.race([client.open(), timeout]);
  } catch (e) {
    await client.shutdown();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  log.info('stream connected');
  return { stop: () => client.shutdown() };
}

function toEvent(topic: string, data: unknown, messageId: string): InboundEvent {
  if (topic === TOPIC_ROBOT) return normalizeRobotMessage(data);
  if (topic === TOPIC_CARD) return normalizeCardCallback(data, messageId);
  return { kind: 'ignored', reason: `unsubscribed topic: ${topic}` };
}
