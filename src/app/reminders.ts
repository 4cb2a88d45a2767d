import { stepLabel, taskDefOf, taskName } from '../../cards/labels';
import { displayName, holdsRole, membersOf, type OrgView, type UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { holdersOfTask } from '../domain/process/holders';
import { openTasks } from '../domain/process/state';
import { currentStep, type Project } from '../domain/project';
import { approversOf } from '../domain/routing';
import { localDay } from '../shared/time';
import type { AppDeps } from './deps';
import { sendToUser } from './effects';
import type { Actor, Outcome } from './handle-intent';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ReminderConfig {
  /** Overdue documents escalate to the regional PM after this many days… */
  escalatePmDays: number;
  /** …and to the project director after this many. */
  escalateDirectorDays: number;
  /** An approval or task waiting longer than this is nudged (once a day; the second nudge is urgent). */
  approvalSlaHours: number;
}

export const DEFAULT_REMINDER_CONFIG: ReminderConfig = {
  escalatePmDays: 3,
  escalateDirectorDays: 7,
  approvalSlaHours: 24,
};

interface Line {
  user: UserId;
  text: string;
}

/** Overdue documents of one project, each line addressed to the owner and, escalating with time, PM and director. */
function overdueLines(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  now: Date,
  cfg: ReminderConfig,
  escalate: boolean,
): Line[] {
  if (p.state !== 'accepted') return [];
  const lines: Line[] = [];
  for (const doc of p.delivery.documents) {
    if (doc.link !== null || doc.due.getTime() > now.getTime()) continue;
    const days = Math.floor((now.getTime() - doc.due.getTime()) / DAY_MS);
    const recipients = new Set<UserId>([doc.owner]);
    const pm = p.delivery.team.pm;
    if (escalate && days >= cfg.escalatePmDays && pm) recipients.add(pm);
    if (escalate && days >= cfg.escalateDirectorDays)
      for (const u of membersOf(org, 'project_director', null)) recipients.add(u);
    const name = def.documents.find((d) => d.no === doc.no)?.name ?? String(doc.no);
    const text = `${p.regNo} ${p.facts.name} —《${name}》已逾期 ${days} 天（负责人 ${displayName(org, doc.owner)}）`;
    for (const user of recipients) lines.push({ user, text });
  }
  return lines;
}

/** Who holds what is waiting on a project, and since when (and the SLA a task overrides). */
function waiting(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
): { key: string; label: string; since: Date; holders: UserId[]; slaHours?: number }[] {
  const out: { key: string; label: string; since: Date; holders: UserId[]; slaHours?: number }[] = [];
  const step = currentStep(p);
  const since = p.history.at(-1)?.at;
  if (step && since) {
    out.push({
      key: `chain:${p.round}:${p.stepIndex}`,
      label: stepLabel(p, def, org),
      since,
      holders: approversOf(p, step, org, def),
    });
  }
  for (const t of openTasks(p.delivery)) {
    const sla = taskDefOf(p, def, t)?.slaHours;
    out.push({
      key: `task:${t.no}`,
      label: taskName(p, def, t),
      since: t.openedAt,
      holders: holdersOfTask(t, org),
      ...(sla !== undefined ? { slaHours: sla } : {}),
    });
  }
  return out;
}

function sendLines(deps: AppDeps, lines: Line[], keyOf: (user: UserId) => string, now: Date): number {
  const byUser = new Map<UserId, string[]>();
  for (const l of lines) byUser.set(l.user, [...(byUser.get(l.user) ?? []), l.text]);
  let sent = 0;
  for (const [user, texts] of byUser) {
    if (!deps.reminders.claim(keyOf(user), user, null, 'docs', now)) continue;
    sendToUser(deps, user, { type: 'reminder', title: '验收资料逾期提醒', lines: texts }, now);
    sent++;
  }
  return sent;
}

/**
 * The scheduled sweep. Reads what is due from SQLite and records what it sent under unique keys in the same
 * transaction: at most one document reminder per person per day and one nudge per step, person and day, across
 * restarts and overlapping ticks. Must run inside `deps.tx`.
 */
export function remindOverdue(deps: AppDeps, now: Date): { reminders: number; nudges: number } {
  const org = deps.org.view();
  const cfg = deps.reminderConfig;
  const day = localDay(now, deps.timeZone);
  const delivering = deps.projects.listDelivering();
  const defOf = (p: Project) => deps.processes.get(p.delivery.processVersion);
  const lines = delivering.flatMap((p) => overdueLines(p, defOf(p), org, now, cfg, true));
  const reminders = sendLines(deps, lines, (user) => `docs:${user}:${day}`, now);

  let nudges = 0;
  for (const p of [...deps.projects.listOpen(), ...delivering]) {
    for (const w of waiting(p, defOf(p), org)) {
      const hours = Math.floor((now.getTime() - w.since.getTime()) / HOUR_MS);
      if (hours < (w.slaHours ?? cfg.approvalSlaHours)) continue;
      for (const user of w.holders) {
        const prefix = `nudge:${p.regNo}:${w.key}:${user}:`;
        if (!deps.reminders.claim(`${prefix}${day}`, user, p.regNo, 'nudge', now)) continue;
        const urgent = deps.reminders.countPrefix(prefix) >= 2;
        const banner = `催办：「${w.label}」已等待 ${hours} 小时，请尽快处理。`;
        sendToUser(deps, user, { type: 'project', regNo: p.regNo, banner }, now, { urgent });
        nudges++;
      }
    }
  }
  return { reminders, nudges };
}

/** `/remind <regNo>`: the project's PM (or director) nudges everyone with overdue documents or waiting work now. */
export function remindNow(deps: AppDeps, p: Project, actor: Actor, now: Date): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const allowed = p.delivery.team.pm === actor.user || holdsRole(org, actor.user, 'project_director');
  if (!allowed) return { ok: false, text: '只有该项目的区域项目经理或项目总监可以催办。', regNo: p.regNo };
  const stamp = now.getTime();
  const docReminders = sendLines(
    deps,
    overdueLines(p, def, org, now, deps.reminderConfig, false),
    (u) => `manual:docs:${p.regNo}:${u}:${stamp}`,
    now,
  );
  let nudges = 0;
  for (const w of waiting(p, def, org)) {
    for (const user of w.holders) {
      if (!deps.reminders.claim(`manual:${p.regNo}:${w.key}:${user}:${stamp}`, user, p.regNo, 'nudge', now)) continue;
      sendToUser(
        deps,
        user,
        { type: 'project', regNo: p.regNo, banner: `${displayName(org, actor.user)} 催办：「${w.label}」请尽快处理。` },
        now,
      );
      nudges++;
    }
  }
  const total = docReminders + nudges;
  return {
    ok: true,
    text: total
      ? `已催办：${docReminders} 人的逾期资料提醒，${nudges} 条待办提醒。`
      : `${p.regNo} 目前没有逾期资料或待处理事项。`,
    regNo: p.regNo,
  };
}
