import type { OrgView } from '../src/domain/org';
import type { SubflowDef } from '../src/domain/process/definition';
import type { Project } from '../src/domain/project';
import { formInputs } from './labels';
import type { CardModel } from './model';

/** The form to start a subflow (报告缺陷, 售后支持请求 …), sent when its button on the project card is clicked. */
export function raiseFormCard(p: Project, sd: SubflowDef, org: OrgView): CardModel {
  return {
    header: { title: `发起${sd.name}`, subtitle: `${p.regNo} · ${p.facts.name}`, color: 'blue' },
    blocks: [{ type: 'markdown', text: `流程：${sd.steps.map((x) => x.name).join(' → ')}` }],
    actions: [],
    forms: [
      {
        name: `raise_${sd.id}`,
        fields: formInputs(sd.form, org, p),
        submit: {
          label: `发起${sd.name}`,
          style: 'primary',
          value: { v: 1, type: 'raise', regNo: p.regNo, kind: sd.id },
        },
      },
    ],
  };
}
