import { formatTime } from '../../cards/labels';
import { holdsRole } from '../domain/org';
import type { Actor, Outcome } from './commit';
import { buildReport, CACHE_MS, CYCLE_WINDOW_DAYS, type Report, ReportCache } from './console-report';
import type { AppDeps } from './deps';
import { sendToUser } from './effects';

/** Who may ask for /stats: the project director(s) and the org's admins. */
export const STATS_ROLES = ['project_director', 'admin'] as const;

/** One cache per query source (tests run many handoffs in one process), and the last report it gave. */
const caches = new WeakMap<object, Entry>();

/**
 * /stats: the console's headline numbers as one text message, for directors and admins only. The pipeline is
 * synchronous and the numbers come from the console's worker: a report younger than CACHE_MS is the answer at
 * once; otherwise the reply says it is on its way and the report follows as a message when the worker has it.
 */
export function statsOutcome(deps: AppDeps, actor: Actor): Outcome {
  const org = deps.org.view();
  if (!STATS_ROLES.some((r) => holdsRole(org, actor.user, r))) {
    return {
      ok: false,
      text: '只有项目总监和管理员可以查看统计（/stats）。如需查看，请联系管理员在组织文件中为你添加管理员角色。',
    };
  }
  if (!deps.console) return { ok: false, text: '统计暂不可用。' };
  const q = deps.console;
  let c = caches.get(q);
  if (!c) {
    c = { cache: new ReportCache(), last: null, running: null, waiters: new Set() };
    caches.set(q, c);
  }
  const now = deps.clock.now();
  if (c.last && now.getTime() - c.last.at.getTime() < CACHE_MS && now >= c.last.at) {
    return { ok: true, text: '', view: { type: 'text', text: statsText(c.last, deps.timeZone) } };
  }
  c.waiters.add(actor.user);
  c.running ??= report(deps, q, c);
  return { ok: true, text: '正在统计，结果稍后单独发给你（通常几秒钟）。' };
}

type Entry = { cache: ReportCache; last: Report | null; running: Promise<void> | null; waiters: Set<string> };

/** Builds the report off the pipeline and sends it to everyone who asked meanwhile, in one transaction. */
async function report(deps: AppDeps, q: NonNullable<AppDeps['console']>, c: Entry): Promise<void> {
  let text: string;
  try {
    c.last = await buildReport(deps, q, c.cache);
    text = statsText(c.last, deps.timeZone);
  } catch (e) {
    deps.logger.error('stats report failed', { error: e instanceof Error ? e.message : String(e) });
    text = '统计暂时无法生成，请稍后再发送 /stats，或到管理后台 /admin 查看。';
  }
  const to = [...c.waiters];
  c.waiters.clear();
  c.running = null;
  deps.tx(() => {
    for (const u of to) sendToUser(deps, u, { type: 'text', text }, deps.clock.now());
  });
  deps.afterCommit?.();
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
