import { afterEach, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import { auditLog, projects } from '../../src/store/schema';
import { ENCRYPT_KEY, startFeishuHandoff } from '../helpers/feishu-chat';
import { signAndEncryptText } from '../helpers/feishu-deliveries';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/** Finding 6 of issue 10: odd inbound payloads are refused with 400 (never 500, which platforms retry). */
describe('inbound payloads are bounded and type-checked', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('Feishu: a 50,000-deep array in form_value is a 400; the project and the audit log are untouched', async () => {
    const env = await startFeishuHandoff();
    stops.push(() => env.stop());
    const { chat, h } = env;
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const auditBefore = h.db.select().from(auditLog).all().length;
    const sentBefore = env.fake.messages.length;
    const event = chat.clickEvent('li.lead', '驳回', { reason: 'DEEP' });
    const deep = `${'['.repeat(50_000)}"x"${']'.repeat(50_000)}`;
    const plain = JSON.stringify({
      ...event,
      header: { ...(event.header as object), token: 'handoff-test-verification-token' },
    });
    const delivery = signAndEncryptText(plain.replace('"DEEP"', deep), {
      encryptKey: ENCRYPT_KEY,
      timestamp: Math.floor(h.clock.now().getTime() / 1000),
    });
    const res = await chat.deliver('/feishu/cards', delivery);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'malformed payload' });
    await h.flush();
    expect(
      h.db
        .select()
        .from(projects)
        .all()
        .map((p) => p.state),
    ).toEqual(['in_approval']);
    expect(h.db.select().from(auditLog).all()).toHaveLength(auditBefore);
    expect(env.fake.messages).toHaveLength(sentBefore);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
  });

  it('local API: a form value {"toString":1} and prototype user ids are 400 with a Chinese message', async () => {
    const h = createTestHandoff({ mounts: [mountLocalUi] });
    stops.push(() => h.stop());
    const { url } = await h.listen();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = chat.cards('li.lead').at(-1);
    const reject = card?.card.forms.find((f) => f.submit.label === '驳回');
    expect(reject).toBeDefined();
    const post = (path: string, body: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body });
    const auditBefore = h.db.select().from(auditLog).all().length;

    const click = await post(
      '/api/local/click',
      JSON.stringify({
        userId: 'li.lead',
        messageId: card?.id,
        value: reject?.submit.value,
        form: { reason: { toString: 1 } },
      }),
    );
    expect(click.status).toBe(400);
    expect(((await click.json()) as { error: string }).error).toContain('表单字段的值应为文字');

    const deepValue = `{"userId":"li.lead","messageId":"${card?.id}","value":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const deep = await post('/api/local/click', deepValue);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: string }).error).toBe('卡片操作的格式不正确');

    for (const userId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const res = await post('/api/local/say', JSON.stringify({ userId, text: '/mine' }));
      expect(res.status, userId).toBe(400);
      expect(((await res.json()) as { error: string }).error, userId).toBe('userId 不是有效的用户 id');
    }
    expect(
      h.db
        .select()
        .from(projects)
        .all()
        .map((p) => p.state),
    ).toEqual(['in_approval']);
    expect(h.db.select().from(auditLog).all()).toHaveLength(auditBefore);
    expect(chat.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
  });
});
