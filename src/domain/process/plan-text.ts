import type { PlannedStep, ProjectPlan } from './plan';

/** One planned step as a line: `1. 商务审核 — 商务经理：赵商务（驳回 → …）〔视情况：需 …〕`. */
export function planStepLine(s: PlannedStep, i: number, steps: PlannedStep[], indent = '  '): string {
  const mark =
    s.condition === null
      ? ''
      : s.status === 'runs'
        ? `  〔条件成立：${s.condition}〕`
        : s.status === 'skipped'
          ? `  〔跳过：需 ${s.condition}〕`
          : `  〔视情况：需 ${s.condition}〕`;
  const target = (id: string) =>
    id === 'submitter' ? '登记人重新提交' : `「${steps.find((x) => x.id === id)?.name ?? id}」`;
  return `${indent}${i + 1}. ${s.name} — ${s.holder.text}${s.rejectTo ? `（驳回 → ${target(s.rejectTo)}）` : ''}${mark}`;
}

/** The dry run in words: the approval chain, the flow's tasks in order, and (optionally) the subflows. */
export function planLines(plan: ProjectPlan, kind: string, withSubflows = true): string[] {
  const out: string[] = [];
  out.push(`审批链：${plan.route.name}${plan.route.certain ? '' : '（取决于合同是否已签、首付款是否已到）'}`);
  out.push(...plan.approval.map((s, i) => planStepLine(s, i, plan.tasks)));
  out.push('');
  out.push(`流程任务（${kind}，按先后）：`);
  out.push(...plan.tasks.map((s, i) => planStepLine(s, i, plan.tasks)));
  if (!withSubflows) return out;
  out.push('');
  out.push('子流程：');
  for (const s of plan.subflows) {
    const aliases = s.aliases.length ? `（/${s.aliases.join('、/')}）` : '';
    out.push(
      `  /${s.command}${aliases} ${s.name} — 可发起：${s.raise.map((h) => h.text).join('；')}；项目状态：${s.when.join('、')}`,
    );
    out.push(...s.steps.map((x, i) => planStepLine(x, i, s.steps, '    ')));
  }
  return out;
}
