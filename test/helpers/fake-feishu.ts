/**
 * A fake Feishu Open API on 127.0.0.1 (random port) for tests that drive the REAL SDK over real HTTP.
 *
 *   const fake = await startFakeFeishu({ appId: 'cli_test', appSecret: 's3cret' });
 *   new FeishuAdapter({ ..., baseUrl: fake.baseUrl });
 *   ...
 *   await fake.close();
 *
 * Endpoints: tenant_access_token/internal, POST im/v1/messages (uuid idempotency: the same uuid returns the same
 * message_id and records nothing new), PATCH im/v1/messages/:id, PATCH .../urgent_app, POST interactive/v1/card/update,
 * POST contact/v3/users/batch_get_id (strict like the docs: `emails` and/or `mobiles`, at most 50 each, at least one
 * value, `user_id_type` one of open_id/union_id/user_id; every value asked comes back, with `user_id` only for a person
 * of `addContact` who has not resigned — unless `include_resigned`).
 * Cards (send and update) over 30 KB of request body are refused with 400 code 230025, as Feishu does.
 * Every API call (not the token call) needs `Authorization: Bearer <issued token>`; unknown tokens get HTTP 400
 * code 99991663 (see `invalidateTokens`). `failNext` faults apply to API calls only, in FIFO order.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asRecord, closeServer, parseBody, type Reply, readBody, reply } from './fake-http';

export interface FakeMessage {
  messageId: string;
  receive_id_type: string;
  receive_id: string;
  msg_type: string;
  /** The `content` JSON string, parsed. */
  content: unknown;
  uuid: string | undefined;
}
export interface FakeUpdate {
  messageId: string;
  content: unknown;
}
export interface FakeUrgent {
  messageId: string;
  userIds: string[];
}
export interface FakeCardUpdate {
  token: string;
  card: unknown;
}
/** A person in the fake tenant's contacts (batch_get_id). */
export interface FakeContact {
  openId: string;
  email?: string;
  mobile?: string;
  resigned?: boolean;
}
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}
/**
 * `status` 429 → body code 99991400 + `x-ogw-ratelimit-reset`; `status` 200 + `code` → business error body;
 * `hang: true` → the request is never answered (for timeout tests).
 */
export interface Fault {
  status: number;
  hang?: boolean;
  code?: number;
  msg?: string;
  resetSeconds?: number;
}

export interface FakeFeishu {
  readonly baseUrl: string;
  /** The bot's open_id, served by GET /open-apis/bot/v3/info. */
  readonly botOpenId: string;
  readonly messages: FakeMessage[];
  readonly updates: FakeUpdate[];
  readonly urgents: FakeUrgent[];
  readonly cardUpdates: FakeCardUpdate[];
  readonly tokenRequests: { app_id: unknown; app_secret: unknown }[];
  readonly requests: FakeRequest[];
  failNext(n: number, fault: Fault): void;
  addApp(appId: string, appSecret: string): void;
  /** Adds people to the tenant's contacts (found by batch_get_id). */
  addContacts(...people: FakeContact[]): void;
  /** The batch_get_id calls that reached the route (authorised, no fault), with what they asked. */
  readonly contactCalls: { emails: string[]; mobiles: string[] }[];
  /** Makes every token issued so far invalid (the next API call with one gets code 99991663). */
  invalidateTokens(): void;
  messagesTo(receiveId: string): FakeMessage[];
  /** The latest card shown in the last interactive message sent to `receiveId` (its newest update, if any). */
  lastCardTo(receiveId: string): unknown;
  /** Clears records, faults, the uuid memory and message numbering; issued tokens and apps stay valid. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Realism for the benchmark: every API call answers after `latencyMs`, and im/v1/messages enforces Feishu's limits
 * in sliding windows counted on arrival (per second: app-wide, per receive_id for POST, per message for PATCH; per
 * minute app-wide: "1000/min & 50/s", either one reached answers 429), answering 429 + `x-ogw-ratelimit-reset`
 * beyond them. Refusals are counted in `rateLimited`. With a latency set, `requests` is not recorded.
 */
export interface FakeFeishuOptions {
  latencyMs?: number;
  limits?: { app: number; appPerMinute?: number; perReceiver: number; perMessage: number };
}

export async function startFakeFeishu(
  app: { appId: string; appSecret: string; botOpenId?: string },
  opts: FakeFeishuOptions = {},
): Promise<FakeFeishu & { rateLimited: () => number }> {
  const botOpenId = app.botOpenId ?? 'ou_handoff_bot';
  const windows = new Map<string, number[]>();
  let refused = 0;
  /** True when one more call under every key stays within its limit per window (and counts it). */
  const admit = (keys: [string, number, number][], now: number): boolean => {
    for (const [k, limit, windowMs] of keys) {
      const w = (windows.get(k) ?? []).filter((t) => t > now - windowMs);
      windows.set(k, w);
      if (w.length >= limit) return false;
    }
    for (const [k] of keys) windows.get(k)?.push(now);
    return true;
  };
  const limited = (req: FakeRequest): boolean => {
    const l = opts.limits;
    if (!l || !req.path.startsWith('/open-apis/im/v1/messages')) return false;
    const b = asRecord(req.body);
    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(req.path)?.[1];
    const keys: [string, number, number][] =
      req.method === 'PATCH' && patch
        ? [[`msg:${patch}`, l.perMessage, 1000]]
        : [
            ['app', l.app, 1000],
            ['app/min', l.appPerMinute ?? Number.POSITIVE_INFINITY, 60_000],
            [`to:${String(b.receive_id)}`, l.perReceiver, 1000],
          ];
    if (admit(keys, performance.now())) return false;
    refused++;
    return true;
  };
  const apps = new Map<string, string>([[app.appId, app.appSecret]]);
  const contacts: FakeContact[] = [];
  const validTokens = new Set<string>();
  const byUuid = new Map<string, string>();
  const faults: Fault[] = [];
  let tokenSeq = 0;
  let msgSeq = 0;
  const state = {
    messages: [] as FakeMessage[],
    updates: [] as FakeUpdate[],
    urgents: [] as FakeUrgent[],
    cardUpdates: [] as FakeCardUpdate[],
    tokenRequests: [] as { app_id: unknown; app_secret: unknown }[],
    requests: [] as FakeRequest[],
    contactCalls: [] as { emails: string[]; mobiles: string[] }[],
  };

  const handle = (req: FakeRequest): Reply | 'hang' => {
    if (req.method === 'POST' && req.path === '/open-apis/auth/v3/tenant_access_token/internal') {
      const b = asRecord(req.body);
      state.tokenRequests.push({ app_id: b.app_id, app_secret: b.app_secret });
      if (typeof b.app_id !== 'string' || apps.get(b.app_id) !== b.app_secret) {
        return { status: 200, body: { code: 10014, msg: 'app secret invalid' } };
      }
      const token = `t-fake-${++tokenSeq}`;
      validTokens.add(token);
      return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 } };
    }
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!token) return { status: 400, body: { code: 99991661, msg: 'Missing access token for authorization.' } };
    if (!validTokens.has(token)) return { status: 400, body: { code: 99991663, msg: 'Invalid access token.' } };
    const fault = faults.shift();
    if (fault?.hang) return 'hang';
    if (fault) return faultResponse(fault);
    if (limited(req)) return faultResponse({ status: 429, resetSeconds: 1 });
    return route(req);
  };

  const route = (req: FakeRequest): { status: number; body: unknown } => {
    const b = asRecord(req.body);
    if (req.method === 'POST' && req.path === '/open-apis/im/v1/messages') {
      const uuid = typeof b.uuid === 'string' ? b.uuid : undefined;
      const existing = uuid ? byUuid.get(uuid) : undefined;
      if (existing) return ok({ message_id: existing });
      if (typeof b.receive_id !== 'string' || typeof b.content !== 'string' || typeof b.msg_type !== 'string') {
        return { status: 400, body: { code: 230001, msg: 'invalid param' } };
      }
      if (b.msg_type === 'interactive' && tooLarge(b.content)) return contentTooLong();
      const messageId = `om_${++msgSeq}`;
      if (uuid) byUuid.set(uuid, messageId);
      state.messages.push({
        messageId,
        receive_id_type: req.query.receive_id_type ?? '',
        receive_id: b.receive_id,
        msg_type: b.msg_type,
        content: JSON.parse(b.content),
        uuid,
      });
      return ok({ message_id: messageId, msg_type: b.msg_type });
    }
    const urgent = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/urgent_app$/.exec(req.path);
    if (req.method === 'PATCH' && urgent?.[1]) {
      const messageId = urgent[1];
      if (!state.messages.some((m) => m.messageId === messageId)) return notFound();
      const userIds = Array.isArray(b.user_id_list) ? b.user_id_list.map(String) : [];
      state.urgents.push({ messageId, userIds });
      return ok({ invalid_user_id_list: [] });
    }
    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(req.path);
    if (req.method === 'PATCH' && patch?.[1]) {
      const messageId = patch[1];
      if (!state.messages.some((m) => m.messageId === messageId)) return notFound();
      if (typeof b.content !== 'string') return { status: 400, body: { code: 230001, msg: 'invalid param' } };
      if (tooLarge(b.content)) return contentTooLong();
      state.updates.push({ messageId, content: JSON.parse(b.content) });
      return ok({});
    }
    if (req.method === 'GET' && req.path === '/open-apis/bot/v3/info') {
      return {
        status: 200,
        body: {
          code: 0,
          msg: 'ok',
          bot: { activate_status: 2, app_name: 'Handoff', avatar_url: '', ip_white_list: [], open_id: botOpenId },
        },
      };
    }
    if (req.method === 'POST' && req.path === '/open-apis/contact/v3/users/batch_get_id') return batchGetId(req);
    if (req.method === 'POST' && req.path === '/open-apis/interactive/v1/card/update') {
      state.cardUpdates.push({ token: String(b.token), card: b.card });
      return ok({});
    }
    return { status: 404, body: { code: 404, msg: `fake feishu: no route ${req.method} ${req.path}` } };
  };

  const batchGetId = (req: FakeRequest): Reply => {
    const b = asRecord(req.body);
    const invalid = (msg: string) => ({
      status: 400,
      body: { code: 99992402, msg: `field validation failed: ${msg}` },
    });
    const idType = req.query.user_id_type ?? 'open_id';
    if (!['open_id', 'union_id', 'user_id'].includes(idType)) return invalid('user_id_type');
    const list = (k: string): string[] | null => {
      const v = b[k];
      if (v === undefined) return [];
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
    };
    const emails = list('emails');
    const mobiles = list('mobiles');
    if (!emails || !mobiles) return invalid('emails and mobiles are lists of strings');
    if (emails.length > 50 || mobiles.length > 50) return invalid('at most 50 emails and 50 mobiles');
    if (emails.length + mobiles.length === 0) return invalid('emails or mobiles required');
    state.contactCalls.push({ emails, mobiles });
    const withResigned = b.include_resigned === true;
    const find = (pick: (c: FakeContact) => boolean) => contacts.find((c) => pick(c) && (withResigned || !c.resigned));
    const status = (c: FakeContact | undefined) =>
      c
        ? { is_frozen: false, is_resigned: c.resigned === true, is_activated: true, is_exited: false, is_unjoin: false }
        : undefined;
    const user_list = [
      ...emails.map((email) => {
        const c = find((x) => x.email?.toLowerCase() === email.toLowerCase());
        return c ? { email, user_id: c.openId, status: status(c) } : { email };
      }),
      ...mobiles.map((mobile) => {
        const c = find((x) => x.mobile === mobile);
        return c ? { mobile, user_id: c.openId, status: status(c) } : { mobile };
      }),
    ];
    return ok({ user_list });
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const fr: FakeRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body: parseBody(raw),
        };
        if (!opts.latencyMs) state.requests.push(fr);
        const r = handle(fr);
        if (r === 'hang') return;
        if (opts.latencyMs) setTimeout(() => reply(res, r), opts.latencyMs);
        else reply(res, r);
      })
      .catch(() => reply(res, { status: 500, body: { code: 500, msg: 'fake failure' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeFeishu & { rateLimited: () => number } = {
    baseUrl: `http://127.0.0.1:${port}`,
    rateLimited: () => refused,
    botOpenId,
    ...state,
    failNext(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    addApp(appId, appSecret) {
      apps.set(appId, appSecret);
    },
    addContacts(...people) {
      contacts.push(...people);
    },
    invalidateTokens() {
      validTokens.clear();
    },
    messagesTo(receiveId) {
      return state.messages.filter((m) => m.receive_id === receiveId);
    },
    lastCardTo(receiveId) {
      const sent = state.messages.filter((m) => m.receive_id === receiveId && m.msg_type === 'interactive').at(-1);
      if (!sent) return undefined;
      const update = state.updates.filter((u) => u.messageId === sent.messageId).at(-1);
      return update ? update.content : sent.content;
    },
    reset() {
      for (const list of Object.values(state)) list.length = 0;
      faults.length = 0;
      byUuid.clear();
      msgSeq = 0;
    },
    close: () => closeServer(server),
  };
  return fake;
}

function faultResponse(f: Fault): Reply {
  if (f.status === 429 || f.code === 99991400) {
    const headers = { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(f.resetSeconds ?? 1) };
    const body = { code: 99991400, msg: f.msg ?? 'request trigger frequency limit' };
    return { status: f.status, body, headers };
  }
  return { status: f.status, body: { code: f.code ?? f.status, msg: f.msg ?? 'fake fault' } };
}

function ok(data: unknown) {
  return { status: 200, body: { code: 0, msg: 'success', data } };
}

function notFound() {
  return { status: 400, body: { code: 230011, msg: 'message not found' } };
}

/** Feishu refuses a card whose request body is over 30 KB (send and update alike). */
const CARD_LIMIT_BYTES = 30 * 1024;
const tooLarge = (content: string) => Buffer.byteLength(JSON.stringify(content), 'utf8') > CARD_LIMIT_BYTES;
const contentTooLong = () => ({ status: 400, body: { code: 230025, msg: 'The message content is too long.' } });
