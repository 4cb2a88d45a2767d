import type { OrgView } from '../src/domain/org';
import type { CardModel } from './model';

const yesNoOptions = [
  { value: 'yes', label: '是' },
  { value: 'no', label: '否' },
];

/** The form that `/register` with no arguments answers with; it collects the same fields as the typed command. */
export function registerFormCard(org: OrgView): CardModel {
  return {
    header: { title: '项目实施登记', subtitle: '合同签订后由责任销售提交', color: 'blue' },
    blocks: [
      {
        type: 'rich',
        lines: [
          '项目类需提供《用户需求采集表》或《售前解决方案》之一；SaaS 类需提供《用户需求采集表》。未签合同或首付款未到的项目将走特批流程。',
        ],
      },
    ],
    actions: [],
    forms: [
      {
        name: 'register_form',
        fields: [
          { name: 'name', label: '项目名称', kind: 'text', required: true },
          { name: 'customer', label: '客户', kind: 'text', required: true },
          {
            name: 'kind',
            label: '项目类型',
            kind: 'select',
            required: true,
            options: [
              { value: 'project', label: '项目类（含私有化部署）' },
              { value: 'saas', label: 'SaaS 类' },
            ],
          },
          {
            name: 'region',
            label: '区域',
            kind: 'select',
            required: true,
            options: org.regions.map((r) => ({ value: r, label: org.regionNames[r] ?? r })),
          },
          { name: 'contract', label: '合同编号', kind: 'text', required: true },
          { name: 'signed', label: '合同已签', kind: 'select', required: true, options: yesNoOptions },
          { name: 'paid', label: '首付款已到', kind: 'select', required: true, options: yesNoOptions },
          { name: 'req', label: '《用户需求采集表》链接', kind: 'text', required: false, placeholder: 'https://…' },
          { name: 'solution', label: '《售前解决方案》链接', kind: 'text', required: false, placeholder: 'https://…' },
          { name: 'form', label: '《项目实施登记表》链接', kind: 'text', required: true, placeholder: 'https://…' },
        ],
        submit: { label: '提交登记', style: 'primary', value: { v: 1, type: 'register' } },
      },
    ],
  };
}
