import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedDatabase } from '../../scripts/seed/fill';
import type { Handoff } from '../../src/bootstrap';
import { adminConfig } from '../../src/config/admin-env';
import { type OrgFile, parseOrgFile } from '../../src/config/org-file';
import { createHttpApp } from '../../src/http/app';
import { mountAdmin } from '../../src/http/routes/admin';
import { silentLogger } from '../../src/shared/logger';
import { closeServer } from './fake-http';
import { type FakeOAuth, startFakeOAuth } from './fake-oauth';
import { createTestHandoff } from './handoff';

export const FEISHU_APP = { appId: 'cli_console', appSecret: 'feishu-secret' };
export const DINGTALK_APP = { clientId: 'ding-console', clientSecret: 'dingtalk-secret' };
export const WECOM_APP = { corpId: 'ww-console', agentId: '1000002', secret: 'wecom-secret' };

/** The demo people who matter here: an admin, a director (not admin), a PM; with ids on all three platforms. */
export const CONSOLE_ORG = `
users:
  - { id: qin.admin, name: 秦管理员, feishu: ou_admin, dingtalk: dt_admin, wecom: wc_admin }
  - { id: sun.director, name: 孙总监, feishu: ou_director, dingtalk: dt_director, wecom: wc_director }
  - { id: wang.sales, name: 王销售 }
  - { id: li.lead, name: 李主管 }
  - { id: yang.huiyu, name: 杨总 }
  - { id: dai.juanxiang, name: 戴总 }
  - { id: zhao.biz, name: 赵商务 }
  - { id: zhou.pm, name: 周经理 }
  - { id: wu.pm, name: 吴经理 }
  - { id: zheng.impl, name: 郑工 }
  - { id: feng.prod, name: 冯产品 }
  - { id: he.cs, name: 何经理 }
  - { id: lv.ops, name: 吕工 }
  - { id: chen.presales, name: 陈售前 }
  - { id: qian.rd, name: 钱经理 }
  - { id: sun.qa, name: 孙测试 }
  - { id: han.cshead, name: 韩总 }
  - { id: ma.support, name: 马工 }
  - { id: tang.opsmgr, name: 唐经理 }
  - { id: liu.platform, name: 刘工 }
roles:
  sales: [wang.sales]
  sales_lead: [li.lead]
  special_approver: { north: [yang.huiyu], south: [dai.juanxiang] }
  commercial_reviewer: [zhao.biz]
  project_director: [sun.director]
  regional_pm: { north: [zhou.pm], south: [wu.pm] }
  implementer: [zheng.impl]
  product_manager: [feng.prod]
  customer_success: [he.cs]
  after_sales: [lv.ops]
  presales: [chen.presales]
  rd_manager: [qian.rd]
  test_group: [sun.qa]
  customer_success_head: [han.cshead]
  after_sales_support: [ma.support]
  after_sales_manager: [tang.opsmgr]
  platform_ops: [liu.platform]
  admin: [qin.admin]
region_names: { north: 北方, south: 南方 }
`;

export interface ConsoleServer {
  url: string;
  handoff: Handoff;
  fake: FakeOAuth | null;
  /** What the console printed at start-up (the one-time token line in the local mode). */
  printed: string[];
  close(): Promise<void>;
}

export interface ConsoleOptions {
  platforms?: ('feishu' | 'dingtalk' | 'wecom')[];
  token?: string;
  /** Seeded projects (scripts/seed), 0 = none. */
  projects?: number;
  org?: OrgFile;
}

/** The console's routes on a real Koa server on 127.0.0.1, against the fake OAuth server for the platforms asked. */
export async function startConsole(opts: ConsoleOptions = {}): Promise<ConsoleServer> {
  const platforms = opts.platforms ?? [];
  const fake = platforms.length
    ? await startFakeOAuth({
        ...(platforms.includes('feishu') ? { feishu: FEISHU_APP } : {}),
        ...(platforms.includes('dingtalk') ? { dingtalk: DINGTALK_APP } : {}),
        ...(platforms.includes('wecom') ? { wecom: WECOM_APP } : {}),
      })
    : null;
  const base = fake?.url ?? 'http://127.0.0.1:9';
  const h = createTestHandoff({
    org: opts.org ?? parseOrgFile(CONSOLE_ORG, 'console-org.yaml'),
    localUi: platforms.length === 0,
    ...(platforms.includes('feishu')
      ? {
          feishu: {
            ...FEISHU_APP,
            verificationToken: 'verify',
            encryptKey: undefined,
            baseUrl: base,
            mode: 'webhook' as const,
          },
        }
      : {}),
    ...(platforms.includes('dingtalk')
      ? {
          dingtalk: {
            ...DINGTALK_APP,
            robotCode: 'robot',
            cardTemplateId: 'tpl',
            baseUrl: base,
            mode: 'http' as const,
            cardCallbackRouteKey: undefined,
          },
        }
      : {}),
    ...(platforms.includes('wecom')
      ? {
          wecom: {
            ...WECOM_APP,
            token: 'wecom-token',
            aesKey: 'a'.repeat(43),
            baseUrl: base,
            newsWebhook: undefined,
          },
        }
      : {}),
  });
  h.config.admin = {
    ...adminConfig({
      ADMIN_TOKEN: opts.token,
      ADMIN_SESSION_SECRET: undefined,
      FEISHU_LOGIN_URL: base,
      DINGTALK_LOGIN_URL: base,
      DINGTALK_OAPI_URL: base,
      WECOM_LOGIN_URL: base,
    }),
  };
  if (opts.projects) seedDatabase(h.db, { projects: opts.projects, now: h.clock.now() });
  const printed: string[] = [];
  const app = createHttpApp({
    logger: silentLogger,
    health: () => ({}),
    mounts: [(r) => mountAdmin(r, h, (l) => printed.push(l))],
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    handoff: h,
    fake,
    printed,
    async close() {
      await closeServer(server);
      await fake?.close();
      await h.stop();
    },
  };
}
