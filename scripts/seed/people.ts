import type { OrgView, UserId } from '../../src/domain/org';

export interface SeedPeople {
  org: OrgView;
  sales: UserId[];
  pms: Record<string, UserId[]>;
  implementers: UserId[];
}

const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}.${String(i + 1).padStart(3, '0')}`);

/**
 * The seed's organisation: the people of org.example.yaml (so the demo logins see work) plus generated colleagues
 * so that work spreads as in a real company: 40 sales, 25 PMs per region, 300 implementers.
 */
export function seedOrg(): SeedPeople {
  const sales = ['wang.sales', ...ids('sales', 39)];
  const pms = { north: ['zhou.pm', ...ids('pm.n', 24)], south: ['wu.pm', ...ids('pm.s', 24)] };
  const implementers = ['zheng.impl', ...ids('impl', 299)];
  const members: OrgView['members'] = {
    sales: { '*': sales },
    sales_lead: { '*': ['li.lead'] },
    special_approver: { north: ['yang.huiyu'], south: ['dai.juanxiang'] },
    commercial_reviewer: { '*': ['zhao.biz'] },
    project_director: { '*': ['sun.director'] },
    regional_pm: pms,
    implementer: { '*': implementers },
    product_manager: { '*': ['feng.prod'] },
    customer_success: { '*': ['he.cs'] },
    after_sales: { '*': ['lv.ops'] },
  };
  const users: OrgView['users'] = {};
  for (const byRegion of Object.values(members)) {
    for (const list of Object.values(byRegion ?? {})) for (const u of list) users[u] = { name: u };
  }
  return {
    org: { users, members, regions: ['north', 'south'], regionNames: { north: '北方', south: '南方' } },
    sales,
    pms,
    implementers,
  };
}
