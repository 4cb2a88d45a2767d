/**
 * No secret reaches the log: the whole bot at LOG_LEVEL=debug with Feishu, DingTalk and WeCom configured against
 * their fakes, through token fetches, refused tokens, failed and rate-limited contact lookups — and then not one app
 * secret, encrypt/AES key, verification token or issued access token appears in any line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/bootstrap';
import { createLogger } from '../../src/shared/logger';
import { FakeClock } from '../helpers/fake-clock';
import { startFakeDingtalk } from '../helpers/fake-dingtalk';
import { startFakeFeishu } from '../helpers/fake-feishu';
import { ENCRYPT_KEY, feishuConfig, VERIFICATION_TOKEN } from '../helpers/feishu-chat';
import { demoOrg, testConfig, virtualDelivery } from '../helpers/handoff';
import { startFakeWecomFor, WECOM, wecomConfig } from '../helpers/wecom-chat';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('log redaction through the whole bot', () => {
  it('logs no secret, key or access token at debug level, failures included', async () => {
    const feishuApp = { appId: 'cli_redact0000000', appSecret: 'feishu-redact-secret-7' };
    const feishuFake = await startFakeFeishu(feishuApp);
    const dingApp = { clientId: 'dingredact', clientSecret: 'ding-redact-secret-42' };
    const dingFake = await startFakeDingtalk(dingApp);
    const wecomFake = await startFakeWecomFor();
    stops.push(
      () => feishuFake.close(),
      () => dingFake.close(),
      () => wecomFake.close(),
    );
    const org = demoOrg();
    for (const [i, u] of org.users.slice(0, 4).entries()) {
      u.email = `${u.id}@corp.example`;
      u.mobile = `1380000000${i}`;
    }
    const lines: string[] = [];
    const config = testConfig({
      feishu: feishuConfig(feishuApp.appId, feishuFake, feishuApp.appSecret),
      dingtalk: {
        ...dingApp,
        robotCode: 'dingrobot',
        cardTemplateId: 'tpl.schema',
        baseUrl: dingFake.baseUrl,
        oapiBaseUrl: dingFake.baseUrl,
        mode: 'http',
        cardCallbackRouteKey: undefined,
      },
      wecom: wecomConfig(wecomFake.baseUrl),
      localUi: false,
      logLevel: 'debug',
    });
    const h = bootstrap(config, {
      clock: new FakeClock(),
      logger: createLogger('debug', {}, (l) => lines.push(l)),
      org,
      scheduler: false,
      delivery: virtualDelivery(),
      directory: { sleep: async () => {}, maxAttempts: 2 },
    });
    stops.push(() => h.stop());
    feishuFake.failNext(2, { status: 500, msg: 'boom' });
    dingFake.failNext(1, { status: 200, errcode: 90018 });
    wecomFake.failNext(3, { errcode: 45009, errmsg: 'api freq out of limit' });
    await h.resolveDirectory();
    feishuFake.invalidateTokens();
    dingFake.invalidateTokens();
    wecomFake.expireTokens();
    await h.resolveDirectory({ refresh: true });

    const log = lines.join('\n');
    expect(log).toContain('directory lookup failed'); // the failures were logged…
    expect(log).toContain('token rejected, refreshing');
    // …and no secret with them.
    for (const secret of [
      feishuApp.appSecret,
      ENCRYPT_KEY,
      VERIFICATION_TOKEN,
      dingApp.clientSecret,
      WECOM.secret,
      WECOM.aesKey,
      WECOM.token,
      't-fake-1',
      'tok-1',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
