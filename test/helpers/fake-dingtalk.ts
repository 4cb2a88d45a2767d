/**
 * A fake DingTalk on 127.0.0.1 (random port): the OpenAPI endpoints the adapter calls AND the Stream gateway.
 *
 *   const fake = await startFakeDingtalk({ clientId: 'ding_app', clientSecret: 's3cret' });
 *   new DingtalkAdapter({ ..., baseUrl: fake.baseUrl });   // the gateway lives on the same base URL
 *
 * OpenAPI: oauth2/accessToken; card/instances/createAndDeliver (same outTrackId → same result, nothing new recorded;
 * `callbackType: HTTP` needs a registered callbackRouteKey); PUT card/instances (merge by key or replace);
 * card/callbacks/register (routeKey → url + apiSecret; an existing key is kept unless forceUpdate);
 * robot/oToMessages/batchSend; robot/groupMessages/send. Every API call
 * needs a live `x-acs-dingtalk-access-token` (else 401 InvalidAuthentication). `failNext` faults hit API calls only.
 * topapi (oapi): POST /topapi/v2/user/getbymobile?access_token= (a token from oauth2/accessToken, else errcode 40014;
 * `mobile` required, else 400002; a mobile of no `addContacts` person, or of one who left, → 60121). Its faults answer
 * HTTP 200 with `errcode` (e.g. 90018 flow control) unless `status` is not 200.
 * Stream: POST /v1.0/gateway/connections/open → `{endpoint: ws://…/connect, ticket}` (single use); the socket takes
 * frames shaped as DingTalk sends them (`push`, `ping`, `pushRaw`) and collects the client's ACKs.
 * HTTP card callbacks: `postCardCallback` POSTs a click to the URL registered for the card's route key, signed as the
 * card platform signs it (`x-ddpaas-signature-timestamp` / `x-ddpaas-signature` from the registered apiSecret;
 * no signature headers when none was registered).
 * `ws` has no types: loaded through createRequire with the few members used typed by hand.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WsSocket } from './ws-server';

type Rec = Record<string, unknown>;
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Rec;
}
export interface FakeCard {
  outTrackId: string;
  spaceType: 'IM_ROBOT' | 'IM_GROUP';
  spaceId: string;
  /** The createAndDeliver body as sent. */
  body: Rec;
  /** Current card data: the create params with every update applied. */
  params: Record<string, string>;
  updates: { params: Record<string, string>; byKey: boolean }[];
}
export interface FakeRobotMessage {
  kind: 'user' | 'group';
  /** userIds[0] or openConversationId. */
  to: string;
  robotCode: unknown;
  msgKey: unknown;
  msgParam: Rec;
}
/** `hang` never answers; throttling faults (429 / QpsLimit code) send `Retry-After` when `retryAfterSeconds` is set. */
export interface Fault {
  status: number;
  /** topapi faults: the errcode of an HTTP 200 answer. */
  errcode?: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  hang?: boolean;
}
export interface StreamAck {
  code: number;
  headers: Rec;
  message: unknown;
  /** `data` JSON-parsed. */
  data: unknown;
}

export async function startFakeDingtalk(app: { clientId: string; clientSecret: string; tokenExpireIn?: number }) {
  const tokens = new Set<string>();
  const tickets = new Set<string>();
  const faults: Fault[] = [];
  const waiters = new Set<() => void>();
  const pendingAcks = new Map<string, (ack: StreamAck) => void>();
  /** callbackRouteKey → where and how card callbacks are sent. */
  const callbackRoutes = new Map<string, { callbackUrl: string; apiSecret: string | undefined }>();
  let seq = 0;
  let socket: WsSocket | undefined;
  const s = {
    requests: [] as FakeRequest[],
    tokenRequests: [] as Rec[],
    gatewayRequests: [] as Rec[],
    cards: [] as FakeCard[],
    messages: [] as FakeRobotMessage[],
    acks: [] as StreamAck[],
  };
  let connections = 0;
  const contacts: { userid: string; mobile: string; left?: boolean }[] = [];
  const contactCalls: { mobile: unknown }[] = [];
  const notify = () => {
    for (const w of waiters) w();
  };
  const err = (status: number, code: string, message: string): Reply => ({ status, body: { code, message } });

  const handle = (req: FakeRequest, port: number): Reply | 'hang' => {
    const b = req.body;
    if (req.path === '/v1.0/oauth2/accessToken') {
      s.tokenRequests.push(b);
      if (b.appKey !== app.clientId || b.appSecret !== app.clientSecret)
        return err(400, 'invalidClientSecret', '无效的appSecret');
      const accessToken = `tok-${++seq}`;
      tokens.add(accessToken);
      return { status: 200, body: { accessToken, expireIn: app.tokenExpireIn ?? 7200 } };
    }
    if (req.path === '/v1.0/gateway/connections/open') {
      s.gatewayRequests.push(b);
      if (b.clientId !== app.clientId || b.clientSecret !== app.clientSecret)
        return err(401, 'unauthorized', 'bad app');
      const ticket = randomUUID();
      tickets.add(ticket);
      return { status: 200, body: { endpoint: `ws://127.0.0.1:${port}/connect`, ticket } };
    }
    if (req.path.startsWith('/topapi/')) return oapi(req);
    const token = req.headers['x-acs-dingtalk-access-token'];
    if (typeof token !== 'string' || !tokens.has(token))
      return err(401, 'InvalidAuthentication', '不合法的access_token');
    const fault = faults.shift();
    if (fault?.hang) return 'hang';
    if (fault) {
      const r = err(fault.status, fault.code ?? `Fault${fault.status}`, fault.message ?? 'fake fault');
      if (fault.retryAfterSeconds !== undefined) r.headers = { 'retry-after': String(fault.retryAfterSeconds) };
      return r;
    }
    return route(req);
  };

  const oapi = (req: FakeRequest): Reply | 'hang' => {
    const fail = (errcode: number, errmsg: string): Reply => ({
      status: 200,
      body: { errcode, errmsg, request_id: `r${++seq}` },
    });
    if (req.method !== 'POST') return err(404, 'NotFound', 'topapi takes POST');
    if (!tokens.has(req.query.access_token ?? '')) return fail(40014, '不合法的access_token');
    const fault = faults.shift();
    if (fault?.hang) return 'hang';
    if (fault && fault.status !== 200) return err(fault.status, fault.code ?? `Fault${fault.status}`, 'fake fault');
    if (fault) return fail(fault.errcode ?? -1, fault.message ?? '系统繁忙');
    if (req.path !== '/topapi/v2/user/getbymobile') return fail(404, '请求的URI地址不存在');
    const mobile = req.body.mobile;
    contactCalls.push({ mobile });
    if (typeof mobile !== 'string' || mobile === '') return fail(400002, '无效的参数');
    const person = contacts.find((c) => c.mobile === mobile && !c.left);
    if (!person) return fail(60121, '找不到该用户');
    return {
      status: 200,
      body: { errcode: 0, errmsg: 'ok', result: { userid: person.userid }, request_id: `r${++seq}` },
    };
  };

  const route = (req: FakeRequest): Reply => {
    const b = req.body;
    const key = `${req.method} ${req.path}`;
    if (key === 'POST /v1.0/card/instances/createAndDeliver') {
      const outTrackId = String(b.outTrackId ?? '');
      const params = stringMap(asRec(b.cardData).cardParamMap);
      const space = /^dtv1\.card\/\/(IM_ROBOT|IM_GROUP)\.(.+)$/.exec(String(b.openSpaceId ?? ''));
      if (!outTrackId || !b.cardTemplateId || !params || !space?.[1] || !space[2]) {
        return err(400, 'InvalidParameter', 'bad createAndDeliver body');
      }
      if (b.callbackType === 'HTTP' && !callbackRoutes.has(String(b.callbackRouteKey ?? ''))) {
        return err(400, 'param.callbackRouteKeyNotExist', 'callbackRouteKey is not registered');
      }
      const spaceType = space[1] === 'IM_ROBOT' ? 'IM_ROBOT' : 'IM_GROUP';
      if (!s.cards.some((c) => c.outTrackId === outTrackId)) {
        s.cards.push({ outTrackId, spaceType, spaceId: space[2], body: b, params: { ...params }, updates: [] });
      }
      const deliverResults = [{ spaceType, spaceId: space[2], success: true, carrierId: `carrier-${outTrackId}` }];
      return { status: 200, body: { success: true, result: { outTrackId, deliverResults } } };
    }
    if (key === 'PUT /v1.0/card/instances') {
      const card = s.cards.find((c) => c.outTrackId === b.outTrackId);
      const params = stringMap(asRec(b.cardData).cardParamMap);
      if (!card) return err(400, 'param.cardNotExist', 'card not found');
      if (!params) return err(400, 'InvalidParameter', 'bad cardParamMap');
      const byKey = asRec(b.cardUpdateOptions).updateCardDataByKey === true;
      card.updates.push({ params, byKey });
      card.params = byKey ? { ...card.params, ...params } : { ...params };
      return { status: 200, body: { success: true, result: true } };
    }
    if (key === 'POST /v1.0/card/callbacks/register') {
      const routeKey = typeof b.callbackRouteKey === 'string' ? b.callbackRouteKey : '';
      const callbackUrl = typeof b.callbackUrl === 'string' ? b.callbackUrl : '';
      if (!routeKey) return err(400, 'param.callbackRouteKeyEmpty', 'param.callbackRouteKeyEmpty');
      if (!callbackUrl) return err(400, 'param.callbackUrlEmpty', 'param.callbackUrlEmpty');
      const existing = callbackRoutes.get(routeKey);
      if (!existing || b.forceUpdate === true) {
        const apiSecret = typeof b.apiSecret === 'string' && b.apiSecret ? b.apiSecret : undefined;
        callbackRoutes.set(routeKey, { callbackUrl, apiSecret });
      }
      const now = callbackRoutes.get(routeKey);
      return {
        status: 200,
        body: { success: true, result: { callbackUrl: now?.callbackUrl, apiSecret: now?.apiSecret } },
      };
    }
    const isUser = key === 'POST /v1.0/robot/oToMessages/batchSend';
    if (isUser || key === 'POST /v1.0/robot/groupMessages/send') {
      const to = isUser ? (Array.isArray(b.userIds) ? String(b.userIds[0]) : '') : String(b.openConversationId ?? '');
      if (!to || typeof b.msgParam !== 'string') return err(400, 'InvalidParameter', 'bad robot message');
      s.messages.push({
        kind: isUser ? 'user' : 'group',
        to,
        robotCode: b.robotCode,
        msgKey: b.msgKey,
        msgParam: asRec(JSON.parse(b.msgParam)),
      });
      const extra = isUser ? { invalidStaffIdList: [], flowControlledStaffIdList: [] } : {};
      return { status: 200, body: { processQueryKey: `pqk-${++seq}`, ...extra } };
    }
    return err(404, 'NotFound', `fake dingtalk: no route ${key}`);
  };

  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      const fr: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: asRec(raw ? safeJson(raw) : {}),
      };
      s.requests.push(fr);
      const r = handle(fr, (server.address() as AddressInfo).port);
      if (r !== 'hang') reply(res, r);
      notify();
    });
  });
  server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => {
    const ticket = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket') ?? '';
    if (!tickets.delete(ticket)) {
      sock.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => {
      socket = ws;
      connections++;
      ws.on('message', (data) => {
        const m = asRec(safeJson(data.toString('utf8')));
        const headers = asRec(m.headers);
        const ack: StreamAck = { code: Number(m.code), headers, message: m.message, data: safeJson(String(m.data)) };
        s.acks.push(ack);
        const id = String(headers.messageId);
        pendingAcks.get(id)?.(ack);
        pendingAcks.delete(id);
        notify();
      });
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sendFrame = (type: string, topic: string, data: unknown, messageId = `msg-${++seq}`): Promise<StreamAck> => {
    const ws = socket;
    if (!ws) return Promise.reject(new Error('no stream client connected'));
    const headers = {
      appId: 'app-fake',
      connectionId: 'conn-fake',
      contentType: 'application/json',
      messageId,
      time: String(Date.now()),
      topic,
    };
    return new Promise((resolve) => {
      pendingAcks.set(messageId, resolve);
      ws.send(JSON.stringify({ specVersion: '1.0', type, headers, data: JSON.stringify(data) }));
    });
  };
  const waitFor = <T>(pick: () => T | undefined): Promise<T> =>
    new Promise((resolve) => {
      const check = () => {
        const v = pick();
        if (v === undefined) return;
        waiters.delete(check);
        resolve(v);
      };
      waiters.add(check);
      check();
    });

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    ...s,
    /** People the contact API knows (getbymobile); `left` = resigned, no longer found. */
    addContacts: (...people: { userid: string; mobile: string; left?: boolean }[]) => contacts.push(...people),
    /** The getbymobile calls that reached the route (valid token, no fault). */
    contactCalls,
    /** Stream connections accepted so far. */
    connectionCount: () => connections,
    failNext(n: number, fault: Fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    invalidateTokens: () => tokens.clear(),
    cardsTo: (userId: string) => s.cards.filter((c) => c.spaceType === 'IM_ROBOT' && c.spaceId === userId),
    cardsInGroup: (cid: string) => s.cards.filter((c) => c.spaceType === 'IM_GROUP' && c.spaceId === cid),
    lastCardData: (outTrackId: string) => s.cards.find((c) => c.outTrackId === outTrackId)?.params,
    textsTo: (userId: string) => s.messages.filter((m) => m.kind === 'user' && m.to === userId),
    groupTexts: (cid: string) => s.messages.filter((m) => m.kind === 'group' && m.to === cid),
    waitFor,
    /** Resolves once `n` stream connections have been accepted in total. */
    connected: (n = 1) => waitFor(() => (connections >= n ? true : undefined)),
    /** Pushes one CALLBACK (or EVENT) frame; resolves with the client's ACK. */
    push: (topic: string, data: unknown, o: { type?: 'CALLBACK' | 'EVENT'; messageId?: string } = {}) =>
      sendFrame(o.type ?? 'CALLBACK', topic, data, o.messageId),
    ping: () => sendFrame('SYSTEM', 'ping', { opaque: randomUUID() }),
    /** The registered card callback routes (routeKey → url, apiSecret). */
    callbackRoutes: () => new Map(callbackRoutes),
    /**
     * A click on an HTTP-callback card, as the card platform sends it: POST to the URL registered for the card's
     * callbackRouteKey, signed with the route's apiSecret at `nowMs` (the bot's clock in tests).
     */
    async postCardCallback(outTrackId: string, payload: Rec, nowMs: number): Promise<Response> {
      const card = s.cards.find((c) => c.outTrackId === outTrackId);
      if (!card) throw new Error(`fake dingtalk: no card ${outTrackId}`);
      if (card.body.callbackType !== 'HTTP') throw new Error(`fake dingtalk: card ${outTrackId} uses Stream callbacks`);
      const route = callbackRoutes.get(String(card.body.callbackRouteKey));
      if (!route) throw new Error(`fake dingtalk: route key ${String(card.body.callbackRouteKey)} not registered`);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (route.apiSecret) {
        const ts = String(nowMs);
        headers['x-ddpaas-signature-timestamp'] = ts;
        headers['x-ddpaas-signature'] = createHmac('sha256', route.apiSecret).update(ts).digest('base64');
      }
      return fetch(route.callbackUrl, { method: 'POST', headers, body: JSON.stringify(payload) });
    },
    pushRaw: (text: string) => socket?.send(text),
    dropConnection: () => socket?.terminate(),
    reset() {
      for (const list of [s.requests, s.tokenRequests, s.gatewayRequests, s.cards, s.messages, s.acks]) list.length = 0;
      callbackRoutes.clear();
      faults.length = 0;
    },
    async close() {
      socket?.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeDingtalk = Awaited<ReturnType<typeof startFakeDingtalk>>;
type Reply = { status: number; body: unknown; headers?: Record<string, string> };

function reply(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
  res.end(JSON.stringify(r.body));
}
function asRec(v: unknown): Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {};
}
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
/** A cardParamMap whose values are all strings (as DingTalk requires), else undefined. */
function stringMap(v: unknown): Record<string, string> | undefined {
  const r = asRec(v);
  if (v !== r || !Object.values(r).every((x) => typeof x === 'string')) return undefined;
  return r as Record<string, string>;
}
