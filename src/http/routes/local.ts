import { readFile } from 'node:fs/promises';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Handoff } from '../../bootstrap';
import { USAGE } from '../../commands/help';
import { ADMIN_ROLE, ANY_REGION, type OrgView } from '../../domain/org';
import type { ProcessDefinition } from '../../domain/process/definition';
import { dmConversation, type LocalAdapter, type LocalEvent } from '../../platforms/local/adapter';
import { readRawBody } from '../middleware/raw-body';
import { apiHeaders, checkLocalRequest, pageHeaders } from './local-guard';
import { PendingFeed, type PendingSnapshot, pendingWork } from './local-pending';

/**
 * The local simulator (issue: the embedded default): a page where anyone can play every role, and the JSON + SSE API
 * it talks to. The page is plain static files in src/platforms/local/web/; everything it shows comes from the
 * LocalAdapter, which plays the part of the chat platform's servers. Every API call passes local-guard.ts first.
 */

const WEB_DIR = new URL('../../platforms/local/web/', import.meta.url);
const MAX_BODY = 64 * 1024;
const KEEP_ALIVE_MS = 15_000;

/** The only files served: name → content type. Anything else is a 404, so no path can escape the folder. */
const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'shell.js': 'text/javascript; charset=utf-8',
  'cards.js': 'text/javascript; charset=utf-8',
  'cards.css': 'text/css; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'overlays.css': 'text/css; charset=utf-8',
};

/** Display names of group-chat purposes (org file `chats:` keys). */
const GROUP_NAMES: Readonly<Record<string, string>> = {
  handover_news: '项目移交新闻',
  handoff_news: '项目移交新闻',
};

const UserId = z
  .string({ error: '缺少 userId（操作的人）' })
  .min(1, '缺少 userId（操作的人）')
  .max(128, 'userId 过长')
  // `__proto__`, `constructor`, `toString` … would be found on any plain object: never a user id.
  .refine((id) => !(id in Object.prototype), { error: 'userId 不是有效的用户 id' });

/** A form field as the page sends it: text, or the chosen option. Objects would go through String() later. */
const FormValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null(), z.array(z.string()).max(50)], {
  error: '表单字段的值应为文字',
});

/** The button value the page echoes back: a flat intent (`{ v: 1, type, … }`), a few levels deep at most. */
const ActionValue = z.unknown().refine((v) => depthAtMost(v, 4), { error: '卡片操作的格式不正确' });

function depthAtMost(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return false;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return true;
}

const SayBody = z.object({
  userId: UserId,
  text: z
    .string({ error: '缺少 text（消息内容）' })
    .trim()
    .min(1, '消息不能为空')
    .max(10_000, '消息过长（最多 10000 个字符）'),
  conversation: z.string({ error: 'conversation 应为会话 id' }).min(1, 'conversation 不能为空').optional(),
});

const ClickBody = z.object({
  userId: UserId,
  messageId: z.string({ error: '缺少 messageId（卡片消息 id）' }).min(1, '缺少 messageId（卡片消息 id）'),
  value: ActionValue,
  form: z.record(z.string().max(64), FormValue, { error: 'form 应为表单字段对象' }).optional(),
});

type Handler = (ctx: Context) => Promise<void> | void;

export function mountLocalUi(router: Router, handoff: Handoff): void {
  const local = handoff.local;
  if (!local) throw new Error('the local simulator needs the local platform (set LOCAL_UI=on)');
  const token = handoff.config.localUiToken;
  const feed = new PendingFeed(() => pendingWork(handoff.deps, Object.keys(handoff.deps.org.view().users)));
  local.subscribe(() => feed.changed());

  /** The API behind the guard: a refused call gets its status and a Chinese message, and never reaches `handler`. */
  const api =
    (handler: Handler): Handler =>
    (ctx) => {
      apiHeaders(ctx);
      const refusal = checkLocalRequest(ctx, token);
      if (!refusal) return handler(ctx);
      ctx.status = refusal.status;
      ctx.body = {
        error: refusal.error,
        toast: { type: 'error', text: refusal.error },
        needToken: !!refusal.needToken,
      };
    };

  router.get('/', async (ctx) => {
    pageHeaders(ctx);
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await readFile(new URL('index.html', WEB_DIR));
  });

  router.get('/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) {
      ctx.status = 404;
      ctx.body = { error: 'not found' };
      return;
    }
    pageHeaders(ctx);
    ctx.type = type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = await readFile(new URL(file, WEB_DIR));
  });

  router.get(
    '/api/local/bootstrap',
    api((ctx) => {
      ctx.body = snapshot(handoff, local, feed.current());
    }),
  );

  router.get(
    '/api/local/events',
    api((ctx) => streamEvents(ctx, local, feed)),
  );

  router.post(
    '/api/local/say',
    api(async (ctx) => {
      const body = await parseBody(ctx, SayBody, handoff.deps.org.view());
      if (!body) return;
      const conversation = body.conversation ?? dmConversation(body.userId);
      const allowed = conversation === dmConversation(body.userId) || groupPurposes(handoff).includes(conversation);
      if (!allowed) {
        return badRequest(ctx, `不能在会话「${conversation}」中发言：只能在自己与机器人的私聊或已配置的群聊中发言。`);
      }
      const reply = await local.say(body.userId, body.text, conversation);
      void handoff.flush();
      ctx.body = reply.toast ? { toast: reply.toast } : {};
    }),
  );

  router.post(
    '/api/local/click',
    api(async (ctx) => {
      const body = await parseBody(ctx, ClickBody, handoff.deps.org.view());
      if (!body) return;
      if (!local.get(body.messageId)) return badRequest(ctx, '找不到这张卡片（可能服务已重启），请刷新页面。');
      const reply = await local.click(body.userId, body.messageId, body.value, body.form);
      void handoff.flush();
      ctx.body = reply.toast ? { toast: reply.toast } : {};
    }),
  );
}

/**
 * Reads and validates a JSON body from a known org member; answers 400 itself (and returns null) when it is not
 * acceptable. Over 64 KB throws BodyTooLargeError, which the error middleware answers with 413.
 */
async function parseBody<T extends { userId: string }>(
  ctx: Context,
  schema: z.ZodType<T>,
  org: OrgView,
): Promise<T | null> {
  const raw = await readRawBody(ctx, MAX_BODY);
  const refuse = (message: string) => {
    badRequest(ctx, message);
    return null;
  };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return refuse('请求不是有效的 JSON。');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return refuse(parsed.error.issues.map((i) => i.message).join('；'));
  const { userId } = parsed.data;
  if (!org.users[userId]) return refuse(`组织名单中没有用户「${userId}」，请在左侧选择一个人后再操作。`);
  return parsed.data;
}

/** A client-side mistake: 400 with a Chinese message, which the page shows as an error toast. */
function badRequest(ctx: Context, message: string): void {
  ctx.status = 400;
  ctx.body = { error: message, toast: { type: 'error', text: message } };
}

/** Group chats configured for the local platform: their ids are the purposes (e.g. handover_news). */
function groupPurposes(handoff: Handoff): string[] {
  return handoff.deps.org.chatPurposes('local');
}

/** "销售主管", "特批领导（北方）", "管理员" … for every role the user holds (never a role id). */
function roleLabels(org: OrgView, def: ProcessDefinition, userId: string): string[] {
  const labels: string[] = [];
  for (const role of Object.keys(org.members)) {
    for (const [region, users] of Object.entries(org.members[role] ?? {})) {
      if (!users.includes(userId)) continue;
      const where = region === ANY_REGION ? '' : `（${org.regionNames[region] ?? region}）`;
      const name = role === ADMIN_ROLE ? '管理员' : (def.roles[role]?.name ?? role);
      labels.push(`${name}${where}`);
    }
  }
  return labels;
}

/** Everything the page needs to draw itself, including the messages so far (a reload restores every pane). */
function snapshot(handoff: Handoff, local: LocalAdapter, pending: PendingSnapshot) {
  const org = handoff.deps.org.view();
  const people = Object.entries(org.users).map(([id, u]) => ({
    id,
    name: u.name,
    roles: roleLabels(org, handoff.deps.processes.current().def, id),
  }));
  const groups = groupPurposes(handoff).map((id) => ({ id, name: GROUP_NAMES[id] ?? id }));
  const conversations: Record<string, unknown[]> = {};
  for (const p of people) conversations[dmConversation(p.id)] = local.conversation(dmConversation(p.id));
  for (const g of groups) conversations[g.id] = local.conversation(g.id);
  const commands = Object.values(USAGE).map((u) => u.split(/[\s（]/)[0] ?? u);
  return { people, groups, conversations, commands, timeZone: handoff.config.timeZone, pending };
}

/**
 * Server-sent events: every LocalEvent as one JSON `data:` line; a comment every 15 s keeps proxies from closing it.
 * Koa steps aside (`respond = false`): the stream is written to the socket directly and ends when the page goes.
 */
function streamEvents(ctx: Context, local: LocalAdapter, feed: PendingFeed): void {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.req.socket.setKeepAlive(true);
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Resource-Policy': 'same-origin',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'x-request-id': String(ctx.response.get('x-request-id')),
  });
  const write = (chunk: string) => {
    if (!res.writableEnded && !res.destroyed) res.write(chunk);
  };
  const unsubscribe = local.subscribe((e: LocalEvent) => write(`data: ${JSON.stringify(e)}\n\n`));
  const unsubscribePending = feed.subscribe((p) => write(`data: ${JSON.stringify({ type: 'pending', ...p })}\n\n`));
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  res.once('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
    unsubscribePending();
  });
  // Flushes the headers at once, so the page's stream is open before it asks for the snapshot.
  write('retry: 2000\n: connected\n\n');
}
