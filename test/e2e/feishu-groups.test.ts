import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, projects } from '../../src/store/schema';
import { chatIdOf, feishuCardText, openIdOf, startFeishuHandoff } from '../helpers/feishu-chat';
import { textMessageEvent } from '../helpers/feishu-deliveries';
import { COMMERCIAL_FORM, COMMERCIAL_OK, REGISTER_NORTH_UNSIGNED, SETUP_FORM } from '../helpers/handoff';

const SIGNED_PAID = REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes');
const REG = 'HO-2026-0001';
const GROUP = 'oc_team_group';

/** Finding 8 of issue 10 (Feishu): group messages count only when they @-mention the bot; `@person` maps to the user. */
describe('Feishu groups and mentions (real SDK, fake Open API)', () => {
  let env: Awaited<ReturnType<typeof startFeishuHandoff>>;
  beforeEach(async () => {
    env = await startFeishuHandoff();
  });
  afterEach(() => env.stop());

  const groupSay = (user: string, text: string, mentions: { key: string; openId: string; name: string }[]) =>
    env.chat
      .deliver(
        '/feishu/events',
        env.chat.sign(
          textMessageEvent({
            openId: openIdOf(user),
            chatId: GROUP,
            chatType: 'group',
            text,
            mentions,
            createTime: env.h.clock.now().getTime(),
          }),
        ),
      )
      .then(async (res) => {
        await env.h.flush();
        return res;
      });

  it('learns its open_id at start-up and answers in a group only when @-mentioned', async () => {
    const { fake, h } = env;
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path === '/open-apis/bot/v3/info')).toHaveLength(1);

    // Ordinary chatter (with the read-all-group-messages scope) and a command that @-mentions someone else.
    expect((await groupSay('wang.sales', SIGNED_PAID, [])).status).toBe(200);
    const other = [{ key: '@_user_1', openId: openIdOf('li.lead'), name: '李主管' }];
    expect((await groupSay('wang.sales', `@_user_1 ${SIGNED_PAID}`, other)).status).toBe(200);
    expect(fake.messagesTo(GROUP)).toHaveLength(0);
    expect(h.db.select().from(projects).all()).toHaveLength(0);
    expect(h.db.select().from(auditLog).all()).toHaveLength(0);

    // The same command @-mentioning the bot is acted on and answered in the group.
    const bot = [{ key: '@_user_1', openId: fake.botOpenId, name: 'Handoff' }];
    await groupSay('wang.sales', `@_user_1 ${SIGNED_PAID}`, bot);
    expect(JSON.stringify(fake.messagesTo(GROUP).at(-1)?.content)).toContain(`已登记，项目实施登记号 ${REG}`);
    expect(h.db.select().from(projects).all()).toHaveLength(1);
  });

  it('/due … @owner moves the document to the mentioned person (the @_user_N placeholder is mapped, not dropped)', async () => {
    const { chat } = env;
    await chat.say('wang.sales', SIGNED_PAID);
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', { ...SETUP_FORM, pm: 'zhou.pm' });
    await chat.click('zhou.pm', '提交需求确认', { link: 'https://d/c', method: 'customer', integration: 'no' });
    // Assigning the implementers opens the documents, owned by the first implementer.
    await chat.click('zhou.pm', '指派', { implementers: ['zheng.impl'] });

    const pm = [{ key: '@_user_1', openId: openIdOf('zhou.pm'), name: '周' }];
    const event = textMessageEvent({
      openId: openIdOf('zhou.pm'),
      chatId: chatIdOf('zhou.pm'),
      chatType: 'p2p',
      text: `/due ${REG} 3 2026-06-30 @_user_1`,
      mentions: pm,
      createTime: env.h.clock.now().getTime(),
    });
    await chat.deliver('/feishu/events', chat.sign(event));
    await env.h.flush();
    expect(chat.lastText('zhou.pm')).toContain('已更新');
    await chat.say('zhou.pm', `/docs ${REG}`);
    const row = feishuCardText(chat.lastCard('zhou.pm'))
      .split('\n')
      .find((l) => l.includes('3.《'));
    expect(row).toContain('2026-06-30');
    expect(row).toContain('负责人 周经理（北方）');
  });
});
