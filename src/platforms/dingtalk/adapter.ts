/**
 * DingTalk app-robot adapter: outbound (interactive cards through the card-instance API, text through robot
 * messages), the HTTP callback path (`parseHttp`/`renderAck`, mounted by the app at POST /dingtalk/callback) and the
 * Stream source (`startStream`).
 *
 * Outbound:
 * - Card → `POST /v1.0/card/instances/createAndDeliver` with the generic template (render-card.ts), `outTrackId` =
 *   sha256 hex of the idempotency key (stable, so a retry reuses it; 64 `[0-9a-f]`, like the official SDK's ids),
 *   delivered to `IM_ROBOT.<userId>` (user, or a `p2p:` chat) or `IM_GROUP.<openConversationId>`. messageId =
 *   outTrackId. Callbacks come over STREAM unless `cardCallbackRouteKey` is set (then HTTP to the URL registered
 *   under that route key, signed with `cardCallbackSecret`: see `cardCallbacks` and verify.ts).
 * - update → `PUT /v1.0/card/instances` with `updateCardDataByKey` (every slot is written, so nothing stale stays).
 * - Text → `oToMessages/batchSend` (user) or `groupMessages/send` (group) with `sampleText`; messageId =
 *   processQueryKey. DingTalk has no idempotency key for these: a retry after a lost response may post twice.
 * Inbound replies: a card click's AckReply.card goes back inline in the callback response. DingTalk has no toast we
 * can rely on, so `reply.toast` is sent AFTER the ack (setImmediate) as a one-to-one text to the clicker.
 */
import { createHash } from 'node:crypto';
import type { CardModel } from '../../../cards/model';
import { MalformedPayloadError, VerificationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import {
  type AckReply,
  type ContactLookup,
  type DeferredAck,
  type HttpReply,
  type InboundEvent,
  type InboundHandler,
  type OutboundContent,
  type ParsedDelivery,
  type PlatformAdapter,
  PlatformApiError,
  type RawInbound,
  type SendTarget,
  type WebhookInbound,
} from '../types';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, DingtalkApi, trimBaseUrl } from './client';
import { dingtalkContacts } from './contacts';
import { normalizeCardCallback, normalizeRobotMessage } from './normalize';
import { chatDestination, isRecord, type Json, rec, str, tryJson } from './payloads';
import { type CardParams, renderCardParams, renderCardResponse, toastText } from './render-card';
import type { StreamConnection } from './stream';
import { CARD_SIGNATURE_HEADERS, SIGNATURE_HEADERS, verifyCardSignature, verifySign } from './verify';

export interface DingtalkAdapterOptions {
  /** AppKey (Client ID). */
  clientId: string;
  /** AppSecret (Client Secret): token, Stream auth and the HTTP callback signature. */
  clientSecret: string;
  /** The app robot's robotCode (usually equal to the AppKey). */
  robotCode: string;
  /** The generic template's id from the card platform (docs/dingtalk-card-template.json). */
  cardTemplateId: string;
  /** OpenAPI base URL. Default https://api.dingtalk.com. */
  baseUrl?: string;
  /** topapi base URL (the contact lookup). Default https://oapi.dingtalk.com. */
  oapiBaseUrl?: string;
  /** Stream gateway base URL (tests). Default: baseUrl. */
  gatewayUrl?: string;
  /** When set, cards use HTTP callbacks routed to this callbackRouteKey instead of STREAM. */
  cardCallbackRouteKey?: string;
  /** The `apiSecret` the route key is registered with: HTTP card callbacks must carry its signature. */
  cardCallbackSecret?: string;
  clock: () => Date;
  logger: Logger;
  /** OpenAPI / gateway request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Time zone for card history times. Default Asia/Shanghai. */
  timeZone?: string;
}

export type { StreamConnection };

/** A stable outTrackId for an idempotency key. */
export function toOutTrackId(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey, 'utf8').digest('hex');
}

export class DingtalkAdapter implements PlatformAdapter, WebhookInbound {
  readonly platform = 'dingtalk' as const;
  /** Card-callback response deadline: 2 s (互动卡片 "事件回调" → 注意事项: "请在 2 秒内完成业务处理并响应"). */
  readonly ackDeadlineMs = 2000;
  private readonly api: DingtalkApi;
  private readonly log: Logger;
  /** The contact API behind the directory (topapi/v2/user/getbymobile). */
  readonly contacts: ContactLookup;

  constructor(private readonly opts: DingtalkAdapterOptions) {
    this.log = opts.logger.child({ platform: 'dingtalk' });
    this.api = new DingtalkApi({
      clientId: opts.clientId,
      clientSecret: opts.clientSecret,
      baseUrl: opts.baseUrl ?? DEFAULT_BASE_URL,
      ...(opts.oapiBaseUrl ? { oapiBaseUrl: opts.oapiBaseUrl } : {}),
      clock: opts.clock,
      logger: this.log,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    this.contacts = dingtalkContacts(this.api);
  }

  async send(to: SendTarget, content: OutboundContent, idempotencyKey: string): Promise<{ messageId: string }> {
    const dest = to.kind === 'user' ? { kind: 'user' as const, userId: to.id } : chatDestination(to.id);
    if (content.kind === 'text') {
      const msg = { msgKey: 'sampleText', msgParam: JSON.stringify({ content: content.text }) };
      return { messageId: await this.sendRobotMessage(dest, msg) };
    }
    const outTrackId = toOutTrackId(idempotencyKey);
    const body: Json = {
      cardTemplateId: this.opts.cardTemplateId,
      outTrackId,
      cardData: { cardParamMap: this.render(content.card) },
      userIdType: 1,
      ...this.callbackFields(),
    };
    if (dest.kind === 'user') {
      body.openSpaceId = `dtv1.card//IM_ROBOT.${dest.userId}`;
      body.imRobotOpenSpaceModel = { supportForward: false };
      body.imRobotOpenDeliverModel = { spaceType: 'IM_ROBOT', robotCode: this.opts.robotCode };
    } else {
      body.openSpaceId = `dtv1.card//IM_GROUP.${dest.id}`;
      body.imGroupOpenSpaceModel = { supportForward: false };
      body.imGroupOpenDeliverModel = { robotCode: this.opts.robotCode };
    }
    const res = await this.api.call('card.send', 'POST', '/v1.0/card/instances/createAndDeliver', body);
    const failed = deliverFailures(res);
    if (failed.length > 0) {
      throw new PlatformApiError(`dingtalk card.send not delivered: ${failed.join('; ').slice(0, 200)}`, 'dingtalk', {
        code: 'deliverFailed',
        status: 200,
        permanent: true,
      });
    }
    return { messageId: outTrackId };
  }

  async update(messageId: string, card: CardModel): Promise<void> {
    await this.api.call('card.update', 'PUT', '/v1.0/card/instances', {
      outTrackId: messageId,
      cardData: { cardParamMap: this.render(card) },
      cardUpdateOptions: { updateCardDataByKey: true, updatePrivateDataByKey: false },
      userIdType: 1,
    });
  }

  /** Stream mode: connects to the gateway and feeds robot messages and card clicks to `handler`. */
  async startStream(handler: InboundHandler, opts: { connectTimeoutMs?: number } = {}): Promise<StreamConnection> {
    // dingtalk-stream is loaded only when Stream mode starts (about 0.5 s of start-up otherwise).
    const { startStream } = await import('./stream');
    return startStream({
      clientId: this.opts.clientId,
      clientSecret: this.opts.clientSecret,
      gatewayUrl: trimBaseUrl(this.opts.gatewayUrl ?? this.opts.baseUrl ?? DEFAULT_BASE_URL),
      logger: this.opts.logger,
      handler,
      cardResponse: (reply) => renderCardResponse(reply, this.renderOpts()),
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      timeoutMs: this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  /**
   * HTTP robot-message callback: verifies `timestamp`/`sign` with the AppSecret (VerificationError → 401), then
   * parses (MalformedPayloadError → 400). Card clicks never come this way (DingTalk sends them to the URL registered
   * for the card route key, signed with its own apiSecret): a card-shaped body here is ignored.
   */
  parseHttp(raw: RawInbound): ParsedDelivery {
    verifySign({
      timestamp: raw.headers[SIGNATURE_HEADERS.timestamp],
      sign: raw.headers[SIGNATURE_HEADERS.sign],
      appSecret: this.opts.clientSecret,
      now: this.opts.clock(),
    });
    const body = jsonObject(raw);
    if ('msgId' in body || 'msgtype' in body) return normalizeRobotMessage(body);
    return { kind: 'ignored', reason: 'not a robot message (card clicks arrive on the card callback URL)' };
  }

  /**
   * The HTTP card callback (POST /dingtalk/cards): `x-ddpaas-signature*` checked with the route key's apiSecret
   * (VerificationError → 401), then the click. It has no per-click id: its eventId is a hash of the signature
   * timestamp and the body, so a replay of the same request is a duplicate.
   */
  readonly cardCallbacks: WebhookInbound = {
    parseHttp: (raw: RawInbound): ParsedDelivery => {
      const secret = this.opts.cardCallbackSecret;
      if (!secret) throw new VerificationError('HTTP card callbacks are not configured');
      const timestamp = raw.headers[CARD_SIGNATURE_HEADERS.timestamp];
      verifyCardSignature({
        timestamp,
        signature: raw.headers[CARD_SIGNATURE_HEADERS.signature],
        apiSecret: secret,
        now: this.opts.clock(),
      });
      const body = jsonObject(raw);
      if (!('outTrackId' in body)) return { kind: 'ignored', reason: 'not a card callback' };
      const digest = createHash('sha256')
        .update(`${timestamp}\n${raw.rawBody.toString('utf8')}`, 'utf8')
        .digest('hex');
      return normalizeCardCallback(body, `http:${digest.slice(0, 40)}`);
    },
    httpReply: (reply, ev) => this.httpReply(reply, ev),
  };

  /**
   * Registers `url` as the HTTP card callback of the route key, with the apiSecret (forceUpdate: the configuration
   * is the source of truth). Called at start-up when DINGTALK_CARD_CALLBACK_URL is set.
   */
  async registerCardCallback(url: string): Promise<void> {
    const { cardCallbackRouteKey: key, cardCallbackSecret: secret } = this.opts;
    if (!key || !secret) throw new Error('registerCardCallback needs cardCallbackRouteKey and cardCallbackSecret');
    await this.api.call('card.callback.register', 'POST', '/v1.0/card/callbacks/register', {
      callbackRouteKey: key,
      callbackUrl: url,
      apiSecret: secret,
      forceUpdate: true,
    });
  }

  /** The HTTP response body: `{}` for messages, the CardResponse (inline update) for card clicks. */
  httpReply(reply: AckReply, ev: InboundEvent): HttpReply {
    return { body: this.renderAck(reply, ev) };
  }

  renderAck(reply: AckReply, ev: InboundEvent): object {
    if (ev.kind !== 'cardAction') return {};
    return renderCardResponse(reply, this.renderOpts()) ?? {};
  }

  /** A card callback's answer has no toast: the toast text becomes a robot message, queued in the outbox. */
  deferredAck(reply: AckReply, ev: InboundEvent): DeferredAck {
    return ev.kind === 'cardAction' && reply.toast?.text ? { text: toastText(reply.toast) } : {};
  }

  private async sendRobotMessage(
    dest: { kind: 'user'; userId: string } | { kind: 'group'; id: string },
    msg: { msgKey: string; msgParam: string },
  ): Promise<string> {
    const robotCode = this.opts.robotCode;
    if (dest.kind === 'group') {
      const res = await this.api.call('text.group', 'POST', '/v1.0/robot/groupMessages/send', {
        robotCode,
        openConversationId: dest.id,
        ...msg,
      });
      return str(res.processQueryKey) ?? '';
    }
    const res = await this.api.call('text.user', 'POST', '/v1.0/robot/oToMessages/batchSend', {
      robotCode,
      userIds: [dest.userId],
      ...msg,
    });
    if (listHas(res.flowControlledStaffIdList, dest.userId)) {
      throw new PlatformApiError('dingtalk text.user flow-controlled', 'dingtalk', {
        code: 'flowControlled',
        status: 200,
        retryAfterMs: 1000,
      });
    }
    if (listHas(res.invalidStaffIdList, dest.userId)) {
      throw new PlatformApiError('dingtalk text.user: invalid staff id', 'dingtalk', {
        code: 'invalidStaffId',
        status: 200,
        permanent: true,
      });
    }
    return str(res.processQueryKey) ?? '';
  }

  private callbackFields(): Json {
    const key = this.opts.cardCallbackRouteKey;
    return key ? { callbackType: 'HTTP', callbackRouteKey: key } : { callbackType: 'STREAM' };
  }

  private render(card: CardModel): CardParams {
    return renderCardParams(card, this.renderOpts());
  }

  private renderOpts(): { timeZone?: string } {
    return this.opts.timeZone ? { timeZone: this.opts.timeZone } : {};
  }
}

function jsonObject(raw: RawInbound): Json {
  const body = tryJson(raw.rawBody.toString('utf8'));
  if (!isRecord(body)) throw new MalformedPayloadError('body is not a JSON object');
  return body;
}

function listHas(list: unknown, id: string): boolean {
  return Array.isArray(list) && list.includes(id);
}

/** Error messages of failed deliveries in a createAndDeliver result (`success: false` entries). */
function deliverFailures(res: Json): string[] {
  const results = rec(res.result)?.deliverResults;
  if (!Array.isArray(results)) return [];
  return results
    .map(rec)
    .filter((r): r is Json => r !== undefined && r.success === false)
    .map((r) => `${str(r.spaceType) ?? '?'}: ${str(r.errorMsg) ?? 'failed'}`);
}
