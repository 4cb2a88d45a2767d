import type { ProcessDefinition, TimeoutDef } from '../process/definition';
import type { WaitingItem } from './waiting';

export interface DueTimeout {
  item: WaitingItem;
  timeout: TimeoutDef;
  /** Working hours waited so far (whole hours). */
  waited: number;
}

/**
 * The waiting steps whose `timeout` has run out: `workingHours(since)` says how many working hours passed since the
 * step opened (the caller's calendar: Mon–Fri 09:00–18:00 in TIMEZONE). Steps without a timeout keep the nudges only.
 */
export function dueTimeouts(items: readonly WaitingItem[], workingHours: (since: Date) => number): DueTimeout[] {
  const out: DueTimeout[] = [];
  for (const item of items) {
    const timeout = item.spec?.timeout;
    if (!timeout) continue;
    const waited = workingHours(item.since);
    if (waited >= timeout.hours) out.push({ item, timeout, waited: Math.floor(waited) });
  }
  return out;
}

/** The rate-limit key of a timeout: each waiting step times out once. */
export const timeoutKey = (regNo: string, item: Pick<WaitingItem, 'key' | 'since'>): string =>
  `timeout:${regNo}:${item.key}:${item.since.getTime()}`;

export { SYSTEM_ACTOR } from '../org';

/** The shortest timeout of a definition, in hours (the sweep looks back that far); null when it has none. */
export function shortestTimeout(def: ProcessDefinition): number | null {
  const specs = [
    ...def.approval.routes.flatMap((r) => r.steps),
    ...def.flows.project.tasks,
    ...def.flows.saas.tasks,
    ...def.subflows.flatMap((s) => s.steps),
  ];
  const hours = specs.flatMap((s) => (s.timeout ? [s.timeout.hours] : []));
  return hours.length ? Math.min(...hours) : null;
}
