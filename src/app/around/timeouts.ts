import { roleName } from '../../../cards/labels';
import { dueTimeouts, SYSTEM_ACTOR, shortestTimeout, timeoutKey } from '../../domain/around/timeouts';
import { waitingItems } from '../../domain/around/waiting';
import { transferStep } from '../../domain/operations';
import { membersOf } from '../../domain/org';
import { roleRegion } from '../../domain/process/holders';
import { workingHoursBetween } from '../../shared/working-hours';
import { commit, StaleVersionError } from '../commit';
import type { AppDeps } from '../deps';
import { sendToUser } from '../effects';
import type { WaitingCursor, WaitingRow } from '../ports';
import { appendActivity, itemLabel, namesOf, refreshCards } from './activity';

const HOUR_MS = 3_600_000;
const CHUNK = 200;

/**
 * Step timeouts (`timeout: { hours, escalate | transfer }` in the process file): a step waiting longer than its
 * working hours times out once (a unique key per step). `escalate`: the members of the named role receive the
 * project card with what waits, who holds it and for how long (an audit line by 系统). `transfer`: the step is
 * handed to that role's members through the transfer operation (audited as 系统 转交; they get the card to decide,
 * the old holders' copies show it moved); when the transfer is refused it escalates instead. Walks the waiting steps
 * in the same keyset-paginated chunks as the nudges (one short transaction each). Must NOT run inside `deps.tx`.
 * Returns how many people were notified or received the step.
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
  const platform = deps.platforms[0] ?? 'local';
  const system = { user: SYSTEM_ACTOR, platform, name: '系统' } as const;
  let current = p;
  for (const { item, timeout, waited } of due) {
    const role = timeout.transfer ?? timeout.escalate ?? '';
    const to = membersOf(org, role, roleRegion(def, role, p)).filter((u) => !item.holders.includes(u));
    if (!deps.reminders.claim(timeoutKey(p.regNo, item), SYSTEM_ACTOR, p.regNo, 'timeout', now)) continue;
    const label = itemLabel(current, def, org, item);
    const holders = item.holders.length ? namesOf(org, item.holders) : '（无人）';
    const task = item.task?.no ?? null;
    if (timeout.transfer && to.length) {
      // Auto-transfer: the step goes to the role's members through the transfer operation (audited as 系统 转交).
      const note = `「${label}」等待 ${waited} 个工作小时（超过 ${timeout.hours} 小时），自动转交`;
      const res = transferStep(current, { by: SYSTEM_ACTOR, at: now, task, to, note }, def, org);
      if (res.ok) {
        if (!deps.projects.update(res.value.next, current)) throw new StaleVersionError(p.regNo);
        commit(deps, res.value, system, p.regNo, now, res.value.effects);
        current = res.value.next;
        sent += to.length;
        deps.logger.info('step timed out: transferred', { regNo: p.regNo, step: item.key, role, to: to.length });
        continue;
      }
      deps.logger.warn('timeout transfer refused; escalating instead', { regNo: p.regNo, code: res.error.code });
    }
    const banner = `超时升级：「${label}」已等待 ${waited} 个工作小时（超过 ${timeout.hours} 小时），处理人 ${holders}，请督办。`;
    for (const u of to) sendToUser(deps, u, { type: 'project', regNo: p.regNo, banner }, now);
    sent += to.length;
    const reason = `「${label}」等待 ${waited} 个工作小时，已通知${roleName(def, role)} ${namesOf(org, to) || '（无人）'}`;
    appendActivity(deps, current, 'escalate', system, now, reason, task);
    deps.logger.info('step timed out', { regNo: p.regNo, step: item.key, role, notified: to.length });
  }
  if (due.length) refreshCards(deps, current, now);
  return sent;
}
