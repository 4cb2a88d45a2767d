import { membersOf, type OrgView, type UserId } from '../org';
import type { HolderDef, ProcessDefinition } from '../process/definition';
import { resolveHolder } from '../process/holders';
import type { TaskInstance } from '../process/state';
import type { Project } from '../project';
import { chainSpec, taskSpec } from './waiting';

/**
 * CC (抄送): the people a step of the process definition copies (`cc: [{ role: … } | { team: … }]`), resolved for a
 * project. A copied person receives a read-only project card when the step opens; the card updates in place like
 * every other copy. The step's own holders are never copied (they already have the card).
 */
export function resolveCc(
  refs: readonly HolderDef[] | undefined,
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  holders: readonly UserId[],
  task: TaskInstance | null = null,
): UserId[] {
  const out = new Set<UserId>();
  const subflow = task?.subflow == null ? null : (p.delivery.subflows.find((s) => s.no === task.subflow) ?? null);
  const answer = (ref: string) => {
    const [taskId, fieldId] = ref.split('.');
    const scope = p.delivery.tasks.filter((t) => t.subflow === (task?.subflow ?? null) && t.defId === taskId);
    return scope.at(-1)?.answers[fieldId ?? ''];
  };
  for (const h of refs ?? []) {
    const held = resolveHolder(h, p, def, answer, subflow);
    if (!held) continue;
    for (const u of held.users ?? membersOf(org, held.role ?? '', held.region)) out.add(u);
  }
  for (const u of holders) out.delete(u);
  return [...out];
}

/** Who the chain step `index` copies (the step of the current round). */
export function ccOfStep(p: Project, def: ProcessDefinition, org: OrgView, index: number, holders: UserId[]): UserId[] {
  return resolveCc(chainSpec(p, def, index)?.cc, p, def, org, holders);
}

/** Who a task instance copies. */
export function ccOfTask(p: Project, def: ProcessDefinition, org: OrgView, t: TaskInstance, holders: UserId[]) {
  return resolveCc(taskSpec(p, def, t)?.cc, p, def, org, holders, t);
}

/** Everyone the definition copied on steps this project reached: chain steps of this round so far, tasks opened. */
export function configuredCc(p: Project, def: ProcessDefinition, org: OrgView): UserId[] {
  const out = new Set<UserId>();
  const reached = p.state === 'in_approval' ? p.stepIndex : p.chain.length - 1;
  for (let i = 0; i <= reached && i < p.chain.length; i++) for (const u of ccOfStep(p, def, org, i, [])) out.add(u);
  for (const t of p.delivery.tasks) {
    if (t.state === 'skipped') continue;
    for (const u of ccOfTask(p, def, org, t, [])) out.add(u);
  }
  return [...out];
}
