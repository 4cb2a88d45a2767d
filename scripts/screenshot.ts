/**
 * Takes the README's screenshots of the local simulator: `npx tsx scripts/screenshot.ts` → docs/simulator.png (desktop)
 * and docs/simulator-phone.png (390×844). Boots the bot on a temporary database with the demo organisation and a fixed
 * clock, drives a few steps through the page in headless Chromium (wang.sales registers, two approvers agree) and
 * captures the commercial reviewer's view on each screen.
 * Needs /usr/bin/chromium (or CHROMIUM_PATH) and, for Chinese text, a CJK font such as Debian's fonts-noto-cjk.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config/env';
import { mountLocalUi } from '../src/http/routes/local';
import { launchChromium, SimulatorPage } from '../test/helpers/browser';

const DOCS = resolve(import.meta.dirname, '../docs');
const SHOTS = [
  { file: 'simulator.png', viewport: { width: 1360, height: 1100 } },
  { file: 'simulator-phone.png', viewport: { width: 390, height: 844 } },
];
const REGISTER =
  '/register name="北方智慧园区" customer=北方客户 kind=project region=north contract=HT-2026-001 signed=no paid=no req=https://docs.example.com/req form=https://docs.example.com/form';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-screenshot-'));
  let t = Date.parse('2026-03-02T01:30:00Z');
  const clock = { now: () => new Date(t) };
  const tick = () => {
    t += 7 * 60_000;
  };
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_PATH: join(dir, 'handoff.db'),
    LOG_LEVEL: 'warn',
    LOCAL_UI: 'on',
  });
  const handoff = bootstrap(config, { clock, scheduler: false, mounts: [mountLocalUi] });
  const { url } = await handoff.listen();
  try {
    const browser = await launchChromium({
      origin: url,
      viewport: SHOTS[0]?.viewport ?? { width: 1360, height: 1100 },
    });
    try {
      const sim = new SimulatorPage(browser.page);
      await sim.open(`${url}/`);
      await sim.actAs('wang.sales');
      await sim.say(REGISTER);
      await sim.botText('已登记');
      tick();
      for (const approver of ['li.lead', 'yang.huiyu']) {
        await sim.actAs(approver);
        const card = sim.cardWithButton('同意');
        await sim.button(card, '同意').click();
        await sim.page.locator('[data-testid="card"][data-closed]').last().waitFor();
        tick();
      }
      await sim.pendingBadge('zhao.biz').waitFor();
    } finally {
      await browser.close();
    }
    mkdirSync(DOCS, { recursive: true });
    for (const shot of SHOTS) await capture(url, shot.viewport, join(DOCS, shot.file));
  } finally {
    // The page's event stream is an open connection: the browsers are closed before the server.
    await handoff.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The commercial reviewer's view, form half filled, the card's coloured header at the top of the chat pane. */
async function capture(url: string, viewport: { width: number; height: number }, out: string): Promise<void> {
  const browser = await launchChromium({ origin: url, viewport });
  try {
    const sim = new SimulatorPage(browser.page);
    await sim.open(`${url}/`);
    await sim.actAs('zhao.biz');
    const review = sim.cardWithButton('审核通过');
    await review.locator('[data-testid="form-field-outsourcing"]').selectOption('yes');
    await review.locator('[data-testid="form-field-comment"]').fill('需外采 OCR 模块');
    await review.evaluate((card) => card.scrollIntoView({ block: 'start' }));
    // No toasts over the chat title.
    while ((await sim.toasts().count()) > 0) {
      await sim
        .toasts()
        .first()
        .click({ timeout: 1000 })
        .catch(() => {}); // it may have timed out on its own meanwhile
    }
    await browser.page.screenshot({ path: out });
    if (browser.externalRequests.length)
      throw new Error(`the page reached outside: ${browser.externalRequests.join(', ')}`);
    process.stdout.write(`saved ${out}\n`);
  } finally {
    await browser.close();
  }
}

await main();
