import { STATE_LABELS, taskNameById } from '../../../cards/labels';
import type { AuditRow, ConsoleReader, HeldRow, WorkFilter, WorkSort } from '../../app/console-ports';
import {
  buildOverview,
  CYCLE_WINDOW_DAYS,
  cycleReport,
  overdueReport,
  type ReportCache,
} from '../../app/console-report';
import type { AppDeps } from '../../app/deps';
import { membershipsOf, stepName } from '../../app/mine';
import { displayName, membersOf, type OrgView, regionName, type UserId } from '../../domain/org';
import type { ProcessDefinition } from '../../domain/process/definition';
import type { ProjectState } from '../../domain/project';
import { formatTime } from '../../shared/time';
import { EXPORTS } from './export';
import { type Cell, DAY_MS, daysSince, esc, jsonBlock, table } from './html';

/** The bodies of the console's pages (server-rendered; charts are ECharts options in a JSON block). */
export interface PageCtx {
  deps: AppDeps;
  q: ConsoleReader;
  cache: ReportCache;
}

export const PAGE_SIZE = 50;
const time = (ctx: PageCtx, t: number | null | undefined) =>
  t === null || t === undefined ? '' : formatTime(new Date(t), ctx.deps.timeZone);
const projectLink = (regNo: string): Cell => ({ text: regNo, href: `/admin/projects/${encodeURIComponent(regNo)}` });

function chart(id: string, height = 360): string {
  return `<div class="chart" data-chart="${esc(id)}" data-testid="chart-${esc(id)}" style="height:${height}px"></div>`;
}

const bar = (title: string, labels: string[], series: { name: string; data: number[] }[], unit = '') => ({
  title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
  tooltip: { trigger: 'axis' },
  legend: series.length > 1 ? { bottom: 0 } : undefined,
  grid: { left: 8, right: 24, top: 40, bottom: series.length > 1 ? 32 : 8, containLabel: true },
  xAxis: { type: 'value', axisLabel: { formatter: `{value}${unit}` } },
  yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { width: 260, overflow: 'truncate' } },
  series: series.map((s) => ({ type: 'bar', stack: 'total', name: s.name, data: s.data })),
  animation: false,
});

export async function overviewPage(ctx: PageCtx): Promise<{ body: string }> {
  const r = await buildOverview(ctx.deps, ctx.q);
  const totals = (['in_approval', 'accepted', 'closed', 'rejected', 'withdrawn'] as ProjectState[])
    .map(
      (s) =>
        `<div class="stat" data-testid="total-${s}"><span>${esc(STATE_LABELS[s])}</span><b>${r.totals[s]}</b></div>`,
    )
    .join('');
  const stages = r.stages;
  const options = {
    stages: bar(
      '各阶段项目数（按类型）',
      stages.map((s) => s.label),
      [
        { name: '项目类', data: stages.map((s) => s.project) },
        { name: 'SaaS 类', data: stages.map((s) => s.saas) },
      ],
      '个',
    ),
  };
  const body = `<section class="stats">${totals}</section>
<form method="get" action="/admin/project" class="filters"><label>查看项目 <input name="regNo" placeholder="HO-2026-000001" required></label><button>打开时间线</button></form>
${chart('stages', Math.max(300, stages.length * 28 + 80))}
${table(
  ['阶段', '项目类', 'SaaS 类', '合计'],
  stages.map((s) => [s.label, s.project, s.saas, s.project + s.saas]),
  { testid: 'stages-table' },
)}
<p class="note">实施中的项目按主流程中正在进行的任务计入阶段（并行任务各计一次）。</p>
${jsonBlock('charts', options)}`;
  return { body };
}

export interface WorkQuery {
  region: string;
  role: string;
  person: string;
  sort: WorkSort;
  page: number;
}

const SORT_KEYS: WorkSort[] = ['since', '-since', 'reg_no', 'role'];
export const parseSort = (s: string | undefined): WorkSort =>
  SORT_KEYS.includes(s as WorkSort) ? (s as WorkSort) : 'since';

function heldWhat(ctx: PageCtx, org: OrgView, r: HeldRow): string {
  const def = ctx.deps.processes.get(r.processVersion);
  if (r.k === 'step') return stepName(def, r.kind, r.role ?? '', r.region === '*' ? null : r.region, org);
  if (r.subflowNo !== null) {
    const step = def.subflows.flatMap((s) => s.steps).find((s) => s.id === r.defId);
    return `${step?.name ?? r.defId}（子流程 #${r.subflowNo}）`;
  }
  return taskNameById(def, r.kind, r.defId ?? '', null);
}

/** Who holds the row, less whom no self-approval bars (the submitter of a step under `no_self_approval`). */
export function holderIds(org: OrgView, r: HeldRow, def: Pick<ProcessDefinition, 'noSelfApproval'>): UserId[] {
  const ids = r.holders.length ? r.holders : membersOf(org, r.role ?? '', r.region === '*' ? null : r.region);
  const barred = r.k === 'task' || def.noSelfApproval ? r.excluded : null;
  return barred ? ids.filter((u) => u !== barred) : ids;
}

function holders(ctx: PageCtx, org: OrgView, r: HeldRow): string {
  const ids = holderIds(org, r, ctx.deps.processes.get(r.processVersion));
  return ids.map((u) => displayName(org, u)).join('、') || '（无人）';
}

/** Process versions a project may be approved by its own submitter in (their definition lacks no_self_approval). */
function selfApprovalVersions(ctx: PageCtx): number[] {
  const out: number[] = [];
  for (let v = 1; v <= ctx.deps.processes.current().version; v++) {
    try {
      if (!ctx.deps.processes.get(v).noSelfApproval) out.push(v);
    } catch {
      // a version number no project uses
    }
  }
  return out;
}

export async function workPage(ctx: PageCtx, wq: WorkQuery): Promise<{ body: string }> {
  const org = ctx.deps.org.view();
  const def = ctx.deps.processes.current().def;
  const now = ctx.deps.clock.now().getTime();
  const filter: WorkFilter = {};
  if (wq.region) filter.region = wq.region;
  if (wq.role) filter.role = wq.role;
  if (wq.person && org.users[wq.person]) {
    filter.person = {
      user: wq.person,
      memberships: membershipsOf(org, wq.person, def),
      selfApprovalVersions: selfApprovalVersions(ctx),
    };
  }
  const { rows, total } = await ctx.q.held(filter, wq.sort, PAGE_SIZE, (wq.page - 1) * PAGE_SIZE);
  const roles = [...new Set([...Object.keys(def.roles), ...Object.keys(org.members)])];
  const opt = (value: string, label: string, current: string) =>
    `<option value="${esc(value)}"${value === current ? ' selected' : ''}>${esc(label)}</option>`;
  const q = (over: Partial<WorkQuery>) => {
    const m = { ...wq, ...over };
    const p = new URLSearchParams();
    if (m.region) p.set('region', m.region);
    if (m.role) p.set('role', m.role);
    if (m.person) p.set('person', m.person);
    if (m.sort !== 'since') p.set('sort', m.sort);
    if (m.page > 1) p.set('page', String(m.page));
    const s = p.toString();
    return `/admin/work${s ? `?${s}` : ''}`;
  };
  const sortHead = (label: string, asc: WorkSort, desc?: WorkSort) => {
    const next = wq.sort === asc && desc ? desc : asc;
    const mark = wq.sort === asc ? ' ▲' : wq.sort === desc ? ' ▼' : '';
    return `<a href="${esc(q({ sort: next, page: 1 }))}" data-testid="sort-${esc(asc)}">${esc(label)}${mark}</a>`;
  };
  const filters = `<form method="get" action="/admin/work" class="filters" data-testid="work-filters">
<label>区域 <select name="region">${opt('', '全部', wq.region)}${org.regions.map((r) => opt(r, regionName(org, r), wq.region)).join('')}</select></label>
<label>角色 <select name="role">${opt('', '全部', wq.role)}${roles.map((r) => opt(r, def.roles[r]?.name ?? r, wq.role)).join('')}</select></label>
<label>人员 <select name="person">${opt('', '全部', wq.person)}${Object.entries(org.users)
    .map(([id, u]) => opt(id, u.name, wq.person))
    .join('')}</select></label>
<button type="submit">筛选</button></form>`;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const pager = `<p class="pager" data-testid="pager">共 ${total} 项 · 第 ${wq.page}/${pages} 页
${wq.page > 1 ? `<a href="${esc(q({ page: wq.page - 1 }))}">上一页</a>` : ''}
${wq.page < pages ? `<a href="${esc(q({ page: wq.page + 1 }))}" data-testid="next-page">下一页</a>` : ''}</p>`;
  const body = `${filters}${pager}${table(
    [
      '登记号',
      '项目',
      '事项',
      sortHead('角色', 'role'),
      '区域',
      '处理人',
      sortHead('等待自', 'since', '-since'),
      '已等待',
    ],
    rows.map((r) => [
      projectLink(r.regNo),
      r.name,
      heldWhat(ctx, org, r),
      r.role ? (def.roles[r.role]?.name ?? r.role) : '',
      regionName(org, r.projectRegion),
      holders(ctx, org, r),
      time(ctx, r.since),
      `${daysSince(r.since, now)} 天`,
    ]),
    { testid: 'work-table', empty: '没有符合条件的待办。' },
  )}`;
  return { body };
}

export async function overduePage(ctx: PageCtx, page: number): Promise<{ body: string }> {
  const now = ctx.deps.clock.now().getTime();
  const [overdue, list] = await Promise.all([
    overdueReport(ctx.deps, ctx.q, ctx.cache),
    ctx.q.overdueList(now, PAGE_SIZE, (page - 1) * PAGE_SIZE),
  ]);
  const r = { overdue };
  const org = ctx.deps.org.view();
  const top = r.overdue.byOwner.slice(0, 20);
  const options = {
    region: bar(
      '逾期资料（按区域）',
      r.overdue.byRegion.map((x) => x.label),
      [{ name: '逾期', data: r.overdue.byRegion.map((x) => x.n) }],
      '项',
    ),
    owner: bar(
      '逾期资料最多的负责人（前 20）',
      top.map((x) => `${x.label}（${x.region}）`),
      [{ name: '逾期', data: top.map((x) => x.n) }],
      '项',
    ),
  };
  const docName = (v: number, no: number) =>
    ctx.deps.processes.get(v).documents.find((d) => d.no === no)?.name ?? `资料 ${no}`;
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const body = `<p>共 <b data-testid="overdue-total">${r.overdue.total}</b> 项逾期未交的验收资料（实施中的项目）。</p>
<div class="charts2">${chart('region', 260)}${chart('owner', Math.max(260, top.length * 24 + 80))}</div>
<h2>按负责人和区域</h2>
${table(
  ['负责人', '区域', '逾期项数', '最早截止'],
  r.overdue.byOwner.slice(0, 200).map((x) => [x.label, x.region, x.n, time(ctx, x.oldestDue)]),
  { testid: 'overdue-owner-table', empty: '没有逾期资料。' },
)}
<h2>逾期资料明细</h2>
<p class="pager">第 ${page}/${pages} 页 ${page > 1 ? `<a href="/admin/overdue?page=${page - 1}">上一页</a>` : ''} ${page < pages ? `<a href="/admin/overdue?page=${page + 1}">下一页</a>` : ''}</p>
${table(
  ['登记号', '项目', '区域', '资料', '负责人', '截止', '已逾期'],
  list.rows.map((d) => [
    projectLink(d.regNo),
    d.name,
    regionName(org, d.region),
    `${d.docNo} ${docName(d.processVersion, d.docNo)}`,
    displayName(org, d.owner),
    time(ctx, d.dueAt),
    `${daysSince(d.dueAt, now)} 天`,
  ]),
  { testid: 'overdue-table', empty: '没有逾期资料。' },
)}
${jsonBlock('charts', options)}`;
  return { body };
}

export async function cyclePage(ctx: PageCtx): Promise<{ body: string }> {
  const r = await cycleReport(ctx.deps, ctx.q, ctx.cache);
  const approvers = r.approver.slice(0, 20);
  const options = {
    stage: bar(
      '各环节平均用时',
      r.stage.map((s) => s.label),
      [{ name: '平均天数', data: r.stage.map((s) => s.days) }],
      '天',
    ),
    approval: bar(
      '审批步骤平均用时',
      r.approval.map((s) => s.label),
      [{ name: '平均天数', data: r.approval.map((s) => s.days) }],
      '天',
    ),
    region: bar(
      '各区域平均用时',
      r.region.map((s) => s.label),
      [{ name: '平均天数', data: r.region.map((s) => s.days) }],
      '天',
    ),
    approver: bar(
      '处理人平均用时（最慢的 20 位）',
      approvers.map((s) => s.label),
      [{ name: '平均天数', data: approvers.map((s) => s.days) }],
      '天',
    ),
    trend: {
      title: { text: '按月趋势（任务平均用时与完成数）', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 40, bottom: 32, containLabel: true },
      xAxis: { type: 'category', data: r.trend.map((t) => t.month) },
      yAxis: [
        { type: 'value', name: '天' },
        { type: 'value', name: '个' },
      ],
      series: [
        { type: 'line', name: '平均天数', data: r.trend.map((t) => Math.round((t.avgMs / DAY_MS) * 10) / 10) },
        { type: 'bar', name: '完成数', yAxisIndex: 1, data: r.trend.map((t) => t.n) },
      ],
      animation: false,
    },
  };
  const rows = (xs: { label: string; n: number; days: number }[]) => xs.map((s) => [s.label, s.n, `${s.days} 天`]);
  const body = `<p class="note">近 ${CYCLE_WINDOW_DAYS} 天内完成的任务：从开始到完成的平均时间；审批步骤：从上一步决定到本步决定。数字每分钟刷新。</p>
${chart('trend', 320)}
<div class="charts2">${chart('stage', Math.max(300, r.stage.length * 26 + 80))}${chart('approval', Math.max(240, r.approval.length * 30 + 80))}</div>
<div class="charts2">${chart('region', 240)}${chart('approver', Math.max(300, approvers.length * 24 + 80))}</div>
<h2>各环节</h2>${table(['环节', '完成数', '平均用时'], rows(r.stage), { testid: 'cycle-stage-table' })}
<h2>审批步骤</h2>${table(['步骤', '决定数', '平均用时'], rows(r.approval))}
<h2>处理人（最慢的 30 位）</h2>${table(['处理人', '完成数', '平均用时'], rows(r.approver.slice(0, 30)))}
${jsonBlock('charts', options)}`;
  return { body };
}

const TIMELINE_WHAT: Record<string, string> = {
  task_opened: '任务开始',
  task_closed: '任务结束',
  doc_submitted: '提交资料',
};
const ACTIONS: Record<string, string> = {
  register: '登记',
  approve: '同意',
  reject: '驳回',
  withdraw: '撤回',
  resubmit: '重新提交',
  submit: '提交',
  done: '完成',
  rejected: '退回',
  skipped: '跳过',
  cancelled: '取消',
  superseded: '被替代',
};

export async function projectPage(ctx: PageCtx, regNo: string): Promise<{ title: string; body: string } | null> {
  const p = await ctx.q.project(regNo);
  if (!p) return null;
  const org = ctx.deps.org.view();
  const v = Number(p.processVersion);
  const def = ctx.deps.processes.get(v);
  const kind = p.kind === 'saas' ? 'saas' : 'project';
  const facts: [string, string][] = [
    ['登记号', String(p.regNo)],
    ['客户', String(p.customer)],
    ['类型', kind === 'saas' ? 'SaaS 类' : '项目类'],
    ['区域', regionName(org, String(p.region))],
    ['合同编号', String(p.contractNo)],
    ['状态', STATE_LABELS[p.state as ProjectState] ?? String(p.state)],
    ['登记人', displayName(org, String(p.submitter))],
    ['项目经理', p.pm ? displayName(org, String(p.pm)) : ''],
    ['登记时间', time(ctx, Number(p.createdAt))],
  ];
  const rows = (await ctx.q.timeline(regNo)).map((t) => {
    const task = t.defId ? `#${t.taskNo} ${taskNameById(def, kind, t.defId, null)}` : '';
    const what =
      t.what === 'audit'
        ? `${ACTIONS[t.action ?? ''] ?? t.action}${t.role ? `（${def.roles[t.role]?.name ?? t.role}）` : ''}`
        : (TIMELINE_WHAT[t.what] ?? t.what);
    const detail = t.what === 'doc_submitted' ? `资料 ${t.taskNo}：${t.detail ?? ''}` : (t.detail ?? '');
    const state = t.what === 'task_closed' ? (ACTIONS[t.action ?? ''] ?? t.action ?? '') : '';
    return [
      time(ctx, t.at),
      what,
      task,
      t.actor ? displayName(org, t.actor) : '',
      [state, detail].filter(Boolean).join(' · '),
    ];
  });
  const body = `<dl class="facts">${facts.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('')}</dl>
<h2>完整时间线</h2>${table(['时间', '事件', '任务', '人员', '说明'], rows, { testid: 'timeline' })}
<p><a href="/admin/audit?regNo=${encodeURIComponent(regNo)}">该项目的审计日志</a></p>`;
  return { title: `${String(p.name)}`, body };
}

export async function auditPage(
  ctx: PageCtx,
  before: number | null,
  regNo: string | undefined,
): Promise<{ body: string }> {
  const org = ctx.deps.org.view();
  const rows: AuditRow[] = await ctx.q.audit(before, PAGE_SIZE, regNo);
  const count = regNo ? 0 : await ctx.q.auditCount();
  const last = rows.at(-1);
  const base = regNo ? `regNo=${encodeURIComponent(regNo)}&` : '';
  const next =
    rows.length === PAGE_SIZE && last
      ? `<a href="/admin/audit?${base}before=${last.id}" data-testid="next-page">更早的记录</a>`
      : '';
  const body = `<p class="pager">${regNo ? `项目 ${esc(regNo)} · ` : `共 ${count} 条 · `}${before ? `<a href="/admin/audit${regNo ? `?regNo=${encodeURIComponent(regNo)}` : ''}">最新</a> ` : ''}${next}</p>
${table(
  ['序号', '时间', '登记号', '轮次', '角色', '操作', '操作人', '原因', '平台'],
  rows.map((a) => [
    a.id,
    time(ctx, a.at),
    projectLink(a.regNo),
    a.round,
    ctx.deps.processes.current().def.roles[a.role]?.name ?? a.role,
    ACTIONS[a.action] ?? a.action,
    a.actorName || displayName(org, a.actorId),
    a.reason ?? '',
    a.platform,
  ]),
  { testid: 'audit-table', empty: '没有记录。' },
)}`;
  return { body };
}

export function exportsPage(): { body: string } {
  const rows = Object.entries(EXPORTS).map(([t, spec]) => [
    spec.title,
    { text: 'CSV', href: `/admin/export/${t}.csv` },
    { text: 'Excel (XLSX)', href: `/admin/export/${t}.xlsx` },
  ]);
  return {
    body: `<p>导出为 CSV（UTF-8 带 BOM，Excel 可直接打开）或 XLSX；表头为中文，时间为公司时区。大表边查边传，不占内存。</p>
${table(['数据', 'CSV', 'XLSX'], rows, { testid: 'exports-table' })}`,
  };
}
