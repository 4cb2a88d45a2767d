/**
 * Builders for WeCom callback deliveries exactly as WeCom sends them, with our own implementation of WeCom's crypto
 * (independent of src/, so tests exercise the adapter's verification rather than mirror it):
 * - ciphertext = base64(AES-256-CBC(key = base64(EncodingAESKey + '='), iv = key[0..16],
 *   random(16) + be32(len(msg)) + msg + receiveId, PKCS#7 padded to 32 bytes));
 * - msg_signature = hex(sha1(sort([token, timestamp, nonce, encrypt]).join(''))).
 *
 *   const d = encryptedDelivery(secrets, textMessageXml({ ... }));
 *   await fetch(`${url}/wecom/callback${d.search}`, { method: 'POST', body: d.body });
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

export interface CallbackSecrets {
  token: string;
  /** EncodingAESKey, 43 characters. */
  aesKey: string;
  /** ReceiveId: the corp id for a self-built app. */
  corpId: string;
}

export function wecomEncrypt(aesKey: string, msg: string, receiveId: string, random: Buffer = randomBytes(16)): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const body = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, len, body, Buffer.from(receiveId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export function wecomSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

export interface DeliveryOptions {
  /** Seconds since epoch; default now. */
  timestamp?: number | string;
  nonce?: string;
  random?: Buffer;
  /** Overrides the signature (for tampering tests). */
  signature?: string;
}

export interface Delivery {
  /** Decoded query parameters (what Koa's ctx.query yields). */
  query: Record<string, string>;
  /** `?msg_signature=…&timestamp=…&nonce=…[&echostr=…]`, URL-encoded like WeCom does. */
  search: string;
  /** POST body (empty for GET). */
  body: string;
}

function delivery(s: CallbackSecrets, encrypt: string, o: DeliveryOptions, extra: Record<string, string>): Delivery {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? String(Math.floor(Math.random() * 1e9));
  const query = {
    msg_signature: o.signature ?? wecomSignature(s.token, timestamp, nonce, encrypt),
    timestamp,
    nonce,
    ...extra,
  };
  return { query, search: `?${new URLSearchParams(query).toString()}`, body: '' };
}

/** GET URL verification: WeCom sends an encrypted random number as `echostr` and expects it back decrypted. */
export function verificationRequest(s: CallbackSecrets, echo: string, o: DeliveryOptions = {}): Delivery {
  const echostr = wecomEncrypt(s.aesKey, echo, s.corpId, o.random);
  return delivery(s, echostr, o, { echostr });
}

/** POST callback: the plaintext XML encrypted into `<xml><ToUserName/><AgentID/><Encrypt/></xml>`. */
export function encryptedDelivery(
  s: CallbackSecrets,
  plainXml: string,
  o: DeliveryOptions & { agentId?: number | string; receiveId?: string } = {},
): Delivery {
  const encrypt = wecomEncrypt(s.aesKey, plainXml, o.receiveId ?? s.corpId, o.random);
  const d = delivery(s, encrypt, o, {});
  d.body =
    `<xml><ToUserName><![CDATA[${s.corpId}]]></ToUserName><AgentID><![CDATA[${o.agentId ?? 1000002}]]></AgentID>` +
    `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return d;
}

export interface TextMessageInput {
  corpId: string;
  from: string;
  content: string;
  msgId?: string;
  /** Seconds since epoch. */
  createTime?: number;
  agentId?: number | string;
}

export function textMessageXml(i: TextMessageInput): string {
  return [
    '<xml>',
    `<ToUserName><![CDATA[${i.corpId}]]></ToUserName>`,
    `<FromUserName><![CDATA[${i.from}]]></FromUserName>`,
    `<CreateTime>${i.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>`,
    '<MsgType><![CDATA[text]]></MsgType>',
    `<Content><![CDATA[${i.content}]]></Content>`,
    `<MsgId>${i.msgId ?? String(Math.floor(Math.random() * 1e18))}</MsgId>`,
    `<AgentID>${i.agentId ?? 1000002}</AgentID>`,
    '</xml>',
  ].join('\n');
}

export interface CardClickInput {
  corpId: string;
  from: string;
  eventKey: string;
  taskId: string;
  responseCode?: string;
  createTime?: number;
  agentId?: number | string;
}

/** `Event=template_card_event` as WeCom sends it for a button_interaction card. */
export function cardClickXml(i: CardClickInput): string {
  return [
    '<xml>',
    `<ToUserName><![CDATA[${i.corpId}]]></ToUserName>`,
    `<FromUserName><![CDATA[${i.from}]]></FromUserName>`,
    `<CreateTime>${i.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>`,
    '<MsgType><![CDATA[event]]></MsgType>',
    '<Event><![CDATA[template_card_event]]></Event>',
    `<EventKey><![CDATA[${i.eventKey}]]></EventKey>`,
    `<TaskId><![CDATA[${i.taskId}]]></TaskId>`,
    '<CardType><![CDATA[button_interaction]]></CardType>',
    i.responseCode === undefined ? '' : `<ResponseCode><![CDATA[${i.responseCode}]]></ResponseCode>`,
    `<AgentID>${i.agentId ?? 1000002}</AgentID>`,
    '</xml>',
  ].join('\n');
}

/** Official known-answer vectors (WeCom 加解密方案 worked example, dingtalk-wecom.md A3 set 1). */
export const WECOM_KAT = {
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  aesKeyHex: '8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760',
  corpId: 'wx5823bf96d3bd56c7',
  verify: {
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    plain: '1616140317555161061',
  },
  message: {
    timestamp: '1409659813',
    nonce: '1372623149',
    signature: '477715d11cdb4164915debcba66cb864d751f3e6',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    plain:
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
    randomHex: '30393630363838393332633437656631',
  },
} as const;
