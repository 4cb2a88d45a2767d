/**
 * A fake WeCom server API on 127.0.0.1 (random port) for tests that drive the adapter over real HTTP, plus a
 * Map-backed AdapterState.
 *
 *   const fake = await startFakeWecom({ corpId: 'wwcorp', secret: 's3cret', agentId: 1000002 });
 *   new WecomAdapter({ ..., baseUrl: fake.baseUrl, newsWebhook: fake.webhookUrl('news-key') });
 *
 * Endpoints: GET /cgi-bin/gettoken; POST /cgi-bin/message/send (returns msgid, plus response_code for
 * button_interaction cards); POST /cgi-bin/message/update_template_card (response codes are SINGLE USE: an unknown
 * code → errcode 40058, a used one → errcode 42022); POST /cgi-bin/appchat/send; POST /cgi-bin/webhook/send?key=.
 * Contacts: POST /cgi-bin/user/getuserid {mobile} and /cgi-bin/user/get_userid_by_email {email, email_type: 1 corporate
 * (default) | 2 personal} → {userid}; a missing or malformed value → 40058 / 60103; nobody → 46004 (`addContacts`).
 * API calls need a valid access_token (unknown → 40014, expired via `expireTokens` → 42001). `failNext` faults apply
 * to every call except gettoken, FIFO.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterState } from '../../src/platforms/types';
import { asRecord, closeServer, parseBody, type Reply, readBody, reply } from './fake-http';

type Json = Record<string, unknown>;

export interface FakeSent {
  msgid: string;
  touser: string;
  msgtype: string;
  body: Json;
  taskId?: string;
}
export interface FakeCardUpdate {
  taskId: string;
  responseCode: string;
  body: Json;
}
export interface FakePost {
  target: string;
  msgtype: string;
  body: Json;
}
/** `errcode` → HTTP 200 with that errcode; `status` → that HTTP status; `hang` → never answered. */
export interface WecomFault {
  errcode?: number;
  errmsg?: string;
  status?: number;
  hang?: boolean;
  /** The request is carried out, but its answer is lost (the connection drops): a retry comes next. */
  lose?: boolean;
}

export interface FakeWecomContact {
  userid: string;
  mobile?: string;
  /** The corporate mailbox (email_type 1). */
  bizMail?: string;
  /** The personal e-mail (email_type 2). */
  email?: string;
}

export interface FakeWecom {
  readonly baseUrl: string;
  addContacts(...people: FakeWecomContact[]): void;
  /** The contact lookups that reached the route (valid token, no fault): path and body. */
  readonly contactCalls: { path: string; body: Json }[];
  readonly messages: FakeSent[];
  readonly updates: FakeCardUpdate[];
  readonly appchats: FakePost[];
  readonly webhooks: FakePost[];
  readonly tokenRequests: { corpid: string | undefined; corpsecret: string | undefined }[];
  readonly requests: { method: string; path: string; query: Record<string, string>; body: unknown }[];
  webhookUrl(key: string): string;
  /** A fresh response code for the card, as WeCom puts in a click callback. */
  issueResponseCode(taskId: string): string;
  /** Whether a code was issued and not used yet. */
  codeUnused(code: string): boolean;
  failNext(n: number, fault: WecomFault): void;
  /** Tokens issued so far now answer 42001 (expired). */
  expireTokens(): void;
  /** The template_card last shown to `userId` (its newest update, if any). */
  lastCardTo(userId: string): Json | undefined;
  close(): Promise<void>;
}

export async function startFakeWecom(app: {
  corpId: string;
  secret: string;
  agentId: number;
  webhookKeys?: string[];
}): Promise<FakeWecom> {
  const valid = new Set<string>();
  const expired = new Set<string>();
  const codes = new Map<string, { taskId: string; used: boolean }>();
  const keys = new Set(app.webhookKeys ?? ['news-key']);
  const faults: WecomFault[] = [];
  const contacts: FakeWecomContact[] = [];
  const contactCalls: { path: string; body: Json }[] = [];
  let seq = 0;
  const state = {
    messages: [] as FakeSent[],
    updates: [] as FakeCardUpdate[],
    appchats: [] as FakePost[],
    webhooks: [] as FakePost[],
    tokenRequests: [] as { corpid: string | undefined; corpsecret: string | undefined }[],
    requests: [] as { method: string; path: string; query: Record<string, string>; body: unknown }[],
  };
  const issue = (taskId: string) => {
    const code = `rc-${++seq}-${taskId.slice(-6)}`;
    codes.set(code, { taskId, used: false });
    return code;
  };
  const err = (errcode: number, errmsg: string) => ({ status: 200, body: { errcode, errmsg } });

  const handle = (method: string, path: string, q: Record<string, string>, body: Json): Reply | 'hang' => {
    if (method === 'GET' && path === '/cgi-bin/gettoken') {
      state.tokenRequests.push({ corpid: q.corpid, corpsecret: q.corpsecret });
      if (q.corpid !== app.corpId || q.corpsecret !== app.secret) return err(40001, 'invalid credential');
      const token = `tok-${++seq}`;
      valid.add(token);
      return { status: 200, body: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 } };
    }
    const fault = faults.shift();
    if (fault?.hang) return 'hang';
    if (fault?.status) return { status: fault.status, body: { errcode: -1, errmsg: 'fake http fault' } };
    if (fault) return err(fault.errcode ?? -1, fault.errmsg ?? 'fake fault');
    if (method === 'POST' && path === '/cgi-bin/webhook/send') {
      if (!q.key || !keys.has(q.key)) return err(93000, 'invalid webhook url');
      state.webhooks.push({ target: q.key, msgtype: String(body.msgtype), body });
      return err(0, 'ok');
    }
    const token = q.access_token;
    if (!token) return err(41001, 'access_token missing');
    if (expired.has(token)) return err(42001, 'access_token expired');
    if (!valid.has(token)) return err(40014, 'invalid access_token');
    if (method !== 'POST') return { status: 404, body: { errcode: 404, errmsg: 'no route' } };
    if (path === '/cgi-bin/user/getuserid' || path === '/cgi-bin/user/get_userid_by_email') return lookup(path, body);
    if (path === '/cgi-bin/message/send') return send(body);
    if (path === '/cgi-bin/message/update_template_card') return update(body);
    if (path === '/cgi-bin/appchat/send') {
      if (typeof body.chatid !== 'string') return err(40050, 'chatid not found');
      state.appchats.push({ target: body.chatid, msgtype: String(body.msgtype), body });
      return err(0, 'ok');
    }
    return { status: 404, body: { errcode: 404, errmsg: `fake wecom: no route ${method} ${path}` } };
  };

  const lookup = (path: string, body: Json): Reply => {
    contactCalls.push({ path, body });
    const found = (c: FakeWecomContact | undefined) =>
      c ? { status: 200, body: { errcode: 0, errmsg: 'ok', userid: c.userid } } : err(46004, 'user not found');
    if (path === '/cgi-bin/user/getuserid') {
      if (typeof body.mobile !== 'string') return err(40058, 'mobile missing');
      if (!/^\+?\d{5,32}$/.test(body.mobile)) return err(60103, 'mobile invalid');
      return found(contacts.find((c) => c.mobile === body.mobile));
    }
    if (typeof body.email !== 'string' || !body.email.includes('@')) return err(40058, 'email missing');
    const type = body.email_type ?? 1;
    if (type !== 1 && type !== 2) return err(40058, 'invalid email_type');
    const email = body.email.toLowerCase();
    return found(contacts.find((c) => (type === 1 ? c.bizMail : c.email)?.toLowerCase() === email));
  };

  const send = (body: Json): Reply => {
    if (body.agentid !== app.agentId) return err(40056, 'invalid agentid');
    if (typeof body.touser !== 'string' || typeof body.msgtype !== 'string') return err(40058, 'invalid param');
    const msgid = `msg-${++seq}`;
    const sent: FakeSent = { msgid, touser: body.touser, msgtype: body.msgtype, body };
    const res: Json = { errcode: 0, errmsg: 'ok', invaliduser: '', msgid };
    if (body.msgtype === 'template_card') {
      const card = asRecord(body.template_card);
      const problem = checkCard(card);
      if (problem) return err(40058, problem);
      sent.taskId = String(card.task_id);
      // WeCom refuses a task_id it has seen before (unique per app), also when the first send's answer was lost.
      if (state.messages.some((m) => m.taskId === sent.taskId)) return err(42014, 'task_id exist');
      if (card.card_type === 'button_interaction') res.response_code = issue(sent.taskId);
    } else if (body.msgtype === 'text' && typeof asRecord(body.text).content !== 'string') {
      return err(44004, 'empty content');
    }
    state.messages.push(sent);
    return { status: 200, body: res };
  };

  const update = (body: Json): Reply => {
    const code = typeof body.response_code === 'string' ? body.response_code : '';
    const entry = codes.get(code);
    if (!entry) return err(40058, 'invalid response_code');
    if (entry.used) return err(42022, 'response_code already used');
    const problem = checkCard(asRecord(body.template_card));
    if (problem) return err(40058, problem);
    entry.used = true;
    state.updates.push({ taskId: entry.taskId, responseCode: code, body });
    return err(0, 'ok');
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const query = Object.fromEntries(url.searchParams);
        const body = parseBody(raw);
        state.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, body });
        const lose = url.pathname !== '/cgi-bin/gettoken' && faults[0]?.lose === true;
        if (lose) faults.shift();
        const r = handle(req.method ?? 'GET', url.pathname, query, asRecord(body));
        if (lose) res.socket?.destroy();
        else if (r !== 'hang') reply(res, r);
      })
      .catch(() => reply(res, { status: 500, body: { errcode: -1, errmsg: 'fake failure' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    ...state,
    addContacts: (...people) => {
      contacts.push(...people);
    },
    contactCalls,
    webhookUrl: (key) => `${baseUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`,
    issueResponseCode: issue,
    codeUnused: (code) => codes.get(code)?.used === false,
    failNext(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    expireTokens() {
      for (const t of valid) expired.add(t);
    },
    lastCardTo(userId) {
      const sent = state.messages.filter((m) => m.touser === userId && m.taskId).at(-1);
      if (!sent) return undefined;
      const upd = state.updates.filter((u) => u.taskId === sent.taskId).at(-1);
      return asRecord(upd ? upd.body.template_card : sent.body.template_card);
    },
    close: () => closeServer(server),
  };
}

/** The checks WeCom documents for a template card: ≤ 6 buttons, keys ≤ 1024 bytes and unique, task_id format. */
function checkCard(card: Json): string | null {
  if (typeof card.card_type !== 'string') return 'template_card without card_type';
  if (typeof card.task_id !== 'string' || !/^[0-9a-zA-Z_\-@]{1,128}$/.test(card.task_id)) return 'invalid task_id';
  if (card.card_type !== 'button_interaction') return null;
  const buttons = Array.isArray(card.button_list) ? card.button_list.map(asRecord) : [];
  if (buttons.length === 0 || buttons.length > 6) return 'button_list must have 1..6 buttons';
  const seen = new Set<string>();
  for (const b of buttons) {
    if (typeof b.key !== 'string' || Buffer.byteLength(b.key) > 1024 || seen.has(b.key)) return 'invalid button key';
    seen.add(b.key);
  }
  return null;
}

/** AdapterState over a Map, with expiry against an injected clock (like the SQLite one). */
export class MapAdapterState implements AdapterState {
  readonly values = new Map<string, { value: string; expiresAt: Date | undefined }>();
  constructor(private readonly now: () => Date = () => new Date()) {}
  get(key: string): string | null {
    const hit = this.values.get(key);
    if (!hit) return null;
    if (hit.expiresAt && hit.expiresAt.getTime() <= this.now().getTime()) {
      this.values.delete(key);
      return null;
    }
    return hit.value;
  }
  set(key: string, value: string, expiresAt?: Date): void {
    this.values.set(key, { value, expiresAt });
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}
