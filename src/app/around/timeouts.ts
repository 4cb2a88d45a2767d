import { roleName } from '../../../cards/labels';
import { dueTimeouts, SYSTEM_ACTOR, shortestTimeout, timeoutKey } from '../../domain/around/timeouts';
import { waitingItems } from '../../domain/around/waiting';
import { transferStep } from '../../domain/operations';
import { membersOf } from '../../domain/org';
import { roleRegion } from '../../domain/process/holders';
import { workingHoursBetween } from '../../shared/working-hours';
import { commit } from '../commit';
import type { AppDeps } from '../deps';
import { sendToUser } from '../effects';
import type { WaitingCursor, WaitingRow } from '../ports';
import { appendActivity, itemLabel, namesOf, refreshCards } from './activity';

const HOUR_MS = 3_600_000;
const CHUNK = 200;

/**
 * Step timeouts (`timeout: { hours, escalate | transfer }` in the process file): a step waiting longer than its
 * working hours is escalated once — the members of the named role receive the project card with what waits, who
 * holds it and for how long, and the history shows it (an audit line by 系统). `transfer` hands the step to that
 * role's members (the transfer operation). Walks the waiting steps in the same
 * keyset-paginated chunks as the nudges (one short transaction each); each step times out once (a unique key).
 * Must NOT run inside `deps.tx`. Returns how many people were notified.
 */
export function sweepTimeouts(deps: AppDeps, now: Date): number {
  const hours = shortestTimeout(deps.processes.current().def);
  if (hours === null) return 0;
  const before = new Date(now.getTime() - hours * HOUR_MS);
  let sent = 0;
  let cursor: WaitingCursor | null = null;
  for (;;) {
    const after: WaitingCursor | null = cursor;
    const rows: (WaitingRow & { cursor: WaitingCursor })[] = deps.tx(() => {
      const chunk = deps.work.waitingSince(before, after, CHUNK);
      for (const regNo of new Set(chunk.map((r) => r.regNo))) sent += escalateProject(deps, regNo, now);
      return chunk;
    });
    const last = rows.at(-1);
    if (!last || rows.length < CHUNK) break;
    cursor = last.cursor;
  }
  return sent;
}

/** The timeouts of one project that ran out: escalate each once. Inside the caller's transaction. */
function escalateProject(deps: AppDeps, regNo: string, now: Date): number {
  const p = deps.projects.get(regNo);
  if (!p) return 0;
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const due = dueTimeouts(waitingItems(p, def, org), (since) => workingHoursBetween(since, now, deps.timeZone));
  let sent = 0;
  for (const { item, timeout, waited } of due) {
    const role = timeout.escalate ?? timeout.transfer ?? '';
    const to = membersOf(org, role, roleRegion(def, role, p)).filter((u) => !item.holders.includes(u));
    if (!deps.reminders.claim(timeoutKey(p.regNo, item), SYSTEM_ACTOR, p.regNo, 'timeout', now)) continue;
    if (timeout.transfer && autoTransfer(deps, regNo, item.task?.no ?? null, to, waited, now)) {
      sent += to.length;
      continue;
    }
    const label = itemLabel(p, def, org, item);
    const holders = item.holders.length ? namesOf(org, item.holders) : '（无人）';
    const banner = `超时升级：「${label}」已等待 ${waited} 个工作小时（超过 ${timeout.hours} 小时），处理人 ${holders}，请督办。`;
    for (const u of to) sendToUser(deps, u, { type: 'project', regNo: p.regNo, banner }, now);
    sent += to.length;
    const platform = deps.platforms[0] ?? 'local';
    const reason = `「${label}」等待 ${waited} 个工作小时，已通知${roleName(def, role)} ${namesOf(org, to) || '（无人）'}`;
    appendActivity(
      deps,
      p,
      'escalate',
      { user: SYSTEM_ACTOR, platform, name: '系统' },
      now,
      reason,
      item.task?.no ?? null,
    );
    deps.logger.info('step timed out', { regNo: p.regNo, step: item.key, role, notified: to.length });
  }
  if (sent || due.length) refreshCards(deps, p, now);
  return sent;
}

/**
 * `transfer: <role>`: the step is handed to that role's members (the transfer operation, audit-logged by 系统); they
 * get the card and the old holders' copies say where it went. False when it cannot be (nobody else holds the role,
 * the step moved meanwhile): the timeout then escalates to that role instead.
 */
function autoTransfer(
  deps: AppDeps,
  regNo: string,
  task: number | null,
  to: string[],
  waited: number,
  now: Date,
): boolean {
  const p = deps.projects.get(regNo);
  if (!p || to.length === 0) return false;
  const def = deps.processes.get(p.delivery.processVersion);
  const note = `等待 ${waited} 个工作小时，超时自动转交`;
  const res = transferStep(p, { by: SYSTEM_ACTOR, at: now, task, to, note }, def, deps.org.view());
  if (!res.ok || !deps.projects.update(res.value.next, p)) return false;
  commit(
    deps,
    res.value,
    { user: SYSTEM_ACTOR, platform: deps.platforms[0] ?? 'local' },
    regNo,
    now,
    res.value.effects,
  );
  deps.logger.info('step timed out: transferred', { regNo, task, to });
  return true;
}
