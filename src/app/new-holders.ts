import { noHolderText, noTaskHolderText, stepLabel, taskName } from '../../cards/labels';
import { membersOf, type OrgView, type UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { holdersOfTask } from '../domain/process/holders';
import { currentStep, type Project } from '../domain/project';
import { approversOf } from '../domain/routing';
import type { Platform } from '../platforms/types';
import type { AppDeps } from './deps';
import { sendToUser, tellAdmins } from './effects';
import type { WaitingCursor, WaitingRow } from './ports';

const PAGE = 200;
const FAR_FUTURE = new Date(8.64e15);

/** One waiting item of a project: who holds it under a given org, and the banner of its card. */
interface Waiting {
  kind: 'step' | 'task';
  holders: (org: OrgView) => UserId[];
  banner: string;
  /** For the admins, when nobody holds it under `org`: which item, and why. */
  nobody: (org: OrgView) => string;
}

/**
 * After the organisation changed (live reload), everyone who now holds a waiting approval step or open task and did
 * not hold it before gets its card — the same card a newly opened step sends. People who left simply stop seeing
 * their steps act (holders are resolved from the current org when they act); a step the new file leaves to nobody is
 * reported to the admins. Returns how many cards were queued.
 */
export function notifyNewHolders(deps: AppDeps, before: OrgView): number {
  const after = deps.org.view();
  return sweepWaiting(
    deps,
    (row) => !sameSet(heldBy(row, before), heldBy(row, after)),
    (p, _def, waiting, at) => {
      let queued = 0;
      for (const w of waiting) {
        const was = w.holders(before);
        const now = w.holders(after);
        queued += send(
          deps,
          p,
          w,
          now.filter((u) => !was.includes(u)),
          at,
          null,
        );
        // The new file leaves this item to nobody (e.g. only the registrant holds the role): only the admins can fix it.
        if (now.length === 0 && was.length > 0) tellAdmins(deps, `${w.nobody(after)}。`, at);
      }
      return queued;
    },
  );
}

/**
 * After the directory found platform ids for people (`reachable`: user → the platforms newly found), each of them
 * gets, on those platforms only, the cards of the waiting work they hold — they were not reachable there when it
 * opened. Returns how many cards were queued.
 */
export function notifyNewlyReachable(deps: AppDeps, reachable: ReadonlyMap<UserId, readonly Platform[]>): number {
  if (reachable.size === 0) return 0;
  const org = deps.org.view();
  return sweepWaiting(
    deps,
    (row) => heldBy(row, org).some((u) => reachable.has(u)),
    (p, _def, waiting, at) => {
      let queued = 0;
      for (const w of waiting) {
        queued += send(
          deps,
          p,
          w,
          w.holders(org).filter((u) => reachable.has(u)),
          at,
          reachable,
        );
      }
      return queued;
    },
  );
}

function send(
  deps: AppDeps,
  p: Project,
  w: Waiting,
  users: UserId[],
  at: Date,
  only: ReadonlyMap<UserId, readonly Platform[]> | null,
): number {
  for (const user of users) {
    const platforms = only?.get(user);
    sendToUser(deps, user, { type: 'project', regNo: p.regNo, banner: w.banner }, at, platforms ? { platforms } : {});
  }
  return users.length;
}

/** Who holds a waiting row under `org`, from the row alone (named holders, else the role's members): a cheap
 * filter so that only projects whose holders can have changed are loaded. */
const heldBy = (row: WaitingRow, org: OrgView): UserId[] =>
  row.holders.length ? row.holders : row.role ? membersOf(org, row.role, row.region) : [];

const sameSet = (a: UserId[], b: UserId[]) => a.length === b.length && a.every((u) => b.includes(u));

/**
 * Reads the waiting work in pages and hands each project with a `relevant` row, in its own short transaction, to
 * `visit` with its waiting steps and tasks; returns the sum of what `visit` returns (cards queued).
 */
function sweepWaiting(
  deps: AppDeps,
  relevant: (row: WaitingRow) => boolean,
  visit: (p: Project, def: ProcessDefinition, waiting: Waiting[], at: Date) => number,
): number {
  const seen = new Set<string>();
  let cursor: WaitingCursor | null = null;
  let queued = 0;
  for (;;) {
    const rows = deps.work.waitingSince(FAR_FUTURE, cursor, PAGE);
    for (const r of rows) {
      if (seen.has(r.regNo) || !relevant(r)) continue;
      seen.add(r.regNo);
      queued += deps.tx(() => {
        const p = deps.projects.get(r.regNo);
        if (!p) return 0;
        const def = deps.processes.get(p.delivery.processVersion);
        return visit(p, def, waitingOf(p, def, deps.org.view()), deps.clock.now());
      });
    }
    const last = rows.at(-1);
    if (!last || rows.length < PAGE) break;
    cursor = last.cursor;
  }
  return queued;
}

const itemOf = (p: Project, label: string): string => `项目「${p.facts.name}」（${p.regNo}）的「${label}」`;

function waitingOf(p: Project, def: ProcessDefinition, org: OrgView): Waiting[] {
  const out: Waiting[] = [];
  const step = currentStep(p);
  if (step) {
    out.push({
      kind: 'step',
      holders: (o) => approversOf(p, step, o, def),
      banner: `请处理：${stepLabel(p, def, org)}`,
      nobody: (o) => `${itemOf(p, stepLabel(p, def, o))}${noHolderText(p, step, o, def)}`,
    });
  }
  for (const task of p.delivery.tasks) {
    if (task.state !== 'open') continue;
    out.push({
      kind: 'task',
      holders: (o) => holdersOfTask(task, o),
      banner: `请处理：${taskName(p, def, task)}`,
      nobody: (o) => `${itemOf(p, taskName(p, def, task))}${noTaskHolderText(task, o, def)}`,
    });
  }
  return out;
}

/** Who is reachable on which platform now (to compare before and after a directory pass). */
export function reachOf(deps: AppDeps, users: readonly UserId[]): Map<UserId, Set<Platform>> {
  return new Map(users.map((u) => [u, new Set(deps.org.identitiesOf(u).map((i) => i.platform))]));
}

/** The platforms each user is reachable on now and was not in `before`. */
export function reachGained(deps: AppDeps, before: ReadonlyMap<UserId, Set<Platform>>): Map<UserId, Platform[]> {
  const gained = new Map<UserId, Platform[]>();
  for (const [user, was] of before) {
    const now = [...(reachOf(deps, [user]).get(user) ?? [])].filter((p) => !was.has(p));
    if (now.length) gained.set(user, now);
  }
  return gained;
}
