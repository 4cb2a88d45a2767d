import { formatTime } from '../../cards/labels';
import { holdsRole } from '../domain/org';
import type { Actor, Outcome } from './commit';
import { buildReport, CYCLE_WINDOW_DAYS, type Report, ReportCache } from './console-report';
import type { AppDeps } from './deps';

/** Who may ask for /stats: the project director(s) and the org's admins. */
export const STATS_ROLES = ['project_director', 'admin'] as const;

/** One cache per query source (tests run many handoffs in one process). */
const caches = new WeakMap<object, ReportCache>();

/** /stats: the console's headline numbers as one text message, for directors and admins only. */
export function statsOutcome(deps: AppDeps, actor: Actor): Outcome {
  const org = deps.org.view();
  if (!STATS_ROLES.some((r) => holdsRole(org, actor.user, r))) {
    return {
      ok: false,
      text: '只有项目总监和管理员可以查看统计（/stats）。如需查看，请联系管理员在组织文件中为你添加管理员角色。',
    };
  }
  if (!deps.console) return { ok: false, text: '统计暂不可用。' };
  let cache = caches.get(deps.console);
  if (!cache) {
    cache = new ReportCache();
    caches.set(deps.console, cache);
  }
  const text = statsText(buildReport(deps, deps.console, cache), deps.timeZone);
  return { ok: true, text: '', view: { type: 'text', text } };
}

const top = <T>(xs: T[], n: number) => xs.slice(0, n);

export function statsText(r: Report, timeZone: string): string {
  const t = r.totals;
  const lines = [
    `📊 项目统计（截至 ${formatTime(r.at, timeZone)}）`,
    `• 项目：审批中 ${t.in_approval} · 实施中 ${t.accepted} · 已完成移交 ${t.closed} · 已驳回 ${t.rejected} · 已撤回 ${t.withdrawn}`,
  ];
  const busy = top(
    r.stages.filter((s) => s.state === 'in_approval' || s.state === 'accepted'),
    5,
  );
  if (busy.length)
    lines.push(`• 当前阶段（前 ${busy.length}）：${busy.map((s) => `${s.label} ${s.project + s.saas}`).join('；')}`);
  if (r.overdue.total) {
    const regions = r.overdue.byRegion.map((x) => `${x.label} ${x.n}`).join(' · ');
    const owners = top(r.overdue.byOwner, 3)
      .map((x) => `${x.label} ${x.n}`)
      .join('、');
    lines.push(`• 逾期验收资料 ${r.overdue.total} 项（${regions}）；最多：${owners}`);
  } else {
    lines.push('• 逾期验收资料：无');
  }
  const slow = top(r.cycle.stage, 3);
  if (slow.length)
    lines.push(
      `• 近 ${CYCLE_WINDOW_DAYS} 天最慢的环节（平均）：${slow.map((s) => `${s.label} ${s.days} 天`).join('；')}`,
    );
  const approval = top(r.cycle.approval, 3);
  if (approval.length) lines.push(`• 审批步骤平均用时：${approval.map((s) => `${s.label} ${s.days} 天`).join('；')}`);
  lines.push('详细图表与导出见管理后台 /admin。');
  return lines.join('\n');
}
