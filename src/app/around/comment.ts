import { currentHolders, isInvolved } from '../../domain/around/involvement';
import { displayName } from '../../domain/org';
import type { Project } from '../../domain/project';
import type { Actor, Outcome } from '../commit';
import type { AppDeps } from '../deps';
import { sendToUser } from '../effects';
import { appendActivity, namesOf, refreshCards } from './activity';

/**
 * `/comment <regNo> <text>` (评论): anyone involved in the project adds a comment. It is an audit line (append-only)
 * shown in every card's history and in /status; the current holders get the card with the comment on top. The
 * text stays literal text everywhere (cards escape it per platform).
 */
export function comment(deps: AppDeps, p: Project, text: string, actor: Actor, at: Date): Outcome {
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  if (!isInvolved(p, actor.user, def, org, deps.activity.copied(p.regNo))) {
    appendActivity(deps, p, 'denied', actor, at, 'attempted comment');
    return {
      ok: false,
      text: `只有参与 ${p.regNo} 的人（登记人、处理过或正在处理的人、抄送人）可以评论。如需参与，请让当前处理人用 /cc 抄送给你。`,
      regNo: p.regNo,
    };
  }
  appendActivity(deps, p, 'comment', actor, at, text);
  refreshCards(deps, p, at, actor.answering);
  const by = displayName(org, actor.user);
  const holders = currentHolders(p, def, org).filter((u) => u !== actor.user);
  for (const u of holders) sendToUser(deps, u, { type: 'project', regNo: p.regNo, banner: `评论：${by}：${text}` }, at);
  return {
    ok: true,
    text: holders.length
      ? `已评论 ${p.regNo}，已通知当前处理人 ${namesOf(org, holders)}。`
      : `已评论 ${p.regNo}，已写入流程记录。`,
    regNo: p.regNo,
  };
}
