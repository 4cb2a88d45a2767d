import type { OrgView, UserId } from '../org';
import type { ApprovalStepDef, ProcessDefinition, TaskDef } from '../process/definition';
import { holdersOfTask } from '../process/holders';
import { openTasks, type TaskInstance } from '../process/state';
import { taskDef } from '../process/tasks';
import { currentStep, type Project } from '../project';
import { approversOf, stepSpec } from '../routing';

/** One thing a project waits on: the current approval step, or an open task (main flow or subflow). */
export interface WaitingItem {
  /** Stable for as long as this step waits: `chain:<round>:<step>` or `task:<no>`. */
  key: string;
  since: Date;
  holders: UserId[];
  /** The step's definition (its cc, timeout, sla_hours). */
  spec: ApprovalStepDef | TaskDef | undefined;
  stepIndex: number | null;
  task: TaskInstance | null;
}

/** The definition of a task instance of this project (main flow or subflow step). */
export function taskSpec(p: Project, def: ProcessDefinition, t: Pick<TaskInstance, 'defId' | 'subflow'>) {
  const kind = t.subflow === null ? undefined : p.delivery.subflows.find((s) => s.no === t.subflow)?.kind;
  return taskDef(def, t, p.facts.kind, kind);
}

/** The definition of an approval-chain step: the route's step, or the flow's start task (the last step). */
export function chainSpec(p: Project, def: ProcessDefinition, index: number): ApprovalStepDef | TaskDef | undefined {
  const s = stepSpec(p, index, def);
  return s?.kind === 'approval' ? s.step : s?.task;
}

/** Everything the project waits on now, and who holds each. */
export function waitingItems(p: Project, def: ProcessDefinition, org: OrgView): WaitingItem[] {
  const out: WaitingItem[] = [];
  const step = currentStep(p);
  if (step) {
    out.push({
      key: `chain:${p.round}:${p.stepIndex}`,
      since: p.history.at(-1)?.at ?? p.createdAt,
      holders: approversOf(p, step, org, def),
      spec: chainSpec(p, def, p.stepIndex),
      stepIndex: p.stepIndex,
      task: null,
    });
  }
  for (const t of openTasks(p.delivery)) {
    out.push({
      key: `task:${t.no}`,
      since: t.openedAt,
      holders: holdersOfTask(t, org),
      spec: taskSpec(p, def, t),
      stepIndex: null,
      task: t,
    });
  }
  return out;
}
