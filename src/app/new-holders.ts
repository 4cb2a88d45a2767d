import { stepLabel, taskName } from '../../cards/labels';
import type { OrgView, UserId } from '../domain/org';
import { holdersOfTask } from '../domain/process/holders';
import { currentStep } from '../domain/project';
import { approversOf } from '../domain/routing';
import type { AppDeps } from './deps';
import { sendToUser, tellAdminsNobodyDecides } from './effects';
import type { WaitingCursor } from './ports';

const PAGE = 200;
const FAR_FUTURE = new Date(8.64e15);

/**
 * After the organisation changed (live reload), everyone who now holds a waiting approval step or open task and did
 * not hold it before gets its card — the same card a newly opened step sends. People who left simply stop seeing
 * their steps act (holders are resolved from the current org when they act); a step the new file leaves to nobody is
 * reported to the admins. Reads the waiting work in pages and
 * writes each project's cards in its own short transaction; returns how many cards were queued.
 */
export function notifyNewHolders(deps: AppDeps, before: OrgView): number {
  const after = deps.org.view();
  const seen = new Set<string>();
  let cursor: WaitingCursor | null = null;
  let queued = 0;
  for (;;) {
    const rows = deps.work.waitingSince(FAR_FUTURE, cursor, PAGE);
    for (const r of rows) {
      if (seen.has(r.regNo)) continue;
      seen.add(r.regNo);
      queued += deps.tx(() => notifyProject(deps, r.regNo, before, after));
    }
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) break;
    cursor = last.cursor;
  }
  return queued;
}

function notifyProject(deps: AppDeps, regNo: string, before: OrgView, after: OrgView): number {
  const p = deps.projects.get(regNo);
  if (!p) return 0;
  const def = deps.processes.get(p.delivery.processVersion);
  const at = deps.clock.now();
  let queued = 0;
  const send = (users: UserId[], banner: string) => {
    for (const user of users) {
      sendToUser(deps, user, { type: 'project', regNo, banner }, at);
      queued++;
    }
  };
  const added = (old: UserId[], now: UserId[]) => now.filter((u) => !old.includes(u));
  const step = currentStep(p);
  if (step) {
    const was = approversOf(p, step, before, def);
    const now = approversOf(p, step, after, def);
    send(added(was, now), `请处理：${stepLabel(p, def, after)}`);
    // The new file leaves this step to nobody (e.g. only the registrant holds the role): only the admins can fix it.
    if (now.length === 0 && was.length > 0) tellAdminsNobodyDecides(deps, p, def, after, at);
  }
  for (const task of p.delivery.tasks) {
    if (task.state !== 'open') continue;
    send(added(holdersOfTask(task, before), holdersOfTask(task, after)), `请处理：${taskName(p, def, task)}`);
  }
  return queued;
}
