import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsole } from '../helpers/admin-console';
import { type BrowserSession, launchChromium, RESULTS_DIR, saveScreenshot } from '../helpers/browser';

/** The console in real Chromium behind the real Feishu sign-in flow, against the fake OAuth server. */
declare const document: {
  querySelectorAll(s: string): Iterable<{
    width: number;
    height: number;
    getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
  }>;
};

let srv: ConsoleServer;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  srv = await startConsole({ platforms: ['feishu'], projects: 400 });
  if (!srv.fake) throw new Error('no fake');
  browser = await launchChromium({
    origin: srv.url,
    alsoAllow: [srv.fake.url],
    viewport: { width: 1280, height: 900 },
  });
  page = browser.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** How many pixels of each canvas on the page are drawn (not transparent). */
async function drawnPixels(p: Page): Promise<number[]> {
  return p.evaluate(() =>
    [...document.querySelectorAll('.chart canvas')].map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if ((d[i] ?? 0) > 0) n++;
      return n;
    }),
  );
}

/** A download's bytes (read through the connection: the file itself is on the browser's side). */
async function downloaded(d: Download): Promise<Buffer> {
  return Buffer.concat(await (await d.createReadStream()).toArray());
}

async function chartsReady(p: Page, ids: string[]): Promise<void> {
  for (const id of ids) await p.locator(`[data-testid="chart-${id}"][data-ready="1"]`).waitFor();
}

describe('admin console in Chromium', () => {
  it('no session: /admin sends the browser to the sign-in page', async () => {
    await page.goto(`${srv.url}/admin/cycle`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/cycle');
    await page.locator('[data-testid="login-feishu"]').waitFor();
  });

  it('a non-admin signs in through Feishu and gets 403', async () => {
    srv.fake?.signInAs('feishu', 'ou_director', '孙总监');
    const responses: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/admin/callback/')) responses.push(r.status());
    });
    await page.locator('[data-testid="login-feishu"]').click();
    await page.locator('[data-testid="message"]').waitFor();
    expect(responses).toContain(403);
    expect(await page.locator('[data-testid="message"]').textContent()).toContain('不是管理员');
    await page.goto(`${srv.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  });

  it('the admin signs in and sees the charts and tables', async () => {
    srv.fake?.signInAs('feishu', 'ou_admin', '秦管理员');
    await page.goto(`${srv.url}/admin/login`);
    await page.locator('[data-testid="login-feishu"]').click();
    await page.locator('[data-testid="signed-in"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await page.locator('[data-testid="signed-in"]').textContent()).toBe('秦管理员');
    await chartsReady(page, ['stages']);
    const pixels = await drawnPixels(page);
    expect(pixels.length).toBe(1);
    expect(pixels[0]).toBeGreaterThan(5000);
    const rows = await page.locator('[data-testid="stages-table"] tbody tr').count();
    expect(rows).toBeGreaterThan(3);
    const inApproval = Number(await page.locator('[data-testid="total-in_approval"] b').textContent());
    const count = srv.handoff.db.$client
      .prepare("select count(*) as n from projects where state = 'in_approval'")
      .get() as {
      n: number;
    };
    expect(inApproval).toBe(count.n);
    await saveScreenshot(page, 'admin-overview');
    expect(browser.externalRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('worklist: sortable and filterable by region, role and person', async () => {
    await page.goto(`${srv.url}/admin/work`);
    const table = page.locator('[data-testid="work-table"] tbody tr');
    expect(await table.count()).toBe(50);
    const since = async () =>
      await page.locator('[data-testid="work-table"] tbody tr td:nth-child(7)').allTextContents();
    const asc = await since();
    expect([...asc].sort()).toEqual(asc);
    await page.locator('[data-testid="sort-since"]').click();
    await page.waitForURL(/sort=-since/);
    const desc = await since();
    expect([...desc].sort().reverse()).toEqual(desc);
    await page.selectOption('select[name="region"]', 'north');
    await page.locator('[data-testid="work-filters"] button').click();
    await page.waitForURL(/region=north/);
    const regions = await page.locator('[data-testid="work-table"] tbody tr td:nth-child(5)').allTextContents();
    expect(regions.length).toBeGreaterThan(0);
    expect(new Set(regions)).toEqual(new Set(['北方']));
    await page.goto(`${srv.url}/admin/work?role=commercial_reviewer`);
    const roles = await page.locator('[data-testid="work-table"] tbody tr td:nth-child(4)').allTextContents();
    expect(roles.length).toBeGreaterThan(0);
    expect(new Set(roles).size).toBe(1);
    await page.goto(`${srv.url}/admin/work?person=zhao.biz`);
    const holders = await page.locator('[data-testid="work-table"] tbody tr td:nth-child(6)').allTextContents();
    expect(holders.length).toBeGreaterThan(0);
    for (const h of holders) expect(h).toContain('赵商务');
    await saveScreenshot(page, 'admin-work');
  });

  it('overdue documents and cycle times draw their charts', async () => {
    await page.goto(`${srv.url}/admin/overdue`);
    await chartsReady(page, ['region', 'owner']);
    for (const n of await drawnPixels(page)) expect(n).toBeGreaterThan(2000);
    expect(Number(await page.locator('[data-testid="overdue-total"]').textContent())).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="overdue-owner-table"] tbody tr').count()).toBeGreaterThan(0);
    await page.goto(`${srv.url}/admin/cycle`);
    await chartsReady(page, ['trend', 'stage', 'approval', 'region', 'approver']);
    const drawn = await drawnPixels(page);
    expect(drawn.length).toBe(5);
    for (const n of drawn) expect(n).toBeGreaterThan(2000);
    await saveScreenshot(page, 'admin-cycle');
    await page.screenshot({ path: join(RESULTS_DIR, 'admin-cycle-top.png') });
    expect(browser.pageErrors).toEqual([]);
  });

  it("one project's full timeline and the paged audit log", async () => {
    await page.goto(`${srv.url}/admin`);
    await page.fill('input[name="regNo"]', 'ho-2026-000001');
    await page.locator('form.filters button').click();
    await page.waitForURL(/\/admin\/projects\/HO-2026-000001$/);
    const timeline = await page.locator('[data-testid="timeline"] tbody tr').count();
    const audit = srv.handoff.db.$client
      .prepare(
        "select (select count(*) from audit_log where reg_no = 'HO-2026-000001') + (select count(*) from tasks where reg_no = 'HO-2026-000001') as n",
      )
      .get() as { n: number };
    expect(timeline).toBeGreaterThanOrEqual(audit.n);
    await page.goto(`${srv.url}/admin/audit`);
    const first = await page.locator('[data-testid="audit-table"] tbody tr td:first-child').allTextContents();
    expect(first.length).toBe(50);
    await page.locator('[data-testid="next-page"]').click();
    const second = await page.locator('[data-testid="audit-table"] tbody tr td:first-child').allTextContents();
    expect(Number(second[0])).toBe(Number(first.at(-1)) - 1);
  });

  it('exports download and read back: CSV with BOM and Chinese headers, XLSX through exceljs', async () => {
    await page.goto(`${srv.url}/admin/exports`);
    const db = srv.handoff.db.$client;
    const count = (t: string) => (db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
    const [csvDl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[href="/admin/export/projects.csv"]').click(),
    ]);
    const csv = await downloaded(csvDl);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const wb = new ExcelJS.Workbook();
    const sheet = await wb.csv.read(Readable.from(csv.subarray(3).toString('utf8')));
    expect(sheet.getRow(1).getCell(1).value).toBe('登记号');
    expect(sheet.getRow(1).getCell(2).value).toBe('项目名称');
    expect(sheet.actualRowCount).toBe(count('projects') + 1);

    const [xlsxDl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[href="/admin/export/tasks.xlsx"]').click(),
    ]);
    expect(xlsxDl.suggestedFilename()).toMatch(/\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.read(Readable.from([await downloaded(xlsxDl)]));
    const ws = book.getWorksheet('任务');
    expect(ws?.getRow(1).getCell(1).value).toBe('登记号');
    expect(ws?.getRow(1).getCell(3).value).toBe('任务');
    expect(ws?.actualRowCount).toBe(count('tasks') + 1);
  });
});
