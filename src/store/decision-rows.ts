import type { Decision } from '../domain/project';

/**
 * Audit lines read back as the domain's decisions, on plain prepared statements: a project's history is read with
 * every project load and its activity with every card render (drizzle's row mapping cost more than the query).
 */
export const DECISION_COLUMNS = 'round, step_index, role, action, task_id, actor_id, at, reason, on_behalf_of';

export interface RawDecision {
  round: number;
  step_index: number;
  role: string;
  action: Decision['action'];
  task_id: number | null;
  actor_id: string;
  at: number;
  reason: string | null;
  on_behalf_of: string | null;
}

export function decisionFromRaw(e: RawDecision): Decision {
  return {
    round: e.round,
    stepIndex: e.step_index,
    role: e.role as Decision['role'],
    action: e.action,
    task: e.task_id,
    by: e.actor_id,
    at: new Date(e.at),
    reason: e.reason,
    ...(e.on_behalf_of ? { onBehalfOf: e.on_behalf_of } : {}),
  };
}

/** `?, ?, …` for an `in (…)` of `n` values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
