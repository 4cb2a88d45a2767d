/**
 * Feishu adapter: outbound (send / update cards through the Open API), the HTTP webhook inbound path
 * (`parseHttp`: verify → decrypt → token → normalize) and the long-connection source (`startLongConnection`).
 *
 * Inbound verification policy (webhook mode):
 * - Encrypt key configured:
 *   - `{"encrypt": ...}` bodies: the signature headers are verified over the raw bytes, plus timestamp freshness,
 *     then the body is decrypted. Exception: a `url_verification` challenge is accepted WITHOUT signature headers
 *     (the official Go SDK skips the signature check for challenges, so Feishu may not sign them); it still has
 *     to decrypt with our key and, when a verification token is configured, carry it. If signature headers are
 *     present on a challenge they are checked like any other.
 *   - plaintext bodies: accepted only with valid signature headers and a fresh timestamp.
 * - No encrypt key: encrypted bodies are refused; plaintext bodies need a verification token configured AND
 *   matching (with neither secret configured everything is refused).
 * - Verification token (when configured) is checked on every HTTP delivery after decryption. Not on the long
 *   connection, where `header.token` may be empty and the channel is authenticated by the app credentials.
 * Errors: VerificationError → 401, MalformedPayloadError → 400 (src/shared/errors.ts).
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import type { CardModel } from '../../../cards/model';
import { MalformedPayloadError, VerificationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { checkFreshness } from '../../shared/verify';
import type {
  AckReply,
  CallHooks,
  ContactLookup,
  HttpReply,
  InboundHandler,
  OutboundContent,
  ParsedDelivery,
  PlatformAdapter,
  RawInbound,
  SendTarget,
  WebhookInbound,
} from '../types';
import {
  createLarkClient,
  expectOk,
  isTokenInvalid,
  reportingDepartures,
  TokenCache,
  toPlatformApiError,
  toUuid,
  trimBaseUrl,
} from './client';
import { feishuContacts } from './contacts';
import { textMessage } from './escape';
import { normalizeEnvelope } from './normalize';
import { isRecord } from './payloads';
import { renderAck, renderAckText, renderCard, renderCardText } from './render-card';
import { checkToken, decrypt, SIGNATURE_HEADERS, verifySignature } from './verify';
import { type LongConnection, startLongConnection } from './ws';

export interface FeishuAdapterOptions {
  appId: string;
  appSecret: string;
  verificationToken?: string;
  encryptKey?: string;
  /** Open API base URL without trailing slash, e.g. https://open.feishu.cn. */
  baseUrl: string;
  clock: () => Date;
  logger: Logger;
  /** Open API request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Time zone for card history times. Default Asia/Shanghai. */
  timeZone?: string;
}

export class FeishuAdapter implements PlatformAdapter, WebhookInbound {
  readonly platform = 'feishu' as const;
  readonly ackDeadlineMs = 3000;
  readonly answersClickedCard = true;
  private readonly cache = new TokenCache();
  private readonly client: lark.Client;

  /** The contact API behind the directory (users/batch_get_id). */
  readonly contacts: ContactLookup;

  constructor(private readonly opts: FeishuAdapterOptions) {
    this.client = createLarkClient(opts, this.cache);
    this.contacts = feishuContacts(
      () => this.client,
      (op, fn) => this.call(op, fn),
    );
  }

  warm(): boolean {
    return this.cache.hasLive();
  }

  async send(
    to: SendTarget,
    content: OutboundContent,
    idempotencyKey: string,
    hooks?: CallHooks,
  ): Promise<{ messageId: string }> {
    const res = await this.call(
      'send',
      () =>
        this.client.im.v1.message.create({
          params: { receive_id_type: to.kind === 'user' ? 'open_id' : 'chat_id' },
          data: {
            receive_id: to.id,
            msg_type: content.kind === 'card' ? 'interactive' : 'text',
            content:
              content.kind === 'card'
                ? renderCardText(content.card, this.renderOpts())
                : JSON.stringify({ text: textMessage(content.text) }),
            uuid: toUuid(idempotencyKey),
          },
        }),
      hooks,
    );
    const messageId = res.data?.message_id;
    if (!messageId) throw toPlatformApiError(new Error('response without message_id'), 'send');
    return { messageId };
  }

  async update(messageId: string, card: CardModel, hooks?: CallHooks): Promise<void> {
    await this.call(
      'update',
      () =>
        this.client.im.v1.message.patch({
          path: { message_id: messageId },
          data: { content: renderCardText(card, this.renderOpts()) },
        }),
      hooks,
    );
  }

  /** Buzzes users in-app about a message the bot sent ("加急"). Returns the open_ids Feishu refused. */
  async urgent(messageId: string, openIds: string[]): Promise<string[]> {
    const res = await this.call('urgent', () =>
      this.client.im.v1.message.urgentApp({
        path: { message_id: messageId },
        params: { user_id_type: 'open_id' },
        data: { user_id_list: openIds },
      }),
    );
    return res.data?.invalid_user_id_list ?? [];
  }

  /** Delayed update through a card callback token (valid 30 min, 2 uses; only after the callback was answered). */
  async updateByCallbackToken(token: string, card: CardModel): Promise<void> {
    await this.call('card.update', async () => {
      const res: unknown = await this.client.request({
        method: 'POST',
        url: '/open-apis/interactive/v1/card/update',
        data: { token, card: this.render(card) },
      });
      const body = isRecord(res) ? res : {};
      return { code: typeof body.code === 'number' ? body.code : 0, msg: typeof body.msg === 'string' ? body.msg : '' };
    });
  }

  renderAck(reply: AckReply): object {
    return renderAck(reply, this.renderOpts());
  }

  /** The same body as `renderAck`, as JSON text: the card is not serialized a second time by the HTTP layer. */
  httpReply(reply: AckReply): HttpReply {
    return { body: renderAckText(reply, this.renderOpts()), contentType: 'application/json' };
  }

  /** The whole webhook inbound path. Throws VerificationError (401) or MalformedPayloadError (400). */
  parseHttp(raw: RawInbound): ParsedDelivery {
    const body = parseJson(raw.rawBody.toString('utf8'), () => new MalformedPayloadError('body is not JSON'));
    if (!isRecord(body)) throw new MalformedPayloadError('body is not a JSON object');
    const { encryptKey, verificationToken } = this.opts;
    const hasSignature =
      raw.headers[SIGNATURE_HEADERS.signature] !== undefined || raw.headers[SIGNATURE_HEADERS.timestamp] !== undefined;
    let envelope: unknown = body;
    if (encryptKey) {
      const encrypted = typeof body.encrypt === 'string' ? body.encrypt : undefined;
      if (encrypted === undefined || hasSignature) this.checkSignature(raw, encryptKey);
      if (encrypted !== undefined) {
        envelope = parseJson(decrypt(encrypted, encryptKey), () => new VerificationError('decrypted body is not JSON'));
        if (!hasSignature && !(isRecord(envelope) && envelope.type === 'url_verification')) {
          throw new VerificationError('missing signature headers');
        }
      }
    } else {
      if ('encrypt' in body) throw new VerificationError('encrypted body but no encrypt key is configured');
      if (!verificationToken) throw new VerificationError('no verification token configured for plaintext bodies');
    }
    if (verificationToken) checkToken(envelope, verificationToken);
    return this.normalize(envelope);
  }

  /** FEISHU_MODE=ws: receive events and card callbacks over the SDK's long connection. */
  startLongConnection(handler: InboundHandler, opts: { connectTimeoutMs?: number } = {}): Promise<LongConnection> {
    return startLongConnection({
      appId: this.opts.appId,
      appSecret: this.opts.appSecret,
      baseUrl: trimBaseUrl(this.opts.baseUrl),
      ...(this.opts.encryptKey ? { encryptKey: this.opts.encryptKey } : {}),
      logger: this.opts.logger,
      handler,
      renderAck: (reply) => this.renderAck(reply),
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      botOpenId: () => this.botOpenIdOrRefresh(),
    });
  }

  /** The bot's own open_id, from GET /open-apis/bot/v3/info; null until known. */
  botOpenId: string | null = null;
  private botInfoPending: Promise<void> | null = null;

  /**
   * Learns the bot's open_id (called at start-up; cached). A failure is logged and retried on the next group
   * message: until then group messages are ignored, p2p messages work.
   */
  loadBotInfo(): Promise<void> {
    this.botInfoPending ??= (async () => {
      try {
        const res = await this.call('bot.info', async () => {
          const body: unknown = await this.client.request({ method: 'GET', url: '/open-apis/bot/v3/info' });
          const r = isRecord(body) ? body : {};
          return {
            code: typeof r.code === 'number' ? r.code : 0,
            msg: typeof r.msg === 'string' ? r.msg : '',
            bot: isRecord(r.bot) ? r.bot : {},
          };
        });
        const openId = typeof res.bot.open_id === 'string' && res.bot.open_id ? res.bot.open_id : null;
        if (!openId) throw new Error('bot info without open_id');
        this.botOpenId = openId;
      } catch (e) {
        this.opts.logger.warn('could not learn the bot open_id; group messages are ignored until it is known', {
          error: e instanceof Error ? e.message : String(e),
        });
      } finally {
        this.botInfoPending = null;
      }
    })();
    return this.botInfoPending;
  }

  private botOpenIdOrRefresh(): string | null {
    if (this.botOpenId === null) void this.loadBotInfo();
    return this.botOpenId;
  }

  private normalize(envelope: unknown): ParsedDelivery {
    return normalizeEnvelope(envelope, { botOpenId: this.botOpenIdOrRefresh() });
  }

  private checkSignature(raw: RawInbound, encryptKey: string): void {
    const timestamp = raw.headers[SIGNATURE_HEADERS.timestamp];
    verifySignature({
      timestamp,
      nonce: raw.headers[SIGNATURE_HEADERS.nonce],
      signature: raw.headers[SIGNATURE_HEADERS.signature],
      rawBody: raw.rawBody,
      encryptKey,
    });
    checkFreshness(timestamp, this.opts.clock());
  }

  private render(card: CardModel): object {
    return renderCard(card, this.renderOpts());
  }

  private renderOpts(): { timeZone?: string } {
    return this.opts.timeZone ? { timeZone: this.opts.timeZone } : {};
  }

  /** Runs an Open API call: maps errors, checks `code`, and retries once after clearing an invalid token. */
  private async call<T extends { code?: number | undefined; msg?: string | undefined }>(
    op: string,
    fn: () => Promise<T>,
    hooks?: CallHooks,
  ): Promise<T> {
    const attempt = async () => {
      try {
        return expectOk(await reportingDepartures(hooks?.onDeparture, fn), op);
      } catch (e) {
        throw toPlatformApiError(e, op);
      }
    };
    try {
      return await attempt();
    } catch (e) {
      if (!isTokenInvalid(e)) throw e;
      this.opts.logger.warn('feishu token rejected, refreshing', { op });
      this.cache.clear();
      return attempt();
    }
  }
}

function parseJson(text: string, onError: () => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const err = onError();
    err.cause = e;
    throw err;
  }
}
