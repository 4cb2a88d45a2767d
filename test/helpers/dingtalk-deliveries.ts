/**
 * Builders for inbound DingTalk payloads shaped like the real ones (dingtalk-wecom.md B3/B6), and the HTTP-mode
 * signature DingTalk puts on robot callbacks (B4). Independent of src/ (own HMAC, own encoding of button payloads),
 * so tests exercise the adapter rather than mirror it.
 *
 *   const { headers, body } = signedDelivery(robotMessage({ staffId: 'u1', text: ' /list' }), { secret });
 *   fake.push('/v1.0/im/bot/messages/get', robotMessage({ ... }));
 */
import { createHmac, randomUUID } from 'node:crypto';

export type Payload = Record<string, unknown>;

export const TOPIC_ROBOT = '/v1.0/im/bot/messages/get';
export const TOPIC_CARD = '/v1.0/card/instances/callback';

export interface RobotMessageInput {
  staffId: string;
  /** As DingTalk delivers it: the @robot mention already removed, usually with a leading space. */
  text: string;
  conversationType?: '1' | '2';
  conversationId?: string;
  msgId?: string;
  msgtype?: string;
  createAt?: number;
}

export function robotMessage(i: RobotMessageInput): Payload {
  const createAt = i.createAt ?? Date.now();
  const group = i.conversationType === '2';
  const msg: Payload = {
    conversationId: i.conversationId ?? `cid${randomUUID().slice(0, 12)}`,
    atUsers: [{ dingtalkId: '$:LWCP_v1:$bot' }],
    chatbotCorpId: 'dingcorp',
    chatbotUserId: '$:LWCP_v1:$bot',
    msgId: i.msgId ?? `msg${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    senderNick: '张三',
    isAdmin: false,
    senderStaffId: i.staffId,
    sessionWebhookExpiredTime: createAt + 5_400_000,
    createAt,
    senderCorpId: 'dingcorp',
    conversationType: i.conversationType ?? '1',
    senderId: `$:LWCP_v1:$${i.staffId}`,
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=fake',
    robotCode: 'dingrobot',
    msgtype: i.msgtype ?? 'text',
  };
  if (group) msg.conversationTitle = '测试群';
  if (group) msg.isInAtList = true;
  if ((i.msgtype ?? 'text') === 'text') msg.text = { content: i.text };
  else msg.content = { downloadCode: 'x' };
  return msg;
}

export interface CardCallbackInput {
  userId: string;
  outTrackId: string;
  /** The clicked button's `btnK_action` value, as the template passes it back in params.action. */
  action?: string;
  /** Extra callback params (input slots `in1`…). */
  params?: Record<string, unknown>;
  actionId?: string;
  spaceType?: 'IM_ROBOT' | 'IM_GROUP' | '';
  spaceId?: string;
}

export function cardCallback(i: CardCallbackInput): Payload {
  const params: Record<string, unknown> = { ...i.params };
  if (i.action !== undefined) params.action = i.action;
  const content = JSON.stringify({ cardPrivateData: { actionIds: [i.actionId ?? 'btn1'], params } });
  return {
    type: 'actionCallback',
    outTrackId: i.outTrackId,
    corpId: 'dingcorp',
    userId: i.userId,
    userIdType: 1,
    spaceType: i.spaceType ?? 'IM_ROBOT',
    spaceId: i.spaceId ?? '',
    extension: '{}',
    content,
    value: content,
  };
}

/** Encodes a button payload the way the card template round-trips it (base64url JSON `{a, f?}`). */
export function buttonAction(value: unknown, slots?: Record<string, string>): string {
  return Buffer.from(JSON.stringify(slots ? { a: value, f: slots } : { a: value }), 'utf8').toString('base64url');
}

/** Decodes a rendered `btnK_action` param. */
export function decodeAction(encoded: string): { a: unknown; f?: Record<string, string> } {
  return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/** base64(HMAC-SHA256(secret, timestamp + "\n" + secret)). Vector: ('1577262236757', 'this is secret'). */
export function signDingtalk(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

/** A robot HTTP callback as DingTalk POSTs it: JSON body plus `timestamp` (ms) and `sign` headers. */
export function signedDelivery(
  payload: Payload,
  o: { secret: string; timestamp?: number | string; sign?: string },
): Delivery {
  const timestamp = String(o.timestamp ?? Date.now());
  return {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      timestamp,
      sign: o.sign ?? signDingtalk(timestamp, o.secret),
    },
    body: JSON.stringify(payload),
  };
}

/** base64(HMAC-SHA256(apiSecret, timestamp)): the card platform's signature of an HTTP card callback. */
export function signCardCallback(timestamp: string, apiSecret: string): string {
  return createHmac('sha256', apiSecret).update(timestamp).digest('base64');
}

/** An HTTP card callback as the card platform POSTs it to the registered URL (`x-ddpaas-signature*` headers). */
export function signedCardCallback(payload: Payload, o: { secret: string; timestamp?: number | string }): Delivery {
  const timestamp = String(o.timestamp ?? Date.now());
  return {
    headers: {
      'content-type': 'application/json',
      'x-ddpaas-signature-timestamp': timestamp,
      'x-ddpaas-signature': signCardCallback(timestamp, o.secret),
    },
    body: JSON.stringify(payload),
  };
}
