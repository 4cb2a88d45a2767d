/**
 * Takes the README's screenshots of the local simulator: `npx tsx scripts/screenshot.ts` → docs/simulator.png (desktop)
 * and docs/simulator-phone.png (390×844). Boots the bot on a temporary database with the demo organisation and a fixed
 * clock, drives a few steps through the page in headless Chromium (wang.sales registers a northern and a southern
 * project, the sales lead approves the northern one) and captures the special approver 杨总's view on each screen:
 * their approval card with its buttons, and the badges of who else has work waiting.
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
  { file: 'simulator.png', viewport: { width: 1366, height: 900 } },
  { file: 'simulator-phone.png', viewport: { width: 390, height: 844 } },
];
const REGISTER = [
  '/register name="北方智慧园区" customer=北方客户 kind=project region=north contract=HT-2026-001 signed=no paid=no req=https://docs.example.com/req form=https://docs.example.com/form',
  '/register name="南方数据中台" customer=南方客户 kind=project region=south contract=HT-2026-002 signed=yes paid=no req=https://docs.example.com/req2 form=https://docs.example.com/form2',
];
const APPROVER = 'yang.huiyu';

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
      viewport: SHOTS[0]?.viewport ?? { width: 1366, height: 900 },
    });
    try {
      const sim = new SimulatorPage(browser.page);
      await sim.open(`${url}/`);
      await sim.actAs('wang.sales');
      for (const line of REGISTER) {
        await sim.say(line);
        tick();
      }
      await sim.actAs('li.lead');
      const id = (await sim.cardWithButton('同意', '北方智慧园区').getAttribute('data-message-id')) ?? '';
      await sim.button(sim.cardById(id), '同意').click();
      // Decided: the card is drawn again without the button.
      await sim.cardById(id).locator('[data-testid="card-button"][data-label="同意"]').waitFor({ state: 'detached' });
      tick();
      await sim.pendingBadge(APPROVER).waitFor();
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

/**
 * The special approver's view: their approval card with the reason half typed, placed so its buttons are on screen
 * (and its coloured header too, as far as the chat pane's height allows).
 */
async function capture(url: string, viewport: { width: number; height: number }, out: string): Promise<void> {
  const browser = await launchChromium({ origin: url, viewport });
  try {
    const sim = new SimulatorPage(browser.page);
    await sim.open(`${url}/`);
    await sim.actAs(APPROVER);
    const card = sim.cardWithButton('同意');
    const reason = card.locator('[data-testid="form-field-reason"]');
    if (await reason.count()) await reason.fill('请补充合同签署计划');
    await browser.page.locator('[data-testid="composer-input"]').blur();
    // The card's top at the top of the chat pane, or, where the card is taller than the pane, scrolled just far
    // enough that the decision (同意 and the reject form) ends at the pane's bottom.
    const rejectForm = card.locator('[data-testid="card-form"]:has([data-testid="form-field-reason"])');
    const decision = (await rejectForm.count()) ? rejectForm : card;
    const [cardBox, endBox, paneBox] = await Promise.all([
      card.boundingBox(),
      decision.boundingBox(),
      browser.page.locator('[data-testid="messages"]').boundingBox(),
    ]);
    if (!cardBox || !endBox || !paneBox) throw new Error('the approval card is not on screen');
    const down = Math.max(cardBox.y - paneBox.y - 8, endBox.y + endBox.height + 12 - (paneBox.y + paneBox.height));
    await browser.page.locator('[data-testid="messages"]').evaluate((pane, by) => pane.scrollBy(0, by), down);
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
