import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardModel } from '../../../cards/model';
import { PlatformApiError } from '../../../src/platforms/types';
import { WecomAdapter } from '../../../src/platforms/wecom/adapter';
import { decodeButtonKey } from '../../../src/platforms/wecom/payloads';
import { silentLogger } from '../../../src/shared/logger';
import { FakeClock } from '../../helpers/fake-clock';
import { type FakeWecom, MapAdapterState, startFakeWecom } from '../../helpers/fake-wecom';
import { cardClickXml, encryptedDelivery } from '../../helpers/wecom-deliveries';

const APP = { corpId: 'wwcorp', secret: 's3cret', agentId: 1000002 };
const CB = { token: 'cbtoken', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', corpId: APP.corpId };
let fake: FakeWecom;

beforeAll(async () => {
  fake = await startFakeWecom(APP);
});
afterAll(() => fake.close());

function make(o: { news?: boolean } = {}) {
  const clock = new FakeClock();
  const state = new MapAdapterState(() => clock.now());
  const adapter = new WecomAdapter({
    ...APP,
    token: CB.token,
    aesKey: CB.aesKey,
    baseUrl: fake.baseUrl,
    ...(o.news === false ? {} : { newsWebhook: fake.webhookUrl('news-key') }),
    clock: () => clock.now(),
    logger: silentLogger,
    state,
    timeoutMs: 2000,
  });
  return { adapter, clock, state };
}

const projectCard = (status: string, withButton = true): CardModel => ({
  header: { title: '某银行数据平台', subtitle: `HO-2026-0001 · ${status}`, color: 'blue' },
  blocks: [{ type: 'fields', fields: [{ label: '当前状态', value: status }] }],
  actions: withButton
    ? [{ label: '撤回', style: 'default', value: { v: 1, type: 'withdraw', regNo: 'HO-2026-0001' } }]
    : [],
  forms: [],
});

async function failure(p: Promise<unknown>): Promise<PlatformApiError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PlatformApiError);
  return e as PlatformApiError;
}

/** Delivers a click on the card through parseHttp, with a fresh response code issued by the fake. */
function click(adapter: WecomAdapter, clock: FakeClock, taskId: string, user: string) {
  const ts = Math.floor(clock.now().getTime() / 1000);
  const xml = cardClickXml({
    corpId: APP.corpId,
    from: user,
    eventKey: keysOf(taskId)[0] ?? '',
    taskId,
    responseCode: fake.issueResponseCode(taskId),
    createTime: ts,
  });
  const d = encryptedDelivery(CB, xml, { timestamp: ts });
  const ev = adapter.parseHttp({ method: 'POST', query: d.query, headers: {}, rawBody: Buffer.from(d.body) });
  if (ev.kind === 'handshake') throw new Error('unexpected handshake');
  return ev;
}

function keysOf(taskId: string): string[] {
  const card = fake.messages.find((m) => m.taskId === taskId)?.body.template_card;
  return ((card as { button_list?: { key: string }[] } | undefined)?.button_list ?? []).map((b) => b.key);
}

describe('WecomAdapter.send', () => {
  it('sends a button card to the user with a task id from the idempotency key, once', async () => {
    const { adapter } = make();
    const { messageId } = await adapter.send(
      { kind: 'user', id: 'zhangsan' },
      { kind: 'card', card: projectCard('商务审核') },
      'k-send-1',
    );
    expect(messageId).toMatch(/^ho_[0-9a-f]{40}$/);
    const sent = fake.messages.filter((m) => m.taskId === messageId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ touser: 'zhangsan', msgtype: 'template_card', body: { agentid: APP.agentId } });
    const key = keysOf(messageId)[0] ?? '';
    expect(decodeButtonKey(key, null)).toEqual({ value: { v: 1, type: 'withdraw', regNo: 'HO-2026-0001' } });
    expect(adapter.codes.count(messageId)).toBe(1);
    const again = await adapter.send(
      { kind: 'user', id: 'zhangsan' },
      { kind: 'card', card: projectCard('商务审核') },
      'k-send-1',
    );
    expect(again.messageId).toBe(messageId);
    expect(fake.messages.filter((m) => m.taskId === messageId)).toHaveLength(1);
  });

  it('sends texts to users and dm chats, split at 2048 bytes', async () => {
    const { adapter } = make();
    await adapter.send({ kind: 'chat', id: 'dm:wangwu' }, { kind: 'text', text: '你好' }, 'k-text-1');
    expect(fake.messages.at(-1)).toMatchObject({
      touser: 'wangwu',
      msgtype: 'text',
      body: { text: { content: '你好' } },
    });
    const long = Array.from({ length: 40 }, (_, i) => `第 ${i} 行：一段用于测试拆分的帮助文字`).join('\n');
    const before = fake.messages.length;
    await adapter.send({ kind: 'user', id: 'wangwu' }, { kind: 'text', text: long }, 'k-text-2');
    const pieces = fake.messages.slice(before).map((m) => String((m.body.text as { content: string }).content));
    expect(pieces.length).toBe(2);
    expect(pieces.join('\n')).toBe(long);
  });

  it('a text echoing user input cannot carry a <@userid> mention or an <a href> link (issue 10, finding 2)', async () => {
    const { adapter } = make();
    const echo = '未知命令 /<@all> <a href="https://evil.example/p">点此审批</a>';
    await adapter.send({ kind: 'user', id: 'wangwu' }, { kind: 'text', text: echo }, 'k-text-echo');
    const content = String((fake.messages.at(-1)?.body.text as { content?: string } | undefined)?.content);
    expect(content).toBe('未知命令 /＜@all＞ ＜a href="https://evil.example/p"＞点此审批＜/a＞');
    expect(content).not.toMatch(/[<>]/);
  });

  it('posts to the news robot, robot URLs and app group chats as static markdown/text', async () => {
    const { adapter } = make();
    const news = await adapter.send(
      { kind: 'chat', id: 'news' },
      { kind: 'card', card: projectCard('已移交', false) },
      'k-news',
    );
    expect(news.messageId).toMatch(/^static_/);
    expect(fake.webhooks.at(-1)).toMatchObject({ target: 'news-key', msgtype: 'markdown' });
    const markdown = fake.webhooks.at(-1)?.body.markdown as { content?: string } | undefined;
    expect(markdown?.content).toContain('**某银行数据平台**');
    await adapter.send({ kind: 'chat', id: fake.webhookUrl('news-key') }, { kind: 'text', text: '喜报' }, 'k-url');
    expect(fake.webhooks.at(-1)).toMatchObject({ msgtype: 'text', body: { text: { content: '喜报' } } });
    await adapter.send({ kind: 'chat', id: 'wrGroup01' }, { kind: 'card', card: projectCard('已移交') }, 'k-appchat');
    expect(fake.appchats.at(-1)).toMatchObject({ target: 'wrGroup01', msgtype: 'markdown', body: { safe: 0 } });
    await expect(adapter.update(news.messageId, projectCard('x'))).resolves.toBeUndefined();
    const e = await failure(
      make({ news: false }).adapter.send({ kind: 'chat', id: 'news' }, { kind: 'text', text: 'x' }, 'k-n'),
    );
    expect(e.opts.permanent).toBe(true);
  });

  it('maps rate limits and refreshes an expired token through send', async () => {
    const { adapter } = make();
    fake.failNext(1, { errcode: 45009, errmsg: 'api freq out of limit' });
    const e = await failure(adapter.send({ kind: 'user', id: 'u1' }, { kind: 'text', text: 'x' }, 'k-rl'));
    expect(e.opts).toMatchObject({ code: 45009, retryAfterMs: 60_000 });
    expect(e.opts.permanent).toBeUndefined();
    fake.expireTokens();
    await adapter.send({ kind: 'user', id: 'u1' }, { kind: 'text', text: 'after refresh' }, 'k-rl');
    expect(fake.messages.at(-1)).toMatchObject({ touser: 'u1', body: { text: { content: 'after refresh' } } });
  });
});

describe('WecomAdapter.update with single-use response codes', () => {
  it('uses the send code once, then needs a click code; each code works exactly once', async () => {
    const { adapter, clock } = make();
    const { messageId } = await adapter.send(
      { kind: 'user', id: 'lisi' },
      { kind: 'card', card: projectCard('商务审核') },
      'k-upd-1',
    );
    expect(adapter.codes.count(messageId)).toBe(1);

    await adapter.update(messageId, projectCard('销售主管审批'));
    const first = fake.updates.filter((u) => u.taskId === messageId);
    expect(first).toHaveLength(1);
    expect(fake.codeUnused(first[0]?.responseCode ?? '')).toBe(false);
    expect(first[0]?.body).toMatchObject({ atall: 1, agentid: APP.agentId });

    const none = await failure(adapter.update(messageId, projectCard('已受理')));
    expect(none.opts).toMatchObject({ code: 'NO_RESPONSE_CODE', permanent: true });
    expect(fake.updates.filter((u) => u.taskId === messageId)).toHaveLength(1);

    expect(click(adapter, clock, messageId, 'lisi')).toMatchObject({ kind: 'cardAction', messageId });
    await adapter.update(messageId, projectCard('已受理'));
    const updates = fake.updates.filter((u) => u.taskId === messageId);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.responseCode).not.toBe(updates[0]?.responseCode);
    expect(fake.lastCardTo('lisi')).toMatchObject({ main_title: { desc: 'HO-2026-0001 · 已受理' } });
  });

  it('skips an update that would not change the card and keeps the code', async () => {
    const { adapter } = make();
    const { messageId } = await adapter.send(
      { kind: 'user', id: 'u2' },
      { kind: 'card', card: projectCard('A') },
      'k-upd-2',
    );
    await adapter.update(messageId, projectCard('A'));
    expect(fake.updates.filter((u) => u.taskId === messageId)).toHaveLength(0);
    expect(adapter.codes.count(messageId)).toBe(1);
  });

  it('puts the code back when the update failed before WeCom used it, and keeps codes 72 h, no longer', async () => {
    const { adapter, clock } = make();
    const { messageId } = await adapter.send(
      { kind: 'user', id: 'u3' },
      { kind: 'card', card: projectCard('A') },
      'k-upd-3',
    );
    fake.failNext(1, { status: 503 });
    const e = await failure(adapter.update(messageId, projectCard('B')));
    expect(e.opts.permanent).toBeUndefined();
    await adapter.update(messageId, projectCard('B'));
    expect(fake.updates.filter((u) => u.taskId === messageId)).toHaveLength(1);

    click(adapter, clock, messageId, 'u3');
    clock.advance(71 * 3600_000);
    await adapter.update(messageId, projectCard('C'));
    expect(fake.updates.filter((u) => u.taskId === messageId)).toHaveLength(2);
    click(adapter, clock, messageId, 'u3');
    clock.advance(72 * 3600_000 + 1000);
    const expired = await failure(adapter.update(messageId, projectCard('D')));
    expect(expired.opts).toMatchObject({ code: 'NO_RESPONSE_CODE', permanent: true });
  });

  it('the fake refuses a reused code, which maps to a permanent error', async () => {
    const { adapter } = make();
    const { messageId } = await adapter.send(
      { kind: 'user', id: 'u4' },
      { kind: 'card', card: projectCard('A') },
      'k-upd-4',
    );
    const code = fake.issueResponseCode(messageId);
    const body = { atall: 1, agentid: APP.agentId, response_code: code, template_card: fake.lastCardTo('u4') ?? {} };
    await adapter.client.post('update', 'message/update_template_card', body);
    const e = await failure(adapter.client.post('update', 'message/update_template_card', body));
    expect(e.opts).toMatchObject({ code: 42022, permanent: true });
  });
});

describe('WecomAdapter.deferredAck', () => {
  it('asks for the clicked card update and the toast text; the update then spends the click code', async () => {
    const { adapter, clock } = make();
    const { messageId } = await adapter.send(
      { kind: 'user', id: 'zhaoliu' },
      { kind: 'card', card: projectCard('A') },
      'k-ack',
    );
    await adapter.update(messageId, projectCard('B'));
    const ev = click(adapter, clock, messageId, 'zhaoliu');
    const before = fake.messages.length;
    const reply = {
      toast: { type: 'success' as const, text: '已撤回 HO-2026-0001' },
      card: projectCard('已撤回', false),
    };
    expect(adapter.httpReply(reply, ev)).toEqual({ body: '', contentType: 'text/plain' });
    expect(adapter.deferredAck(reply, ev)).toEqual({ text: '已撤回 HO-2026-0001', updateCard: true });
    expect(adapter.deferredAck({ toast: reply.toast }, ev)).toEqual({ text: '已撤回 HO-2026-0001' });
    // The ack itself sends nothing: the outbox delivers what deferredAck asked for.
    expect(fake.messages.length).toBe(before);
    await adapter.update(messageId, reply.card);
    expect(fake.lastCardTo('zhaoliu')).toMatchObject({ main_title: { desc: 'HO-2026-0001 · 已撤回' } });
    expect(fake.updates.filter((u) => u.taskId === messageId)).toHaveLength(2);
    // A card.refresh of the same card right after is a no-op (no code needed, none spent).
    await adapter.update(messageId, projectCard('已撤回', false));
    expect(fake.updates.filter((u) => u.taskId === messageId)).toHaveLength(2);
  });
});
