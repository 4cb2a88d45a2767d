/** Small server-side HTML helpers: every interpolated value goes through esc(). */
export function esc(v: unknown): string {
  return String(v ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** JSON inside <script type="application/json">: `<` escaped so no `</script>` can close the block. */
export function jsonBlock(id: string, value: unknown): string {
  return `<script type="application/json" id="${esc(id)}">${JSON.stringify(value).replaceAll('<', '\\u003c')}</script>`;
}

export interface Cell {
  text: string | number;
  href?: string;
  cls?: string;
}

export function table(
  head: string[],
  rows: (string | number | Cell)[][],
  opts: { testid?: string; empty?: string } = {},
): string {
  if (!rows.length) return `<p class="empty">${esc(opts.empty ?? '暂无数据')}</p>`;
  const cell = (c: string | number | Cell) => {
    if (typeof c !== 'object') return `<td>${esc(c)}</td>`;
    const inner = c.href ? `<a href="${esc(c.href)}">${esc(c.text)}</a>` : esc(c.text);
    return `<td${c.cls ? ` class="${esc(c.cls)}"` : ''}>${inner}</td>`;
  };
  return `<table${opts.testid ? ` data-testid="${esc(opts.testid)}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export const NAV: [string, string][] = [
  ['/admin', '概览'],
  ['/admin/work', '待办'],
  ['/admin/overdue', '逾期资料'],
  ['/admin/cycle', '处理时长'],
  ['/admin/audit', '审计日志'],
  ['/admin/exports', '导出'],
];

export function layout(opts: {
  title: string;
  path: string;
  user?: { name: string; csrf: string };
  body: string;
  charts?: boolean;
}): string {
  const nav = opts.user
    ? `<nav>${NAV.map(([href, label]) => `<a href="${href}"${href === opts.path ? ' class="current"' : ''}>${label}</a>`).join('')}</nav>
      <form method="post" action="/admin/logout" class="logout"><input type="hidden" name="csrf" value="${esc(opts.user.csrf)}">
      <span data-testid="signed-in">${esc(opts.user.name)}</span><button type="submit">退出</button></form>`
    : '';
  const scripts = opts.charts
    ? '<script src="/admin/assets/echarts.min.js"></script><script src="/admin/assets/console.js"></script>'
    : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(opts.title)} · Handoff 管理后台</title>
<link rel="stylesheet" href="/admin/assets/console.css"></head>
<body><header><strong>Handoff 管理后台</strong>${nav}</header><main><h1>${esc(opts.title)}</h1>${opts.body}</main>${scripts}</body></html>`;
}

export const DAY_MS = 86_400_000;
export const daysSince = (t: number, now: number) => Math.max(0, Math.floor((now - t) / DAY_MS));
