/**
 * WeCom (企业微信) self-built app adapter: the callback inbound path (`parseHttp`: signature → freshness → decrypt →
 * corp id → normalize), outbound messages and cards (`send`/`update`), and the reply to a callback (`renderAck`).
 *
 * Inbound: `GET /wecom/callback?msg_signature&timestamp&nonce&echostr` answers the decrypted echostr as text/plain
 * (no I/O, well within WeCom's 1 s); `POST` bodies are `<xml><Encrypt>…</Encrypt></xml>`. Bad signature, stale
 * timestamp, undecryptable ciphertext, wrong corp id → VerificationError (401); unreadable XML → 400.
 *
 * Cards: sent as `template_card`/`button_interaction` to one user (`touser`); messageId = the card's `task_id`,
 * derived from the idempotency key (WeCom ignores a repeated task_id instead of posting twice — third-party report).
 * `update` needs a fresh single-use response code (response-codes.ts): one from the send, one per click. With no
 * code left (never clicked, all used, or older than 72 h) the update is impossible: PlatformApiError permanent.
 * An update that would not change what the card shows is skipped and keeps its code. Updates go to every recipient
 * of the task (`atall: 1`; each card has exactly one recipient).
 *
 * Acks: WeCom has no toast. Whether a passive reply to `template_card_event` may carry a text message is not
 * confirmed, so the callback is answered with an empty 200 (the documented "no reply" answer), and AFTER the
 * reply (setImmediate) the adapter updates the clicked card with `reply.card` (using the click's code) and sends
 * `reply.toast.text` to the clicker as a text message. Failures there are logged, not retried.
 *
 * Chats: `{kind:'chat', id}` — `dm:<userid>` is a user's p2p chat (message/send); `news` → the group robot webhook
 * WECOM_NEWS_WEBHOOK; an id starting with http(s):// is itself a robot webhook URL; anything else is an appchat
 * chatid (appchat/send). Chats get static markdown (no callbacks there); their messageIds are `static_…` and
 * `update` on them does nothing.
 */
import type { CardModel } from '../../../cards/model';
import { MalformedPayloadError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { checkFreshness } from '../../shared/verify';
import {
  type AckReply,
  type AdapterState,
  type ContactLookup,
  type DeferredAck,
  type HttpReply,
  type InboundEvent,
  type OutboundContent,
  type ParsedDelivery,
  type PlatformAdapter,
  PlatformApiError,
  type RawInbound,
  type SendTarget,
  type WebhookInbound,
} from '../types';
import { WecomClient } from './client';
import { wecomContacts } from './contacts';
import { normalizeCallback } from './normalize';
import { isTaskId, type KeyStore, parseXml, STATIC_PREFIX, sha256Hex, taskIdFor } from './payloads';
import { renderTemplateCard } from './render-card';
import { escapeText, renderMarkdown, splitText } from './render-text';
import { ResponseCodes } from './response-codes';
import { checkInvalidUser, type Destination, resolveDestination } from './targets';
import { aesKeyFrom, checkReceiveId, decrypt, verifySignature } from './verify';

export const DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';
const DAY_MS = 24 * 3600_000;

export interface WecomAdapterOptions {
  corpId: string;
  agentId: number | string;
  /** The app's Secret (gettoken corpsecret). */
  secret: string;
  /** Callback Token (signature). */
  token: string;
  /** Callback EncodingAESKey (43 characters). */
  aesKey: string;
  /** API base URL, e.g. https://qyapi.weixin.qq.com (tests: the fake's http://127.0.0.1:PORT). */
  baseUrl: string;
  /** Full group robot webhook URL (…/cgi-bin/webhook/send?key=…) for the `news` chat. */
  newsWebhook?: string;
  clock: () => Date;
  logger: Logger;
  state: AdapterState;
  timeoutMs?: number;
  /** Time zone for card history times. Default Asia/Shanghai. */
  timeZone?: string;
}

/** errcode for a repeated template-card task_id. */
const TASK_ID_EXISTS = 42014;

export class WecomAdapter implements PlatformAdapter, WebhookInbound {
  readonly platform = 'wecom' as const;
  /** WeCom waits 5 s for a callback answer, then retries (3 times in all). */
  readonly ackDeadlineMs = 5000;
  readonly answersClickedCard = true;
  readonly client: WecomClient;
  readonly codes: ResponseCodes;
  private readonly aesKey: Buffer;
  private readonly agentId: string;
  private readonly keys: KeyStore;
  /** The contact API behind the directory (user/getuserid, user/get_userid_by_email). */
  readonly contacts: ContactLookup;

  constructor(private readonly opts: WecomAdapterOptions) {
    this.aesKey = aesKeyFrom(opts.aesKey);
    this.agentId = String(opts.agentId);
    this.client = new WecomClient({
      corpId: opts.corpId,
      secret: opts.secret,
      baseUrl: opts.baseUrl,
      clock: opts.clock,
      logger: opts.logger,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    this.codes = new ResponseCodes(opts.state, opts.clock);
    this.contacts = wecomContacts(this.client);
    this.keys = {
      get: (k) => opts.state.get(k),
      set: (k, v) => opts.state.set(k, v, new Date(opts.clock().getTime() + 180 * DAY_MS)),
    };
  }

  // ---- inbound ------------------------------------------------------------------------------------------------

  /** The whole callback path. Throws VerificationError (401) or MalformedPayloadError (400). */
  parseHttp(raw: RawInbound): ParsedDelivery {
    const { msg_signature: signature, timestamp, nonce } = raw.query;
    if (raw.method === 'GET') {
      // Base64 has no spaces: a '+' that a client failed to URL-encode arrives as ' ' and is put back.
      const echostr = raw.query.echostr?.replace(/ /g, '+');
      if (!echostr) throw new MalformedPayloadError('URL verification without echostr');
      const message = this.open(echostr, { signature, timestamp, nonce });
      return { kind: 'handshake', body: message, contentType: 'text/plain' };
    }
    const envelope = parseXml(raw.rawBody.toString('utf8'));
    const encrypted = envelope.Encrypt;
    if (!encrypted) throw new MalformedPayloadError('callback body without Encrypt');
    const fields = parseXml(this.open(encrypted, { signature, timestamp, nonce }));
    const { event, responseCode } = normalizeCallback(fields, { agentId: this.agentId, keys: this.keys });
    if (responseCode) this.codes.add(responseCode.taskId, responseCode.code);
    return event;
  }

  /** Signature over the ciphertext, freshness, decryption, corp id: the plaintext or a VerificationError. */
  private open(
    ciphertext: string,
    q: { signature: string | undefined; timestamp: string | undefined; nonce: string | undefined },
  ): string {
    verifySignature({ token: this.opts.token, ...q, encrypt: ciphertext });
    checkFreshness(q.timestamp, this.opts.clock());
    const { message, receiveId } = decrypt(ciphertext, this.aesKey);
    checkReceiveId(receiveId, this.opts.corpId);
    return message;
  }

  /** The HTTP answer to a handled callback: always an empty 200 (WeCom's "no passive reply"). */
  httpReply(_reply: AckReply, _ev: InboundEvent): HttpReply {
    return { body: '', contentType: 'text/plain' };
  }

  /** Everything of a click's answer goes afterwards through the outbox: the card update (with the click's fresh
   * response code) and the toast text as a message. */
  deferredAck(reply: AckReply, ev: InboundEvent): DeferredAck {
    if (ev.kind !== 'cardAction') return {};
    const updateCard = Boolean(reply.card && ev.messageId && isTaskId(ev.messageId));
    return { ...(reply.toast?.text ? { text: reply.toast.text } : {}), ...(updateCard ? { updateCard } : {}) };
  }

  // ---- outbound -----------------------------------------------------------------------------------------------

  async send(to: SendTarget, content: OutboundContent, idempotencyKey: string): Promise<{ messageId: string }> {
    const sentKey = `sent:${sha256Hex(idempotencyKey).slice(0, 40)}`;
    const already = this.opts.state.get(sentKey);
    if (already) return { messageId: already };
    const dest = resolveDestination(to, this.opts.newsWebhook);
    let messageId: string;
    if ('user' in dest && content.kind === 'card') {
      messageId = await this.sendCard(dest.user, content.card, taskIdFor(idempotencyKey));
    } else if (content.kind === 'card') {
      await this.post(dest, 'markdown', renderMarkdown(content.card, this.renderOpts()));
      messageId = `${STATIC_PREFIX}${sha256Hex(idempotencyKey).slice(0, 40)}`;
    } else {
      messageId = await this.sendText(dest, content.text);
    }
    this.opts.state.set(sentKey, messageId, new Date(this.opts.clock().getTime() + 7 * DAY_MS));
    return { messageId };
  }

  async update(messageId: string, card: CardModel): Promise<void> {
    if (messageId.startsWith(STATIC_PREFIX)) {
      this.opts.logger.debug('wecom static post is not updatable; update skipped', { messageId });
      return;
    }
    if (!isTaskId(messageId)) {
      throw new PlatformApiError(`wecom update: ${messageId} is not a card`, 'wecom', { permanent: true });
    }
    const templateCard = renderTemplateCard(card, messageId, { ...this.renderOpts(), keys: this.keys });
    const shownKey = `card:${messageId}`;
    const hash = sha256Hex(JSON.stringify(templateCard));
    const previous = this.opts.state.get(shownKey);
    if (previous === hash) return;
    const taken = this.codes.take(messageId);
    if (!taken) {
      throw new PlatformApiError(
        `wecom update of card ${messageId} impossible: no unused response_code (WeCom cards can only be updated ` +
          'with a fresh code from the send or a click, each usable once within 72 h)',
        'wecom',
        { code: 'NO_RESPONSE_CODE', permanent: true },
      );
    }
    this.rememberShown(messageId, hash);
    try {
      await this.client.post('update_template_card', 'message/update_template_card', {
        atall: 1,
        agentid: this.agentIdValue(),
        response_code: taken.code,
        template_card: templateCard,
      });
    } catch (e) {
      if (previous === null) this.opts.state.delete(shownKey);
      else this.rememberShown(messageId, previous);
      // Only a permanent errcode may mean WeCom looked at (and possibly consumed) the code.
      if (!(e instanceof PlatformApiError && e.opts.permanent === true)) this.codes.restore(messageId, taken);
      throw e;
    }
  }

  private async sendCard(userId: string, card: CardModel, taskId: string): Promise<string> {
    const templateCard = renderTemplateCard(card, taskId, { ...this.renderOpts(), keys: this.keys });
    let res: Record<string, unknown>;
    try {
      res = await this.client.post('send card', 'message/send', {
        touser: userId,
        msgtype: 'template_card',
        agentid: this.agentIdValue(),
        template_card: templateCard,
      });
    } catch (e) {
      // 42014: this task_id was already sent — a retry after a lost answer. The card is there: delivered.
      if (e instanceof PlatformApiError && e.opts.code === TASK_ID_EXISTS) {
        this.opts.logger.info('wecom card already delivered under this task_id', { taskId });
        this.rememberShown(taskId, sha256Hex(JSON.stringify(templateCard)));
        return taskId;
      }
      throw e;
    }
    checkInvalidUser(res, userId);
    if (typeof res.response_code === 'string' && res.response_code) this.codes.add(taskId, res.response_code);
    this.rememberShown(taskId, sha256Hex(JSON.stringify(templateCard)));
    return taskId;
  }

  /** Sends a text, split into ≤ 2048-byte pieces. Returns the id of the last piece. */
  private async sendText(dest: Destination, text: string): Promise<string> {
    let last = '';
    for (const piece of splitText(escapeText(text))) last = await this.post(dest, 'text', piece);
    return last;
  }

  private async post(dest: Destination, msgtype: 'text' | 'markdown', content: string): Promise<string> {
    const payload = { msgtype, [msgtype]: { content } };
    if ('user' in dest) {
      const res = await this.client.post(`send ${msgtype}`, 'message/send', {
        touser: dest.user,
        agentid: this.agentIdValue(),
        ...payload,
      });
      checkInvalidUser(res, dest.user);
      return typeof res.msgid === 'string' && res.msgid ? `msg_${res.msgid}` : `${STATIC_PREFIX}sent`;
    }
    if ('webhook' in dest) await this.client.postWebhook(`webhook ${msgtype}`, dest.webhook, payload);
    else await this.client.post(`appchat ${msgtype}`, 'appchat/send', { chatid: dest.chat, safe: 0, ...payload });
    return `${STATIC_PREFIX}post`;
  }

  private rememberShown(taskId: string, hash: string): void {
    this.opts.state.set(`card:${taskId}`, hash, new Date(this.opts.clock().getTime() + 30 * DAY_MS));
  }

  private agentIdValue(): number | string {
    return /^\d+$/.test(this.agentId) ? Number(this.agentId) : this.agentId;
  }

  private renderOpts(): { timeZone?: string } {
    return this.opts.timeZone ? { timeZone: this.opts.timeZone } : {};
  }
}
