import { membersOf, type OrgView } from '../../src/domain/org';
import type { FieldDef, FormDef } from '../../src/domain/process/definition';
import type { RawFields } from '../../src/domain/process/forms';
import type { Project } from '../../src/domain/project';

/** The seed's random source and the branch choices of one project (what its people will answer). */
export interface Choices {
  rnd: () => number;
  /** 外采 in the commercial review. */
  outsourcing: boolean;
  /** requirements.customization: none, in_contract, out_of_contract or both. */
  customization: string[];
  /** requirements.integration / intake.integration. */
  integration: boolean;
}

/** Answers people type, by `taskId.fieldId` (a subflow's raise form as `<kind>.<field>`), then by field id. */
const TEXTS: Record<string, string[]> = {
  'setup.feasibility': [
    '产品功能与需求基本匹配，方案可行',
    '标准产品可覆盖主要需求，少量配置',
    '需二次开发两项接口，整体可行',
  ],
  'setup.risk': ['工期偏紧，需客户配合提供测试环境', '合同验收条款明确，风险低', '客户内网部署，需提前申请权限'],
  'outsourcing.note': ['已向供应商下单，服务器下周到货', '外采加密机已到货并入库', '外采许可证已签收'],
  'platform_ops.note': ['已在公司云部署，日志接入监控，按月维护版本', '云主机两台已开通，版本由平台运维维护'],
  'custom_estimate.feasibility': ['与研发、产品沟通后可行，复用现有报表引擎', '可行，需新增一个审批节点'],
  'pickup.svn': ['svn://svn.example/projects/delivery', 'svn://svn.example/projects/2026'],
  'pickup.products': ['数据平台 V5.2 标准版', '运维监控 V3.8 + 移动端', '客服系统 V2.6 企业版', '财务共享 V4.1'],
  'verification.problems': ['', '', '报表导出偶发超时，已提交缺陷'],
  'integration.note': ['已与客户 OA、统一认证完成对接', '与 ERP 接口联调通过', '单点登录与消息推送已对接'],
  'intake.need': ['客户确认开通标准版，30 个账号', '需求已确认，需对接客户企业微信', '按合同开通，无额外需求'],
  'defect.title': ['报表导出超时', '移动端登录后白屏', '批量导入丢失附件', '权限配置保存失败', '定时任务重复执行'],
  'support.title': ['客户反馈夜间备份失败', '升级后部分菜单不可见', '客户新增分支机构需开通账号'],
  'cloud_order.products': ['云数据平台标准版', '云客服系统增购坐席', '云监控扩容'],
  'cloud_order.licences': ['50 用户，一年', '20 坐席，两年', '100 节点，一年'],
  'cloud_order.payment': ['已全额收款', '首付 50% 已到账', '合同已签，款项本月到账'],
  'change.title': ['增加按区域汇总的报表', '审批单需增加附件字段', '对接客户新版统一认证'],
  'fix.note': ['已修复并补充单元测试', '修复查询条件，已合入主干'],
  'release.version': ['5.2.1', '3.8.4', '2.6.3', '4.1.2'],
  'resolve.note': ['已远程处理，客户确认恢复', '已现场排查，更换配置后正常'],
  'carry_out.note': ['已开通授权并通知客户', '已完成扩容，客户验证通过'],
  comment: ['', '', '资料齐全，同意'],
  note: ['已完成'],
};

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

/**
 * Raw form input a person would send for `form` (what a card or typed key=value carries): realistic text, links to
 * the project's documents, today's date, the project's own PM and implementers, and the branch choices of `c`.
 */
export function fillForm(
  form: FormDef | undefined,
  scope: string,
  p: Project,
  org: OrgView,
  at: Date,
  c: Choices,
): RawFields {
  const out: RawFields = {};
  for (const f of form?.fields ?? []) {
    const v = value(f, scope, p, org, at, c);
    if (v !== null) out[f.id] = v;
  }
  return out;
}

function value(f: FieldDef, scope: string, p: Project, org: OrgView, at: Date, c: Choices): string | string[] | null {
  const key = `${scope}.${f.id}`;
  if (key === 'requirements.customization') return c.customization;
  if (f.id === 'integration' && f.kind === 'yesno') return c.integration ? '是' : '否';
  if (f.id === 'outsourcing' && f.kind === 'yesno') return c.outsourcing ? '是' : '否';
  if (key === 'pickup_issue.custom') return c.customization.length ? `https://dl.example/${p.regNo}/custom` : null;
  if (key === 'pickup_issue.licence') return c.rnd() < 0.5 ? `https://dl.example/${p.regNo}/licence` : null;
  switch (f.kind) {
    case 'text': {
      const texts = TEXTS[key] ?? TEXTS[f.id];
      const t = texts ? pick(c.rnd, texts) : '';
      return t || (f.required ? '已完成' : null);
    }
    case 'link':
      return `https://docs.example/${p.regNo}/${scope}-${f.id}`;
    case 'date':
      return at.toISOString().slice(0, 10);
    case 'regno':
      return p.regNo.toLowerCase();
    case 'check':
      return '已核对';
    case 'yesno':
      return c.rnd() < 0.5 ? '是' : '否';
    case 'select':
      return f.options?.length ? pick(c.rnd, f.options).value : null;
    case 'multiselect':
      return f.required && f.options?.length ? [pick(c.rnd, f.options).value] : [];
    case 'person': {
      const people = membersOf(org, f.role ?? '', p.facts.region);
      if (f.role === 'implementer') {
        const n = 1 + Math.floor(c.rnd() * c.rnd() * 3);
        return Array.from(new Set(Array.from({ length: n }, () => pick(c.rnd, people))));
      }
      // The region's PM is taken most of the time (the form preselects the first one: 就近原则).
      return people.length ? pick(c.rnd, people) : null;
    }
  }
}
