import { currentHolders } from '../../domain/around/involvement';
import { waitingItems } from '../../domain/around/waiting';
import { displayName } from '../../domain/org';
import { resolvePerson } from '../../domain/process/forms';
import type { Project } from '../../domain/project';
import type { Actor, Outcome } from '../commit';
import type { AppDeps } from '../deps';
import { sendToUser } from '../effects';
import { appendActivity, refreshCards } from './activity';

/** The banner of a copied person's card: the card is read-only and updates in place. */
export const CC_NOTE = '（抄送，只读：项目的进展会在这张卡片上更新）';

/**
 * `/cc <regNo> <person>` (抄送): a holder of what the project waits on copies a colleague, who receives the project
 * card, read-only; it updates in place with every later change, and they may comment. Audit-logged.
 */
export function ccByHolder(deps: AppDeps, p: Project, person: string, actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const items = waitingItems(p, def, org);
  if (!items.some((w) => w.holders.includes(actor.user))) {
    const why = items.length ? '只有当前处理人可以抄送此项目' : `${p.regNo} 目前没有等待处理的步骤，不能抄送`;
    return { ok: false, text: `${why}。发送 /status ${p.regNo} 查看进度。`, regNo: p.regNo };
  }
  const target = resolvePerson(org, person.replace(/^@/, ''), undefined);
  if (!target) {
    return {
      ok: false,
      text: `找不到「${person.slice(0, 40)}」：请写组织名单中的姓名或账号（如 /cc ${p.regNo} 周经理），或 @ 对方。`,
      regNo: p.regNo,
    };
  }
  const name = displayName(org, target);
  if (target === actor.user) return { ok: false, text: '不能抄送给自己。', regNo: p.regNo };
  if (currentHolders(p, def, org).includes(target))
    return { ok: false, text: `${name} 正在处理此项目，已经有项目卡片，无需抄送。`, regNo: p.regNo };
  if (!deps.activity.addCopy(p.regNo, target, actor.user, at))
    return { ok: false, text: `${name} 已在 ${p.regNo} 的抄送名单中。`, regNo: p.regNo };
  appendActivity(deps, p, 'cc', actor, at, name);
  const by = displayName(org, actor.user);
  sendToUser(deps, target, { type: 'project', regNo: p.regNo, banner: `抄送：${by} 把此项目抄送给你${CC_NOTE}` }, at);
  refreshCards(deps, p, at, actor.answering);
  return { ok: true, text: `已抄送给 ${name}，对方会收到只读的项目卡片，之后的进展会在卡片上更新。`, regNo: p.regNo };
}
