import { waitingItems } from '../domain/around/waiting';
import { displayName, holdsRole, membersOf, type OrgView, type UserId, withDelegates } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import type { Project } from '../domain/project';
import { localDay } from '../shared/time';
import { itemLabel } from './around/activity';
import { sweepTimeouts } from './around/timeouts';
import { urge } from './around/urge';
import type { AppDeps } from './deps';
import { sendToUser } from './effects';
import type { Actor, Outcome } from './handle-intent';
import { stepName, taskNameOf } from './mine';
import type { OverdueCursor, OverdueDocument, WaitingCursor, WaitingRow } from './ports';

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

/** Rows per chunk of the sweep: each chunk is one short transaction, so card clicks never wait long behind it. */
const CHUNK = 200;

/** Overdue documents, chunk by chunk, as lines per recipient (owner; PM and director as days pass). */
function overdueByUser(deps: AppDeps, org: OrgView, now: Date, cfg: ReminderConfig): Map<UserId, string[]> {
  const byUser = new Map<UserId, string[]>();
  const directors = membersOf(org, 'project_director', null);
  let cursor: OverdueCursor | null = null;
  for (;;) {
    const after: OverdueCursor | null = cursor;
    const rows: OverdueDocument[] = deps.tx(() => deps.work.overdueDocuments(now, after, CHUNK));
    for (const r of rows) {
      const days = Math.floor((now.getTime() - r.due.getTime()) / DAY_MS);
      const recipients = new Set<UserId>([r.owner]);
      if (days >= cfg.escalatePmDays && r.pm) recipients.add(r.pm);
      if (days >= cfg.escalateDirectorDays) for (const u of directors) recipients.add(u);
      const name = deps.processes.get(r.processVersion).documents.find((d) => d.no === r.docNo)?.name ?? r.docNo;
      const text = `${r.regNo} ${r.name} —《${name}》已逾期 ${days} 天（负责人 ${displayName(org, r.owner)}）`;
      for (const u of recipients) byUser.set(u, [...(byUser.get(u) ?? []), text]);
    }
    const last = rows.at(-1);
    if (!last || rows.length < CHUNK) break;
    cursor = { dueAt: last.due.getTime(), regNo: last.regNo, docNo: last.docNo };
  }
  return byUser;
}

/**
 * The scheduled sweep. Reads what is due from SQLite in keyset-paginated chunks (indexed queries, never whole
 * projects) and records what it sent under unique keys in the same short transaction as the message: at most one
 * document reminder per person per day and one nudge per step, person and day, across restarts and overlapping ticks.
 * Must NOT run inside `deps.tx`: it opens one transaction per chunk.
 */
export function remindOverdue(deps: AppDeps, now: Date): { reminders: number; nudges: number } {
  const org = deps.org.view();
  const cfg = deps.reminderConfig;
  const day = localDay(now, deps.timeZone);
  let reminders = 0;
  const users = [...overdueByUser(deps, org, now, cfg)];
  for (let i = 0; i < users.length; i += CHUNK) {
    reminders += deps.tx(() => {
      let sent = 0;
      for (const [user, lines] of users.slice(i, i + CHUNK)) {
        if (!deps.reminders.claim(`docs:${user}:${day}`, user, null, 'docs', now)) continue;
        sendToUser(deps, user, { type: 'reminder', title: '验收资料逾期提醒', lines }, now);
        sent++;
      }
      return sent;
    });
  }

  let nudges = 0;
  const before = new Date(now.getTime() - cfg.approvalSlaHours * HOUR_MS);
  let cursor: WaitingCursor | null = null;
  for (;;) {
    const after: WaitingCursor | null = cursor;
    const rows: (WaitingRow & { cursor: WaitingCursor })[] = deps.tx(() => {
      const chunk = deps.work.waitingSince(before, after, CHUNK);
      for (const w of chunk) nudges += nudge(deps, org, w, now, day);
      return chunk;
    });
    const last = rows.at(-1);
    if (!last || rows.length < CHUNK) break;
    cursor = last.cursor;
  }
  // Step timeouts of the process definition: an escalation is a nudge to the named role.
  nudges += sweepTimeouts(deps, now);
  return { reminders, nudges };
}

/** One waiting step or task: each holder is nudged once a day; from the second day on the nudge is urgent. */
function nudge(deps: AppDeps, org: OrgView, w: WaitingRow, now: Date, day: string): number {
  const def = deps.processes.get(w.processVersion);
  // Held steps and tasks name their holders; a delegation running now sends the nudge to the delegate.
  const holders = withDelegates(org, w.holders.length ? w.holders : w.role ? membersOf(org, w.role, w.region) : []);
  const label =
    w.kind === 'step'
      ? stepName(def, w.projectKind, w.what, w.region, org)
      : taskNameOf(def, {
          kind: w.projectKind,
          what: w.what,
          subflowKind: w.subflowKind,
          subflowTitle: null,
          subflowNo: w.subflowNo,
        });
  const key = w.kind === 'step' ? `step:${w.what}:${w.since.getTime()}` : `task:${w.no}`;
  const hours = Math.floor((now.getTime() - w.since.getTime()) / HOUR_MS);
  let sent = 0;
  for (const user of holders) {
    const prefix = `nudge:${w.regNo}:${key}:${user}:`;
    if (!deps.reminders.claim(`${prefix}${day}`, user, w.regNo, 'nudge', now)) continue;
    const urgent = deps.reminders.countPrefix(prefix) >= 2;
    const banner = `催办：「${label}」已等待 ${hours} 小时，请尽快处理。`;
    sendToUser(deps, user, { type: 'project', regNo: w.regNo, banner }, now, { urgent });
    sent++;
  }
  return sent;
}

/** `/remind <regNo>`: the project's PM (or director) nudges everyone with overdue documents or waiting work now. */
export function remindNow(deps: AppDeps, p: Project, actor: Actor, now: Date): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const allowed = p.delivery.team.pm === actor.user || holdsRole(org, actor.user, 'project_director');
  // The submitter's 催办 is an urge of the current holders, once per step per day.
  if (!allowed && p.submitter === actor.user) return urge(deps, p, actor, now);
  if (!allowed) return { ok: false, text: '只有该项目的登记人、区域项目经理或项目总监可以催办。', regNo: p.regNo };
  const stamp = now.getTime();
  const docReminders = sendLines(
    deps,
    overdueLines(p, def, org, now, deps.reminderConfig, false),
    (u) => `manual:docs:${p.regNo}:${u}:${stamp}`,
    now,
  );
  let nudges = 0;
  for (const item of waitingItems(p, def, org)) {
    const w = { key: item.key, label: itemLabel(p, def, org, item) };
    for (const user of item.holders) {
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
