import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no browser download). CI installs it (.ci/run). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to make to anything but the app (a CDN, a web font …); all are blocked. */
  externalRequests: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Only this origin is reachable; everything else is blocked and recorded. */
  origin: string;
  viewport?: { width: number; height: number };
  /** The browser's own zone: the page must still show times in the company's zone. */
  timezoneId?: string;
}

/** Headless Chromium with a fresh temporary profile, cut off from everything but the app. */
export async function launchChromium(opts: LaunchOptions): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'handoff-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: opts.timezoneId ?? 'Asia/Shanghai',
  });
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${opts.origin}/`) || url === opts.origin) return route.continue();
    externalRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    context,
    page,
    externalRequests,
    pageErrors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot to test-results/<name>.png; never throws (it runs while a test is failing). */
export async function saveScreenshot(page: Page, name: string): Promise<string | null> {
  try {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const path = join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    await page.screenshot({ path, fullPage: true, timeout: 10_000 });
    return path;
  } catch {
    return null;
  }
}

const byTestId = (id: string, extra = '') => `[data-testid="${id}"]${extra}`;

/** Drives the simulator page the way a person does: pick who you are, type, click. Waits on DOM state only. */
export class SimulatorPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.ready();
  }

  /** The page is ready when the live connection is open and the snapshot is drawn. */
  async ready(): Promise<void> {
    await this.page.locator(byTestId('connection', '[data-state="open"]')).waitFor();
    await this.page.locator(byTestId('person')).first().waitFor();
  }

  person(userId: string): Locator {
    return this.page.locator(byTestId('person', `[data-user-id="${userId}"]`));
  }

  badge(userId: string): Locator {
    return this.person(userId).locator(byTestId('unread-badge'));
  }

  group(id: string): Locator {
    return this.page.locator(byTestId('group', `[data-group-id="${id}"]`));
  }

  /** Acts as `userId`: their chat with the bot is shown, and clicks and typing are theirs. */
  async actAs(userId: string): Promise<void> {
    await this.person(userId).locator('button').click();
    await this.page.locator(byTestId('person', `.current[data-user-id="${userId}"]`)).waitFor();
  }

  async openGroup(id: string): Promise<void> {
    await this.group(id).locator('button').click();
    await this.page.locator(byTestId('group', `.current[data-group-id="${id}"]`)).waitFor();
  }

  /** Types a line into the chat box and presses Enter; waits until it shows as the person's message. */
  async say(text: string): Promise<void> {
    const before = await this.messages().count();
    const input = this.page.locator(byTestId('composer-input'));
    await input.fill(text);
    await input.press('Enter');
    await this.messages().nth(before).waitFor();
  }

  messages(): Locator {
    return this.page.locator(`${byTestId('messages')} ${byTestId('message')}`);
  }

  cards(): Locator {
    return this.page.locator(`${byTestId('messages')} ${byTestId('card')}`);
  }

  /** The newest card on screen that has an enabled button labelled `label` (and contains `hasText`, if given). */
  cardWithButton(label: string, hasText?: string): Locator {
    const cards = this.cards().filter({ has: this.page.locator(this.buttonSelector(label)) });
    return (hasText ? cards.filter({ hasText }) : cards).last();
  }

  button(card: Locator, label: string): Locator {
    return card.locator(this.buttonSelector(label));
  }

  /** The newest text message from the bot that contains `text` (waits for it). */
  async botText(text: string): Promise<Locator> {
    const loc = this.page
      .locator(`${byTestId('messages')} ${byTestId('message')}[data-from="bot"][data-kind="text"]`)
      .filter({ hasText: text })
      .last();
    await loc.waitFor();
    return loc;
  }

  /** The sequence number of the newest toast shown so far (0 = none yet). Toasts are numbered 1, 2, 3 … */
  async toastSeq(): Promise<number> {
    return Number((await this.page.locator('body').getAttribute('data-toast-seq')) ?? 0);
  }

  /** Waits for toast number `seq` (the next one after an action) and returns its type and text. */
  async toast(seq: number): Promise<{ type: string | null; text: string }> {
    const loc = this.page.locator(byTestId('toast', `[data-seq="${seq}"]`));
    await loc.waitFor();
    return { type: await loc.getAttribute('data-type'), text: (await loc.textContent()) ?? '' };
  }

  toasts(): Locator {
    return this.page.locator(byTestId('toast'));
  }

  /** The card with this message id, wherever it is on screen. */
  cardById(messageId: string): Locator {
    return this.page.locator(byTestId('card', `[data-message-id="${messageId}"]`));
  }

  private buttonSelector(label: string): string {
    return `${byTestId('card-button')}[data-label="${label}"]:not([disabled])`;
  }
}
