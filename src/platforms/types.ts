import type { CardModel } from '../../cards/model';

export const PLATFORMS = ['feishu', 'dingtalk', 'wecom', 'local'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A user as the platform knows them (Feishu: open_id). Mapped to org users through identities. */
export interface ActorRef {
  platform: Platform;
  userId: string;
}

/** Where a message came from / where a reply goes. */
export interface ChatRef {
  chatId: string;
  /** p2p = a one-to-one chat with the bot; group = the bot was @-mentioned in a group. */
  type: 'p2p' | 'group';
}

/** Transport-level inbound events, already verified and decrypted by the adapter. */
export type InboundEvent =
  | { kind: 'message'; eventId: string; actor: ActorRef; chat: ChatRef; messageId: string; text: string }
  | {
      kind: 'cardAction';
      eventId: string;
      actor: ActorRef;
      chat: ChatRef | null;
      messageId: string | null;
      /** The button's callback value, untrusted. */
      value: unknown;
      /** Form field values when a form was submitted. */
      form?: Record<string, unknown>;
    }
  | { kind: 'ignored'; reason: string };

/** What the app answers to an inbound event, before the adapter turns it into the platform's reply. */
export interface AckReply {
  toast?: { type: 'success' | 'info' | 'warning' | 'error'; text: string };
  /** The clicked card re-rendered for the clicker, for platforms that update inline. */
  card?: CardModel;
}

/** Outbound target: a platform user (p2p) or a platform chat. */
export type SendTarget = { kind: 'user'; id: string } | { kind: 'chat'; id: string };

export type OutboundContent = { kind: 'card'; card: CardModel } | { kind: 'text'; text: string };

/**
 * Thrown by adapters on a failed platform call. `retryAfterMs` comes from the platform's rate-limit headers;
 * `permanent` failures (bad request, unknown user) are not retried.
 */
export class PlatformApiError extends Error {
  constructor(
    message: string,
    readonly platform: Platform,
    readonly opts: { code?: number | string; status?: number; retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message);
    this.name = 'PlatformApiError';
  }
}

/** Optional observers of one outbound call. */
export interface CallHooks {
  /**
   * Called when an HTTP request of the call leaves (after an access token fetch, again for the API request itself):
   * the delivery engine counts the call in its rate windows from then, not from when it was started. An adapter
   * that cannot tell leaves it uncalled.
   */
  onDeparture?: () => void;
}

/** The outbound half of a platform: send and update cards. Inbound transports feed the pipeline. */
export interface PlatformAdapter {
  readonly platform: Platform;
  /** How long the platform waits for the reply to a delivery (Feishu: 3 s). */
  readonly ackDeadlineMs: number;
  /**
   * True when the next API call needs no set-up first (its access token is cached), so it reaches the platform
   * when it leaves. The delivery engine sends a lone first call until it knows this (see DeliveryEngine).
   */
  warm?(): boolean;
  /** `idempotencyKey` is stable across retries of the same message, so a retry never posts twice. */
  send(
    to: SendTarget,
    content: OutboundContent,
    idempotencyKey: string,
    hooks?: CallHooks,
  ): Promise<{ messageId: string }>;
  update(messageId: string, card: CardModel, hooks?: CallHooks): Promise<void>;
  /** Optional: buzz users about a message already sent (Feishu urgent_app). */
  urgent?(messageId: string, userIds: string[]): Promise<unknown>;
  /**
   * What of a click's answer this platform cannot show in the ack and needs delivered afterwards through the
   * outbox: the toast as a text message to the clicker (in the platform's wording), and/or the clicked card
   * updated through the API. Absent = everything fits in the ack (Feishu).
   */
  deferredAck?(reply: AckReply, ev: InboundEvent): DeferredAck;
  /**
   * True when a click's answer surely shows the clicked card re-rendered — in the ack (Feishu replaces the card with
   * the one the callback response carries; the simulator likewise) or by the update `deferredAck` queues (WeCom, with
   * the click's fresh response code) — so the refresh of the project's copies after a decision leaves that copy out
   * instead of updating it a second time. Absent on DingTalk: its ack carries a CardResponse too, but which of its
   * keys the server honours is not confirmed (../shared/platforms/dingtalk-wecom.md), so the copy is also updated
   * through the API.
   */
  readonly answersClickedCard?: boolean;
  /** The platform's contact API: org users given by e-mail or mobile are resolved through it (the directory). */
  readonly contacts?: ContactLookup;
}

export type ContactKind = 'email' | 'mobile';

/** What each platform's contact API can look up (DingTalk's server API has no lookup by e-mail). */
export const CONTACT_KINDS: Readonly<Record<'feishu' | 'dingtalk' | 'wecom', readonly ContactKind[]>> = {
  feishu: ['email', 'mobile'],
  dingtalk: ['mobile'],
  wecom: ['email', 'mobile'],
};

/**
 * Looks people up by e-mail or mobile. One call carries at most `batch` values of one kind (Feishu 50; DingTalk and
 * WeCom look up one person per call) and is paced to `perSecond` by the directory.
 */
export interface ContactLookup {
  readonly kinds: readonly ContactKind[];
  readonly batch: number;
  readonly perSecond: number;
  /**
   * The platform user id of each value the platform knows (values it does not know are absent). Throws
   * PlatformApiError when the call failed as a whole (rate limit: `retryAfterMs`; bad credentials, no permission:
   * `permanent`).
   */
  lookup(kind: ContactKind, values: string[]): Promise<Map<string, string>>;
}

export interface DeferredAck {
  /** Send this text to the clicker (DingTalk and WeCom have no toast in their card-callback answer). */
  text?: string;
  /** Update the clicked card through the API with the re-rendered card (WeCom answers callbacks empty). */
  updateCard?: boolean;
}

/** An HTTP delivery as received: raw bytes, before any parsing (signatures are computed over these bytes). */
export interface RawInbound {
  method: 'GET' | 'POST';
  /** Query-string parameters (WeCom signs with msg_signature/timestamp/nonce in the query). */
  query: Record<string, string | undefined>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** A platform's HTTP-level handshake (Feishu url_verification, WeCom echostr) is answered by the adapter alone. */
export type ParsedDelivery =
  | { kind: 'handshake'; body: unknown; contentType?: 'application/json' | 'text/plain' | 'application/xml' }
  | InboundEvent;

/** Handles a verified inbound event; implemented by the app's pipeline. */
export type InboundHandler = (ev: InboundEvent) => Promise<AckReply>;

/** The HTTP side of a webhook platform: verify + decrypt + normalise a delivery, and shape the reply body. */
export interface WebhookInbound {
  parseHttp(raw: RawInbound): ParsedDelivery | Promise<ParsedDelivery>;
  /** The HTTP response to a handled event (Feishu/DingTalk: toast/card JSON; WeCom: an empty text body). */
  httpReply(reply: AckReply, ev: InboundEvent): HttpReply;
}

/** An HTTP response body and its content type (JSON when unset). */
export interface HttpReply {
  body: unknown;
  contentType?: string;
}

/**
 * Small persistent key-value state an adapter needs across restarts (e.g. WeCom's single-use response codes,
 * keyed by message). Implemented over SQLite by the store; adapters never import the store.
 */
export interface AdapterState {
  get(key: string): string | null;
  set(key: string, value: string, expiresAt?: Date): void;
  delete(key: string): void;
}

/** A message as an embedded platform keeps it (the local simulator's chat history). */
export interface StoredMessage {
  id: string;
  conversation: string;
  /** 'bot' or the user id who typed it. */
  from: string;
  content: OutboundContent;
  at: Date;
  updatedAt: Date;
  /** The outbox idempotency key it was sent under, so a retried send after a restart never posts twice. */
  key: string | null;
}

/** Persistence for an embedded platform's messages, implemented over SQLite by the store. Synchronous. */
export interface MessageLog {
  /** The newest `limit` messages, oldest first. */
  recent(limit: number): StoredMessage[];
  insert(m: StoredMessage): void;
  update(id: string, content: OutboundContent, updatedAt: Date): void;
}
