/** A Handoff with Feishu (webhook mode, encrypted) against a local fake Feishu, for the benchmark scenarios. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../../src/bootstrap';
import { silentLogger } from '../../src/shared/logger';
import { type FakeFeishuOptions, startFakeFeishu } from '../../test/helpers/fake-feishu';
import { ENCRYPT_KEY, feishuOrg, VERIFICATION_TOKEN } from '../../test/helpers/feishu-chat';
import { testConfig } from '../../test/helpers/handoff';

export const APP = { appId: 'cli_0000000000bench', appSecret: 'bench-secret' };

export async function feishuHandoff(fakeOpts: FakeFeishuOptions) {
  const fake = await startFakeFeishu(APP, fakeOpts);
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-'));
  const h = bootstrap(
    testConfig({
      databasePath: join(dir, 'handoff.db'),
      localUi: false,
      feishu: {
        ...APP,
        verificationToken: VERIFICATION_TOKEN,
        encryptKey: ENCRYPT_KEY,
        baseUrl: fake.baseUrl,
        mode: 'webhook',
      },
    }),
    { logger: silentLogger, scheduler: false, org: feishuOrg() },
  );
  const { url } = await h.listen();
  return {
    h,
    fake,
    url,
    dir,
    async stop() {
      await h.stop();
      await fake.close();
    },
  };
}

/** A tenant token from the fake, for the bare baseline clients. */
export async function tenantToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }),
  });
  return ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
