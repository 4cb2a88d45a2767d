/**
 * Builders for inbound Feishu deliveries shaped exactly like the real ones (schema 2.0 envelopes), and the
 * encryption + signature Feishu applies when an Encrypt Key is set. Independent of src/ (own crypto), so tests
 * exercise the adapter's verification rather than mirror it.
 *
 *   const { headers, body } = signAndEncrypt(textMessageEvent({ ... }), { encryptKey, verificationToken });
 *   await request(app.callback()).post('/webhooks/feishu').set(headers).send(body);
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

export type Envelope = Record<string, unknown>;

const APP_ID = 'cli_0123456789abcdef';
const TENANT = 'tenant_fake';

function header(eventType: string, eventId: string | undefined, createTime: string, token = ''): Envelope {
  return {
    event_id: eventId ?? randomUUID().replace(/-/g, ''),
    event_type: eventType,
    create_time: createTime,
    token,
    app_id: APP_ID,
    tenant_key: TENANT,
  };
}

export interface TextMessageInput {
  openId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  /** As Feishu delivers it: mentions appear as `@_user_1` placeholders. */
  text: string;
  mentions?: { key: string; openId: string; name: string }[];
  eventId?: string;
  messageId?: string;
  /** Milliseconds since epoch. */
  createTime?: number;
}

export function textMessageEvent(i: TextMessageInput): Envelope {
  const ms = String(i.createTime ?? Date.now());
  const message: Envelope = {
    message_id: i.messageId ?? `om_in_${randomUUID().slice(0, 8)}`,
    create_time: ms,
    update_time: ms,
    chat_id: i.chatId,
    chat_type: i.chatType,
    message_type: 'text',
    content: JSON.stringify({ text: i.text }),
  };
  if (i.mentions?.length) {
    message.mentions = i.mentions.map((m) => ({
      key: m.key,
      id: { open_id: m.openId, union_id: `on_${m.openId}`, user_id: '' },
      name: m.name,
      tenant_key: TENANT,
    }));
  }
  return {
    schema: '2.0',
    header: header('im.message.receive_v1', i.eventId, ms),
    event: {
      sender: {
        sender_id: { open_id: i.openId, union_id: `on_${i.openId}`, user_id: null },
        sender_type: 'user',
        tenant_key: TENANT,
      },
      message,
    },
  };
}

export interface CardActionInput {
  openId: string;
  messageId: string;
  chatId: string;
  /** The button's callback value; omit to model a form submit that delivers only `name` + `form_value`. */
  value?: unknown;
  formValue?: Record<string, unknown>;
  /** The clicked component's `name` (form submit buttons). */
  name?: string;
  eventId?: string;
  /** Milliseconds since epoch (delivered as microseconds, as Feishu does for card callbacks). */
  createTime?: number;
}

export function cardActionEvent(i: CardActionInput): Envelope {
  const ms = i.createTime ?? Date.now();
  const action: Envelope = { tag: 'button' };
  if (i.value !== undefined) action.value = i.value;
  if (i.name !== undefined) action.name = i.name;
  if (i.formValue !== undefined) action.form_value = i.formValue;
  return {
    schema: '2.0',
    header: header('card.action.trigger', i.eventId, String(ms * 1000)),
    event: {
      operator: { tenant_key: TENANT, user_id: null, open_id: i.openId, union_id: `on_${i.openId}` },
      token: `c-${randomUUID()}`,
      action,
      host: 'im_message',
      delivery_type: 'url_preview',
      context: { open_message_id: i.messageId, open_chat_id: i.chatId },
    },
  };
}

export function urlVerification(challenge: string, token = ''): Envelope {
  return { challenge, token, type: 'url_verification' };
}

/** Sets the verification token where Feishu puts it: `header.token`, or top-level `token` for url_verification. */
export function withToken(envelope: Envelope, token: string): Envelope {
  const h = envelope.header;
  if (typeof h === 'object' && h !== null) return { ...envelope, header: { ...h, token } };
  return { ...envelope, token };
}

export function encryptFeishu(plain: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

export function signFeishu(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey + body)
    .digest('hex');
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/**
 * Encrypted + signed delivery, byte-for-byte what Feishu POSTs with an Encrypt Key set: compact `{"encrypt":"..."}`
 * and `x-lark-request-timestamp` (seconds) / `x-lark-request-nonce` / `x-lark-signature`.
 * `verificationToken` (if given) is written into the envelope first. `timestamp` defaults to now.
 */
export function signAndEncrypt(
  envelope: Envelope,
  o: { encryptKey: string; verificationToken?: string; timestamp?: number | string; nonce?: string },
): Delivery {
  const env = o.verificationToken === undefined ? envelope : withToken(envelope, o.verificationToken);
  return signAndEncryptText(JSON.stringify(env), o);
}

/** Like signAndEncrypt, for an envelope given as JSON text (e.g. nested deeper than JSON.stringify can write). */
export function signAndEncryptText(
  plain: string,
  o: { encryptKey: string; timestamp?: number | string; nonce?: string },
): Delivery {
  const body = JSON.stringify({ encrypt: encryptFeishu(plain, o.encryptKey) });
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? randomBytes(8).toString('hex');
  return {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signFeishu(timestamp, nonce, o.encryptKey, body),
    },
    body,
  };
}

/** Plaintext delivery (no Encrypt Key configured on the Feishu side): only the verification token protects it. */
export function plainDelivery(envelope: Envelope, o: { verificationToken?: string } = {}): Delivery {
  const env = o.verificationToken === undefined ? envelope : withToken(envelope, o.verificationToken);
  return { headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(env) };
}
