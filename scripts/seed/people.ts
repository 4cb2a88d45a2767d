import type { OrgFile } from '../../src/config/org-file';
import { orgView } from '../../src/config/org-process';
import type { OrgView, UserId } from '../../src/domain/org';

export interface SeedPeople {
  /** The organisation as an org file: run the app with it (ORG_FILE, or `org` in tests) to act as seeded people. */
  file: OrgFile;
  org: OrgView;
  sales: UserId[];
  pms: Record<string, UserId[]>;
  implementers: UserId[];
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宇浩然晨阳文博';

/** The demo people of org.example.yaml, first in every role, so the demo logins see seeded work. */
const DEMO: Record<string, string> = {
  'wang.sales': '王销售',
  'li.lead': '李主管',
  'yang.huiyu': '杨辉玉（杨总）',
  'dai.juanxiang': '戴娟翔（戴总）',
  'zhao.biz': '赵商务',
  'sun.director': '孙总监',
  'zhou.pm': '周经理（北方）',
  'wu.pm': '吴经理（南方）',
  'zheng.impl': '郑工',
  'feng.prod': '冯产品',
  'he.cs': '何经理（客户成功）',
  'lv.ops': '吕工（售后运维）',
  'chen.presales': '陈售前',
  'qian.rd': '钱经理（研发）',
  'sun.qa': '孙测试',
  'han.cshead': '韩总（客户成功）',
  'ma.support': '马工（售后支持）',
  'tang.opsmgr': '唐经理（售后运维）',
  'liu.platform': '刘工（平台运维）',
};

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}.${String(i + 1).padStart(3, '0')}`);

/**
 * The seed's organisation: the people of org.example.yaml plus generated colleagues so that work spreads as in a
 * real company: 40 sales, 25 PMs per region, 300 implementers, a few more in the busy shared roles. Every role of
 * the standard process is staffed (checkOrgAgainstProcess passes).
 */
export function seedOrg(): SeedPeople {
  const sales = ['wang.sales', ...ids('sales', 39)];
  const pms = { north: ['zhou.pm', ...ids('pm.n', 24)], south: ['wu.pm', ...ids('pm.s', 24)] };
  const implementers = ['zheng.impl', ...ids('impl', 299)];
  const roles: OrgFile['roles'] = {
    sales,
    presales: ['chen.presales', ...ids('presales', 9)],
    sales_lead: ['li.lead'],
    special_approver: { north: ['yang.huiyu'], south: ['dai.juanxiang'] },
    commercial_reviewer: ['zhao.biz', ...ids('biz', 2)],
    project_director: ['sun.director'],
    regional_pm: pms,
    implementer: implementers,
    rd_manager: ['qian.rd', ...ids('rd', 2)],
    test_group: ['sun.qa', ...ids('qa', 4)],
    product_manager: ['feng.prod', ...ids('prod', 2)],
    customer_success: ['he.cs', ...ids('cs', 3)],
    customer_success_head: ['han.cshead'],
    after_sales_support: ['ma.support', ...ids('support', 3)],
    after_sales: ['lv.ops', ...ids('ops', 3)],
    after_sales_manager: ['tang.opsmgr'],
    platform_ops: ['liu.platform', ...ids('platform', 2)],
    admin: ['sun.director'],
  };
  const users: OrgFile['users'] = [];
  const seen = new Set<string>();
  for (const list of Object.values(roles).flatMap((m) => (Array.isArray(m) ? [m] : Object.values(m)))) {
    for (const id of list) {
      if (seen.has(id)) continue;
      seen.add(id);
      users.push({ id, name: DEMO[id] ?? nameOf(users.length) });
    }
  }
  const file: OrgFile = { users, roles, region_names: { north: '北方', south: '南方' }, chats: { handover_news: {} } };
  return { file, org: orgView(file), sales, pms, implementers };
}

/** A stable Chinese name for the n-th generated person (surname, one or two given characters). */
function nameOf(n: number): string {
  const s = SURNAMES[n % SURNAMES.length] as string;
  const g = Math.floor(n / SURNAMES.length);
  const a = GIVEN[g % GIVEN.length] as string;
  const b = GIVEN[(n * 7 + g) % GIVEN.length] as string;
  return n % 3 === 0 ? `${s}${a}` : `${s}${a}${b}`;
}
