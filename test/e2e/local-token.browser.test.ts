import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import { type BrowserSession, CHROMIUM_PATH, launchChromium, SimulatorPage } from '../helpers/browser';
import { createTestHandoff, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * With LOCAL_UI_TOKEN set the page asks for the token, refuses a wrong one, and works with the right one — on the
 * narrowest phone the simulator supports (360 px), where nothing may scroll sideways and card buttons stay usable.
 */
const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env.CI)
  throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: .ci/run must install chromium`);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium)`);

const TOKEN = 'simulator-admin-token-42';

describe.runIf(hasChromium)('simulator page with an admin token, 360×740 (headless Chromium)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let url: string;
  let browser: BrowserSession;

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi], localUiToken: TOKEN });
    url = (await h.listen()).url;
    browser = await launchChromium({ origin: url, viewport: { width: 360, height: 740 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  }, 60_000);

  it('asks for the token, refuses a wrong one, then works', async () => {
    const page = browser.page;
    const sim = new SimulatorPage(page);
    await page.goto(`${url}/`);
    const form = page.locator('[data-testid="token-form"]');
    await form.waitFor();
    expect(await page.locator('[data-testid="token-message"]').textContent()).toContain('需要管理员令牌');
    expect(await page.locator('[data-testid="person"]').count()).toBe(0);

    await page.locator('[data-testid="token-input"]').fill('wrong-token-0000000000');
    await page.locator('[data-testid="token-input"]').press('Enter');
    await page.locator('[data-testid="token-message"]', { hasText: '管理员令牌不正确' }).waitFor();

    await page.locator('[data-testid="token-input"]').fill(TOKEN);
    await page.locator('[data-testid="token-input"]').press('Enter');
    await sim.ready();
    await form.waitFor({ state: 'hidden' });

    await sim.say(REGISTER_NORTH_UNSIGNED);
    await sim.botText('已登记，项目实施登记号 HO-2026-0001');
    await expect.poll(() => sim.pendingCount('li.lead'), { timeout: 15_000 }).toBe(1);
    // The token is kept for the tab: a reload goes straight back in.
    await page.reload();
    await sim.ready();
    expect(await form.isVisible()).toBe(false);

    await sim.actAs('li.lead');
    const card = sim.cardWithButton('同意');
    expect(await sim.horizontalOverflow()).toBeLessThanOrEqual(0);
    expect(await sim.buttonProblems(card)).toEqual([]);
    const seq = (await sim.toastSeq()) + 1;
    await sim.button(card, '同意').click();
    expect((await sim.toast(seq)).type).toBe('success');
    await expect.poll(() => h.deps.projects.get('HO-2026-0001')?.version ?? 0).toBeGreaterThan(1);
    expect(browser.pageErrors).toEqual([]);
    expect(browser.externalRequests).toEqual([]);
  }, 60_000);
});
