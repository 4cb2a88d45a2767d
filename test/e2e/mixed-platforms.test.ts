import { afterEach, describe, expect, it } from 'vitest';
import { projects } from '../../src/store/schema';
import { DingtalkChat, dingIdOf } from '../helpers/dingtalk-chat';
import { startFakeDingtalk } from '../helpers/fake-dingtalk';
import { startFakeFeishu } from '../helpers/fake-feishu';
import { ENCRYPT_KEY, FeishuChat, feishuCardText, openIdOf, VERIFICATION_TOKEN } from '../helpers/feishu-chat';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  createTestHandoff,
  demoOrg,
  REGISTER_NORTH_UNSIGNED,
  SETUP_FORM,
} from '../helpers/handoff';
import { startFakeWecomFor, WecomChat, wecomConfig, wecomIdOf } from '../helpers/wecom-chat';

describe('one approval chain across Feishu, DingTalk and WeCom', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('each person acts where they have an id; a decision on one platform updates the copies on the others', async () => {
    const feishuFake = await startFakeFeishu({ appId: 'cli_00000000000000aa', appSecret: 's' });
    const dingApp = { clientId: 'dingmixed', clientSecret: 'ding-secret' };
    const dingFake = await startFakeDingtalk(dingApp);
    const wecomFake = await startFakeWecomFor();
    cleanup.push(
      () => feishuFake.close(),
      () => dingFake.close(),
      () => wecomFake.close(),
    );

    const org = demoOrg();
    const ids: Record<string, { feishu?: string; dingtalk?: string; wecom?: string }> = {
      'wang.sales': { feishu: openIdOf('wang.sales') },
      'li.lead': { dingtalk: dingIdOf('li.lead') },
      'yang.huiyu': { wecom: wecomIdOf('yang.huiyu') },
      'zhao.biz': { feishu: openIdOf('zhao.biz'), wecom: wecomIdOf('zhao.biz') },
      'sun.director': { dingtalk: dingIdOf('sun.director') },
    };
    for (const u of org.users) Object.assign(u, ids[u.id] ?? {});

    const h = createTestHandoff({
      org,
      localUi: false,
      feishu: {
        appId: 'cli_00000000000000aa',
        appSecret: 's',
        verificationToken: VERIFICATION_TOKEN,
        encryptKey: ENCRYPT_KEY,
        baseUrl: feishuFake.baseUrl,
        mode: 'webhook',
      },
      dingtalk: {
        ...dingApp,
        robotCode: 'r',
        cardTemplateId: 't',
        baseUrl: dingFake.baseUrl,
        mode: 'stream',
        cardCallbackRouteKey: undefined,
      },
      wecom: wecomConfig(wecomFake.baseUrl),
    });
    cleanup.push(() => h.stop());
    const { url } = await h.listen();
    await dingFake.connected();
    const flush = () => h.flush();
    const feishu = new FeishuChat(feishuFake, url, h.clock, flush);
    const ding = new DingtalkChat(dingFake, flush);
    const wecom = new WecomChat(wecomFake, url, h.clock, flush);

    await feishu.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(ding.buttons('li.lead')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    await ding.click('li.lead', '同意');
    expect(wecom.buttons('yang.huiyu')).toEqual(['同意', '更多操作', '驳回', '抄送', '评论']);
    await wecom.click('yang.huiyu', '同意');

    // zhao.biz has Feishu and WeCom: the card goes to both; deciding on Feishu updates the WeCom copy.
    expect(feishu.buttons('zhao.biz')).toEqual(['更多操作', COMMERCIAL_OK, '驳回', '抄送', '评论']);
    expect(wecom.buttons('zhao.biz').some((b) => b.includes('审核通过'))).toBe(true);
    await feishu.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    expect(wecom.buttons('zhao.biz')).toEqual(['更多操作']);

    await ding.click('sun.director', '立项并指派', { ...SETUP_FORM, pm: 'zhou.pm' });
    expect(h.db.select().from(projects).get()?.state).toBe('accepted');
    const sales = feishuCardText(feishu.lastCard('wang.sales'));
    expect(sales).toContain('实施中');
    for (const who of ['李主管', '杨辉玉（杨总）', '赵商务', '孙总监']) expect(sales).toContain(who);
    expect(ding.buttons('li.lead')).toEqual([]);
    expect(wecom.buttons('yang.huiyu')).toEqual([]);
  });
});
