import { ADMIN_ROLE, displayName, holdsRole, type UserId } from '../domain/org';
import { endOfLocalDay, formatTime, localDay } from '../shared/time';
import type { Actor, Outcome } from './commit';
import type { AppDeps } from './deps';
import { enqueueEffects, sendToUser } from './effects';
import { mineItems } from './mine';
import { personIn } from './operation-intents';

const OFF = new Set(['off', '取消', '结束', '关闭', 'stop']);
const DAY_MS = 86_400_000;
const USAGE =
  '用法：/delegate <代理人> <开始日期> <结束日期>（如 /delegate 李主管 2026-12-01 2026-12-07）；/delegate off 结束；管理员为他人设置：/delegate <人员> <代理人> <开始> <结束>。';

/**
 * /delegate (代理): while a delegation runs, the delegate receives and decides the person's steps (OrgView.delegates);
 * the person keeps read-only copies. Set by the person, or by an admin for someone on leave; ends on time or on
 * demand. Inside the caller's transaction.
 */
export function handleDelegate(deps: AppDeps, args: string[], actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  const me = actor.user;
  const admin = holdsRole(org, me, ADMIN_ROLE);
  const name = (u: UserId) => displayName(org, u);
  const fmt = (d: Date) => formatTime(d, deps.timeZone);
  if (args.length === 0) {
    const d = deps.delegations.of(me, at);
    const forMe = Object.entries(org.delegates ?? {})
      .filter(([, to]) => to === me)
      .map(([u]) => name(u));
    const lines = [
      d ? `你的审批在 ${fmt(d.from)} 至 ${fmt(d.until)} 由 ${name(d.delegate)} 代理。` : '你目前没有设置代理。',
      ...(forMe.length ? [`你正在代理：${forMe.join('、')}。`] : []),
      USAGE,
    ];
    return { ok: true, text: lines.join('\n') };
  }
  if (OFF.has((args[0] ?? '').toLowerCase())) {
    const who = args[1] ? personIn(org, args[1]) : me;
    if (!who) return { ok: false, text: `组织名单中没有「${args[1]}」。` };
    if (who !== me && !admin) return { ok: false, text: '只有管理员可以结束他人的代理。' };
    const delegate = org.delegates?.[who];
    if (!deps.delegations.end(who, me, at)) return { ok: false, text: `${name(who)} 目前没有进行中或计划中的代理。` };
    refreshHeld(deps, [who, ...(delegate ? [delegate] : [])], at);
    deps.logger.info('delegation ended', { user: who, by: me });
    if (who !== me) sendToUser(deps, who, { type: 'text', text: `${name(me)} 已结束你的审批代理。` }, at);
    return { ok: true, text: who === me ? '已结束你的代理，之后的审批回到你这里。' : `已结束 ${name(who)} 的代理。` };
  }
  if (args.length !== 3 && args.length !== 4) return { ok: false, text: USAGE };
  const [personText, delegateText, fromText, toText] = args.length === 4 ? args : [me, ...args];
  const person = personIn(org, personText);
  const delegate = personIn(org, delegateText);
  if (!person) return { ok: false, text: `组织名单中没有「${personText}」。${USAGE}` };
  if (!delegate) return { ok: false, text: `组织名单中没有「${delegateText}」。${USAGE}` };
  if (person !== me && !admin) return { ok: false, text: '只有管理员可以为他人设置代理。' };
  if (person === delegate) return { ok: false, text: '代理人不能是本人。' };
  if (org.delegates?.[delegate]) {
    return { ok: false, text: `${name(delegate)} 自己正在由他人代理，不能再代理别人，请选择其他人。` };
  }
  const untilDay = endOfLocalDay(toText ?? '', deps.timeZone);
  const fromEnd = endOfLocalDay(fromText ?? '', deps.timeZone);
  if (!fromEnd || !untilDay) return { ok: false, text: `日期应为 YYYY-MM-DD 格式的真实日期。${USAGE}` };
  const from = new Date(fromEnd.getTime() - DAY_MS + 1000);
  if (untilDay.getTime() < from.getTime()) return { ok: false, text: '结束日期不能早于开始日期。' };
  if (untilDay.getTime() <= at.getTime()) return { ok: false, text: '结束日期已过，请写今天或以后的日期。' };
  const until = new Date(untilDay.getTime() + 1000);
  const start = from.getTime() < at.getTime() ? at : from;
  deps.delegations.set({ user: person, delegate, from: start, until, setBy: me }, at);
  deps.logger.info('delegation set', { user: person, delegate, by: me });
  const span = `${localDay(start, deps.timeZone)} 至 ${toText}`;
  sendToUser(
    deps,
    delegate,
    {
      type: 'text',
      text: `${span}，${name(person)} 的审批由你代理：期间的待办会发给你，由你代为处理（记录为“你 代 ${name(person)}”）。`,
    },
    at,
  );
  if (start === at) {
    sendToUser(deps, delegate, { type: 'mine' }, at);
    refreshHeld(deps, [delegate], at);
  }
  if (person !== me) {
    sendToUser(
      deps,
      person,
      { type: 'text', text: `${name(me)} 已设置：${span} 你的审批由 ${name(delegate)} 代理。` },
      at,
    );
  }
  return { ok: true, text: `已设置：${span} ${person === me ? '你' : name(person)}的审批由 ${name(delegate)} 代理。` };
}

/**
 * A delegation started or ended now: the live copies of the cards of everything these people hold are re-rendered,
 * so the person's buttons go (read-only while away) or come back, and the delegate's follow.
 */
function refreshHeld(deps: AppDeps, users: UserId[], at: Date): void {
  const regNos = new Set(users.flatMap((u) => mineItems(deps, u).map((i) => i.regNo)));
  for (const regNo of regNos) {
    const p = deps.projects.get(regNo);
    if (p) enqueueEffects(deps, p, [{ type: 'card.refresh', regNo }], at);
  }
}
