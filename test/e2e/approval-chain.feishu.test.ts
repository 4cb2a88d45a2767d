import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, outbox, projects } from '../../src/store/schema';
import {
  chatIdOf,
  ENCRYPT_KEY,
  feishuButtons,
  feishuCardText,
  openIdOf,
  startFeishuHandoff,
  VERIFICATION_TOKEN,
} from '../helpers/feishu-chat';
import { signAndEncrypt, urlVerification } from '../helpers/feishu-deliveries';
import { COMMERCIAL_FORM, COMMERCIAL_OK, REGISTER_NORTH_UNSIGNED, SETUP_FORM } from '../helpers/handoff';

const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');

describe('Feishu end to end: real SDK, real HTTP, signed and encrypted deliveries', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());

  it('north special chain: every approver gets the card on Feishu, every copy is PATCHed after each decision', async () => {
    const { chat, fake } = env;
    const res = await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(res.status).toBe(200);
    expect(chat.lastText('wang.sales')).toContain('已登记，项目实施登记号 HO-2026-0001');
    const reg = fake.messages.find((m) => m.receive_id === chatIdOf('wang.sales'));
    expect(reg?.receive_id_type).toBe('chat_id');
    expect(reg?.uuid).toMatch(/^[\w-]{1,50}$/);

    const leadCard = chat.lastCard('li.lead') as Record<string, unknown>;
    expect(leadCard.schema).toBe('2.0');
    expect(feishuCardText(leadCard)).toContain('HO-2026-0001');
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);

    const leadCopy = chat.cards('li.lead').at(-1)?.messageId;
    const salesCopies = chat.cards('wang.sales').map((c) => c.messageId);
    const patchesOf = (id: string | undefined) => fake.updates.filter((u) => u.messageId === id).length;
    const salesPatches = salesCopies.map(patchesOf);
    const ack = await chat.click('li.lead', '同意');
    expect(ack.toast).toMatchObject({ type: 'success' });
    // The clicked card is answered inline (Feishu replaces it with the response's card): no PATCH of it follows,
    // while the project's other live copies are PATCHed.
    expect(patchesOf(leadCopy)).toBe(0);
    expect(salesCopies.length).toBeGreaterThan(0);
    expect(salesCopies.map(patchesOf).some((n, i) => n > (salesPatches[i] as number))).toBe(true);
    // Only 更多操作 (撤销同意 until the next holder acts) is left on the clicked card.
    const live = feishuButtons((ack.card as { data: unknown }).data).filter((b) => !b.disabled);
    expect(live.map((b) => b.label)).toEqual(['更多操作']);
    expect(chat.buttons('li.lead')).toEqual(['更多操作']);
    expect(feishuCardText(chat.lastCard('yang.huiyu'))).toContain('特批领导审批（北方）');
    expect(chat.cards('dai.juanxiang')).toHaveLength(0);

    await chat.click('yang.huiyu', '同意');
    // The commercial review's checklist is its form: one tick per item.
    expect(feishuCardText(chat.lastCard('zhao.biz'))).toContain('项目合同状态、首笔款项支付状态');
    await chat.click('zhao.biz', COMMERCIAL_OK, { ...COMMERCIAL_FORM, comment: '' });
    await chat.click('sun.director', '立项并指派', SETUP_FORM);

    expect(feishuCardText(chat.lastCard('wang.sales'))).toContain('实施中');
    expect((chat.lastCard('wang.sales') as { header: { template: string } }).header.template).toBe('green');
    for (const u of ['li.lead', 'yang.huiyu', 'zhao.biz']) expect(chat.buttons(u), u).toEqual([]);
    // The director may revoke the acceptance (更多操作 → 撤销同意) while no delivery task has moved.
    expect(chat.buttons('sun.director')).toEqual(['更多操作']);
    // In delivery, sales may start a cloud-product order (PROCESS.md §4) from the card.
    expect(chat.buttons('wang.sales')).toEqual(['发起云产品下单申请']);
    expect(
      h()
        .db.select()
        .from(outbox)
        .all()
        .every((r) => r.status === 'sent'),
    ).toBe(true);
  });

  const h = () => env.h;

  it('south chain goes to 戴总; signed+paid skips to commercial review; saas ends at 售后支持组', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('region=north', 'region=south'));
    await chat.click('li.lead', '同意');
    expect(chat.buttons('dai.juanxiang')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    expect(chat.cards('yang.huiyu')).toHaveLength(0);

    await chat.say('wang.sales', SIGNED_PAID.replace('kind=project', 'kind=saas'));
    expect(chat.cards('li.lead')).toHaveLength(1);
    await chat.click('zhao.biz', COMMERCIAL_OK, { ...COMMERCIAL_FORM, outsourcing: 'yes' });
    expect(feishuCardText(chat.lastCard('ma.support'))).toContain('售后支持组确认需求');
    await chat.click('ma.support', '确认需求', { need: '需求已确认', integration: 'no' });
    expect(chat.lastText('wang.sales')).toContain('已由 马工（售后支持） 受理');
  });

  it('reject with a reason → the submitter gets a notice with 重新提交 → resubmit restarts the chain', async () => {
    const { chat } = env;
    await chat.say('wang.sales', SIGNED_PAID);
    const empty = await chat.click('zhao.biz', '驳回', { reason: '' });
    expect(empty.toast).toMatchObject({ type: 'error', content: expect.stringContaining('驳回必须填写原因') });
    await chat.click('zhao.biz', '驳回', { reason: '产品清单与合同不一致' });
    expect(feishuCardText(chat.lastCard('wang.sales'))).toContain('产品清单与合同不一致');
    expect(chat.buttons('wang.sales')).toEqual(['重新提交', '撤回', '评论']);
    await chat.click('wang.sales', '重新提交');
    expect(chat.buttons('zhao.biz')).toEqual(['更多操作', COMMERCIAL_OK, '驳回', '抄送', '评论']);
    expect(feishuCardText(chat.lastCard('zhao.biz'))).toContain('产品清单与合同不一致');
  });

  it('withdraw before any decision closes it on every copy', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('wang.sales', '/withdraw HO-2026-0001');
    expect(chat.lastText('wang.sales')).toContain('已撤回 HO-2026-0001');
    expect(chat.buttons('li.lead')).toEqual([]);
  });

  it('a wrong approver gets an error toast; the attempt is logged and nothing moves', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const ev = chat.clickEvent('li.lead', '同意');
    (ev.event as { operator: { open_id: string } }).operator.open_id = openIdOf('zhao.biz');
    const res = await chat.deliver('/feishu/cards', chat.sign(ev));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      toast: { type: 'error', content: expect.stringContaining('你不是当前步骤的处理人') },
    });
    expect(
      h()
        .db.select()
        .from(auditLog)
        .all()
        .map((a) => `${a.action}:${a.actorId}:${a.platform}`),
    ).toEqual(['register:wang.sales:feishu', 'denied:zhao.biz:feishu']);
    expect(h().db.select().from(projects).get()?.stepIndex).toBe(0);
  });

  it('a redelivered event (same event_id) is handled once', async () => {
    const { chat, fake } = env;
    const ev = chat.textEvent('wang.sales', REGISTER_NORTH_UNSIGNED, 'evt-dup-1');
    const first = await chat.deliver('/feishu/events', chat.sign(ev));
    const second = await chat.deliver('/feishu/events', chat.sign(ev));
    await env.h.flush();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(h().db.select().from(projects).all()).toHaveLength(1);
    expect(
      fake.messagesTo(chatIdOf('wang.sales')).filter((m) => JSON.stringify(m.content).includes('已登记')),
    ).toHaveLength(1);
  });

  it('two concurrent clicks on the same step: one transition, the other is told who handled it', async () => {
    const { chat } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const a = chat.sign(chat.clickEvent('li.lead', '同意'));
    const b = chat.sign(chat.clickEvent('li.lead', '同意'));
    const [ra, rb] = await Promise.all([chat.deliver('/feishu/cards', a), chat.deliver('/feishu/cards', b)]);
    const bodies = [await ra.json(), await rb.json()] as { toast: { type: string; content: string } }[];
    await env.h.flush();
    expect(bodies.map((x) => x.toast.type).sort()).toEqual(['error', 'success']);
    expect(bodies.find((x) => x.toast.type === 'error')?.toast.content).toMatch(/该步骤已由 李主管 于 .* 同意/);
    expect(
      h()
        .db.select()
        .from(auditLog)
        .all()
        .filter((r) => r.action === 'approve'),
    ).toHaveLength(1);
    expect(chat.cards('yang.huiyu')).toHaveLength(1);
  });

  it('refuses forged, stale, undecryptable, malformed and oversized deliveries without changing anything', async () => {
    const { chat } = env;
    const ev = chat.textEvent('wang.sales', REGISTER_NORTH_UNSIGNED);
    const good = chat.sign(ev);
    const forged = { ...good, headers: { ...good.headers, 'x-lark-signature': 'a'.repeat(64) } };
    const wrongKey = signAndEncrypt(ev, {
      encryptKey: 'not-our-key',
      verificationToken: VERIFICATION_TOKEN,
      timestamp: Math.floor(env.h.clock.now().getTime() / 1000),
    });
    const stale = chat.sign(ev, Math.floor(env.h.clock.now().getTime() / 1000) - 301);
    const tampered = { ...good, body: good.body.replace(/.{4}"}$/, 'AAAA"}') };
    const wrongToken = signAndEncrypt(ev, {
      encryptKey: ENCRYPT_KEY,
      verificationToken: 'wrong',
      timestamp: Math.floor(env.h.clock.now().getTime() / 1000),
    });
    for (const [name, d] of Object.entries({ forged, wrongKey, stale, tampered, wrongToken })) {
      const res = await chat.deliver('/feishu/events', d);
      expect(res.status, name).toBe(401);
    }
    const notJson = await fetch(`${env.url}/feishu/events`, {
      method: 'POST',
      body: '{"encrypt":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    const huge = await fetch(`${env.url}/feishu/events`, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(huge.status).toBe(413);
    expect(h().db.select().from(projects).all()).toHaveLength(0);
    // The server is still fine afterwards.
    expect((await chat.deliver('/feishu/events', chat.sign(chat.textEvent('wang.sales', '/help')))).status).toBe(200);
    expect((await fetch(`${env.url}/healthz`)).status).toBe(200);
  });

  it('answers the url_verification challenge', async () => {
    const d = signAndEncrypt(urlVerification('ch-123'), {
      encryptKey: ENCRYPT_KEY,
      verificationToken: VERIFICATION_TOKEN,
      timestamp: Math.floor(env.h.clock.now().getTime() / 1000),
    });
    const res = await env.chat.deliver('/feishu/events', d);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'ch-123' });
  });

  it('a malformed command gets a reply naming the field and the usage; @-mentions in groups are stripped', async () => {
    const { chat, fake } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('paid=no', 'paid=perhaps'));
    expect(chat.lastText('wang.sales')).toContain('「首付款已到」应为 是 或 否');
    expect(chat.lastText('wang.sales')).toContain('用法：/register');
    const group = chat.textEvent('wang.sales', '@_user_1 /status HO-2026-0001');
    const msg = (group.event as { message: Record<string, unknown> }).message;
    msg.chat_id = 'oc_group';
    msg.chat_type = 'group';
    msg.mentions = [
      {
        key: '@_user_1',
        id: { open_id: fake.botOpenId, union_id: 'on_bot', user_id: '' },
        name: 'Handoff',
        tenant_key: 't',
      },
    ];
    await chat.deliver('/feishu/events', chat.sign(group));
    await env.h.flush();
    const reply = fake.messagesTo('oc_group').at(-1);
    expect(JSON.stringify(reply?.content)).toContain('找不到登记号为 HO-2026-0001 的项目');
    expect(h().db.select().from(projects).all()).toHaveLength(0);
  });

  it('HTTP 429 on send: the outbox waits x-ogw-ratelimit-reset, retries, and posts exactly once', async () => {
    const { chat, fake } = env;
    fake.failNext(1, { status: 429, resetSeconds: 3 });
    await chat.say('wang.sales', '/help');
    expect(chat.texts('wang.sales')).toHaveLength(0);
    const row = h().db.select().from(outbox).get();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row?.nextAttemptAt.getTime()).toBe(env.h.clock.now().getTime() + 3000);
    env.h.clock.advance(3000);
    await env.h.flush();
    expect(chat.texts('wang.sales')).toHaveLength(1);
    expect(chat.lastText('wang.sales')).toContain('/register');
    expect(fake.messages.filter((m) => m.uuid === row?.key)).toHaveLength(1);
  });
});
