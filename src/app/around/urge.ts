import { mayUrge, urgeKey } from '../../domain/around/urge';
import { waitingItems } from '../../domain/around/waiting';
import { displayName } from '../../domain/org';
import type { Project } from '../../domain/project';
import { localDay } from '../../shared/time';
import type { Actor, Outcome } from '../commit';
import type { AppDeps } from '../deps';
import { sendToUser } from '../effects';
import { appendActivity, itemLabel, namesOf, refreshCards } from './activity';

/**
 * `/urge <regNo>` (催促; the submitter's /催办): the submitter urges the holders of every step the project waits on.
 * At most once per step per day (TIMEZONE), recorded under a unique key in the reminders table in the same
 * transaction as the messages, so a double click or a redelivery never urges twice. Audit-logged.
 */
export function urge(deps: AppDeps, p: Project, actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  if (!mayUrge(p, actor.user)) {
    return {
      ok: false,
      text: `只有 ${p.regNo} 的登记人可以催促处理人（区域项目经理、项目总监请用 /remind ${p.regNo}）。`,
      regNo: p.regNo,
    };
  }
  const items = waitingItems(p, def, org).filter((w) => w.holders.length > 0);
  if (!items.length) return { ok: false, text: `${p.regNo} 目前没有等待处理的步骤，无需催办。`, regNo: p.regNo };
  const day = localDay(at, deps.timeZone);
  const by = displayName(org, actor.user);
  const sent: string[] = [];
  const already: string[] = [];
  for (const w of items) {
    const label = itemLabel(p, def, org, w);
    if (!deps.reminders.claim(urgeKey(p.regNo, w, day), actor.user, p.regNo, 'urge', at)) {
      already.push(`「${label}」`);
      continue;
    }
    const banner = `催办：登记人 ${by} 催促你尽快处理「${label}」。`;
    for (const u of w.holders) sendToUser(deps, u, { type: 'project', regNo: p.regNo, banner }, at);
    sent.push(`「${label}」（${namesOf(org, w.holders)}）`);
  }
  if (!sent.length) {
    return {
      ok: false,
      text: `今天已经催办过${already.join('')}，每个步骤每天只能催办一次，请明天再试。`,
      regNo: p.regNo,
    };
  }
  appendActivity(deps, p, 'urge', actor, at, sent.join('、'));
  refreshCards(deps, p, at, actor.answering);
  const rest = already.length ? `${already.join('')}今天已催办过，未重复发送。` : '';
  return { ok: true, text: `已催办${sent.join('、')}。${rest}`, regNo: p.regNo };
}
