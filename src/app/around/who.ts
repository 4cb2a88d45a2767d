import { STATE_LABELS } from '../../../cards/labels';
import { waitingItems } from '../../domain/around/waiting';
import type { OrgView } from '../../domain/org';
import type { ProcessDefinition } from '../../domain/process/definition';
import { answerField, answerValue, type PlanInput, planProject } from '../../domain/process/plan';
import { planLines, planStepLine } from '../../domain/process/plan-text';
import type { FieldValue } from '../../domain/process/state';
import type { Project } from '../../domain/project';
import type { Outcome } from '../commit';
import type { AppDeps } from '../deps';
import { itemLabel, namesOf } from './activity';

const HOUR_MS = 3_600_000;
const BOOLEAN_FACTS = ['signed', 'paid', 'operated', 'cloud'] as const;
const YES = ['yes', 'y', 'true', '是'];
const NO = ['no', 'n', 'false', '否'];

/**
 * `/who <regNo>` (谁审批): who holds what the project waits on now, and who decides each step still ahead — the dry
 * run of the process (`npm run process:check`, planProject) on the project's facts and the answers given so far.
 */
export function whoForProject(deps: AppDeps, p: Project): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const now = deps.clock.now().getTime();
  const out = [`【${p.regNo} ${p.facts.name}】谁审批（${STATE_LABELS[p.state]}）`];
  const items = waitingItems(p, def, org);
  const idle =
    p.state === 'rejected'
      ? `现在：已驳回，等待登记人 ${namesOf(org, [p.submitter])} 修改后重新提交。`
      : '现在：没有等待处理的步骤。';
  out.push(items.length ? '现在：' : idle);
  for (const w of items) {
    const hours = Math.floor((now - w.since.getTime()) / HOUR_MS);
    const who = w.holders.length ? namesOf(org, w.holders) : '（无人可处理，请联系管理员）';
    out.push(`  • ${itemLabel(p, def, org, w)} — ${who}（已等待 ${hours} 小时）`);
  }
  const plan = planProject(def, org, { kind: p.facts.kind, region: p.facts.region, ...knownOf(p) });
  const reached = new Set(p.delivery.tasks.filter((t) => t.subflow === null).map((t) => t.defId));
  const ahead = [
    ...(p.state === 'in_approval' ? plan.approval.slice(p.stepIndex + 1) : []),
    ...(p.state === 'in_approval' || p.state === 'accepted'
      ? plan.tasks.filter((s) => !reached.has(s.id) && s.status !== 'skipped')
      : []),
  ];
  if (ahead.length) {
    out.push('之后：');
    out.push(...ahead.map((s, i) => planStepLine(s, i, plan.tasks)));
  }
  return { ok: true, text: out.join('\n'), regNo: p.regNo };
}

/** The project's facts and every answer given so far, as the dry run reads them. */
function knownOf(p: Project): Pick<PlanInput, 'facts' | 'answers'> {
  const { signed, paid, operated, cloud, name, customer, contractNo } = p.facts;
  const answers: Record<string, FieldValue> = {};
  for (const [role, fields] of Object.entries(p.delivery.approvalAnswers))
    for (const [f, v] of Object.entries(fields)) answers[`approval.${role}.${f}`] = v;
  for (const t of p.delivery.tasks) {
    if (t.subflow !== null || t.state !== 'done') continue;
    for (const [f, v] of Object.entries(t.answers)) answers[`${t.defId}.${f}`] = v;
  }
  return { facts: { signed, paid, operated, cloud, name, customer, contractNo }, answers };
}

/** `/who kind=project region=north signed=no paid=no [taskId.fieldId=value …]`: the dry run for sample facts. */
export function whoForSample(deps: AppDeps, sample: Record<string, string | string[]>): Outcome {
  const org = deps.org.view();
  const def = deps.processes.current().def;
  const read = readSample(def, org, sample);
  if ('error' in read)
    return { ok: false, text: `${read.error}\n用法：/who kind=project region=north signed=no paid=no` };
  const { kind, region, facts, answers } = read;
  const plan = planProject(def, org, { kind, region, facts, answers });
  const given = Object.entries(sample)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join(' ');
  return { ok: true, text: [`谁审批（${given}）：`, ...planLines(plan, kind, false)].join('\n') };
}

type Sample = Omit<PlanInput, 'region'> & { region: string | null };

function readSample(
  def: ProcessDefinition,
  org: OrgView,
  sample: Record<string, string | string[]>,
): Sample | { error: string } {
  const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v)?.trim();
  const kindText = text(sample.kind) ?? 'project';
  if (kindText !== 'project' && kindText !== 'saas')
    return { error: `应写 kind=project 或 kind=saas，不是「${kindText}」` };
  const kind = kindText;
  const regionText = text(sample.region);
  const region = regionText
    ? (org.regions.find((r) => r === regionText.toLowerCase() || org.regionNames[r] === regionText) ?? null)
    : null;
  if (regionText && region === null) return { error: `未知区域「${regionText}」（可用：${org.regions.join('、')}）` };
  const facts: Record<string, string | boolean> = {};
  const answers: Record<string, FieldValue> = {};
  for (const [key, raw] of Object.entries(sample)) {
    const v = text(raw) ?? '';
    if (key === 'kind' || key === 'region') continue;
    if ((BOOLEAN_FACTS as readonly string[]).includes(key)) {
      if (YES.includes(v.toLowerCase())) facts[key] = true;
      else if (NO.includes(v.toLowerCase())) facts[key] = false;
      else return { error: `应写 ${key}=yes 或 ${key}=no，不是「${v}」` };
      continue;
    }
    const field = key.includes('.') ? answerField(def, kind, key) : null;
    if (!field) {
      return {
        error: `无法识别「${key}」：可写 kind=、region=、${BOOLEAN_FACTS.map((k) => `${k}=`).join('、')}，或表单答案 任务id.字段id=值（如 requirements.integration=no）`,
      };
    }
    const value = answerValue(field, v);
    if (value === null) return { error: `「${key}」的值「${v}」无效` };
    answers[key] = value;
  }
  return { kind, region, facts, answers };
}
