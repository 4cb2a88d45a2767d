/**
 * Small readers for DingTalk payload shapes, the chat-id convention, and the encoding of a card button's value.
 *
 * Chat ids. A robot message's `conversationId` names a group (`conversationType` "2") or the one-to-one chat with the
 * robot ("1"). Groups are addressed by that id (`groupMessages/send`, `IM_GROUP.<id>`), but the one-to-one chat can
 * only be reached through the user (`oToMessages/batchSend`, `IM_ROBOT.<userId>`), and both kinds of
 * conversationId look alike (`cid…`). So a p2p ChatRef carries `p2p:<senderStaffId>` (stateless: an outbox retry after
 * a restart still routes), and `send({ kind: 'chat', id: 'p2p:…' })` goes to that user.
 *
 * Button values. The generic card template passes each button's `btnK_action` variable back as the callback param
 * `action`. It holds base64url(JSON `{ a: ActionValue, f?: { <input slot>: <field name> } }`): `a` is the intent,
 * `f` maps the template's fixed input slots (`in1`…) back to the form's field names for a form submit button.
 */

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function rec(v: unknown): Json | undefined {
  return isRecord(v) ? v : undefined;
}

/** JSON.parse that returns undefined instead of throwing. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const P2P_CHAT_PREFIX = 'p2p:';

export function p2pChatId(userId: string): string {
  return `${P2P_CHAT_PREFIX}${userId}`;
}

/** Where a `{ kind: 'chat' }` target really goes. */
export function chatDestination(chatId: string): { kind: 'user'; userId: string } | { kind: 'group'; id: string } {
  return chatId.startsWith(P2P_CHAT_PREFIX)
    ? { kind: 'user', userId: chatId.slice(P2P_CHAT_PREFIX.length) }
    : { kind: 'group', id: chatId };
}

export interface ButtonPayload {
  /** The button's ActionValue (untrusted once it comes back). */
  a: unknown;
  /** Input slot → form field name, for form submit buttons. */
  f?: Record<string, string>;
}

export function encodeButtonPayload(p: ButtonPayload): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

/** Decodes `encodeButtonPayload` output; also accepts the raw JSON text. Undefined when it is neither. */
export function decodeButtonPayload(encoded: string): ButtonPayload | undefined {
  const text = encoded.trimStart().startsWith('{')
    ? encoded
    : /^[A-Za-z0-9_-]+={0,2}$/.test(encoded)
      ? Buffer.from(encoded, 'base64url').toString('utf8')
      : undefined;
  if (text === undefined) return undefined;
  const parsed = tryJson(text);
  if (!isRecord(parsed) || !('a' in parsed)) return undefined;
  const out: ButtonPayload = { a: parsed.a };
  const f = rec(parsed.f);
  if (f) {
    const map: Record<string, string> = {};
    for (const [slot, name] of Object.entries(f)) if (typeof name === 'string') map[slot] = name;
    out.f = map;
  }
  return out;
}
