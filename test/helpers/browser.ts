import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

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
  /** Only this origin (and `alsoAllow`) is reachable; everything else is blocked and recorded. */
  origin: string;
  /** Further origins the page may reach, e.g. a foreign site a test serves on another port. */
  alsoAllow?: string[];
  viewport?: { width: number; height: number };
  /** The browser's own zone: the page must still show times in the company's zone. */
  timezoneId?: string;
}

/**
 * A fresh browser context (its own cookies and storage) in headless Chromium, cut off from everything but the app.
 * Under vitest the run's one shared Chromium (test/helpers/chromium-broker.ts) hosts it; elsewhere (scripts) a
 * Chromium of its own is launched and closed with the session.
 */
export async function launchChromium(opts: LaunchOptions): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  const endpoint = await sharedChromium();
  const browser = endpoint
    ? await chromium.connect(endpoint)
    : await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    return await openSession(browser, opts);
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/** The shared Chromium's WebSocket endpoint when running under vitest with the broker set up, else null. */
async function sharedChromium(): Promise<string | null> {
  if (!process.env.VITEST) return null;
  const { inject } = await import('vitest');
  const broker = inject('chromiumBroker');
  if (!broker) return null;
  const res = await fetch(broker);
  if (!res.ok) throw new Error(await res.text());
  return res.text();
}

async function openSession(browser: Browser, opts: LaunchOptions): Promise<BrowserSession> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    locale: 'zh-CN',
    timezoneId: opts.timezoneId ?? 'Asia/Shanghai',
    // The pages honour it: the phone drawer appears at once instead of sliding for 0.2 s, which every click on a
    // phone would wait out. The drawer test turns motion back on (page.emulateMedia).
    reducedMotion: 'reduce',
  });
  const externalRequests: string[] = [];
  const pageErrors: string[] = [];
  // Only requests to anywhere else are intercepted (the browser matches the pattern): the app's own requests do
  // not each wait for a round trip to this process.
  const allowed = [opts.origin, ...(opts.alsoAllow ?? [])].map((o) => o.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  await context.route(new RegExp(`^(?!(?:${allowed.join('|')})(?:/|$))`), (route) => {
    externalRequests.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    context,
    page,
    externalRequests,
    pageErrors,
    async close() {
      await context.close();
      // A connection to the shared Chromium is dropped; a Chromium of its own is closed.
      await browser.close();
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

/**
 * Whether this machine can run the browser tests. Without Chromium (a developer machine that has not run
 * `apt-get install chromium`) they report themselves skipped with the reason, so `npm test` still passes there; under
 * CI a missing Chromium is a failure, never a silent skip (.ci/run installs it).
 */
export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found && process.env.CI)
    throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: .ci/run must install chromium`);
  if (!found) console.warn(`browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium)`);
  return found;
}

/** Runs one step of a browser test; on failure saves test-results/<shot>.png and rethrows, naming the step and file. */
export async function step(page: Page, shot: string, name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const file = await saveScreenshot(page, `${shot}-${name}`);
    throw new Error(`step "${name}" failed${file ? ` (screenshot: ${file})` : ''}: ${String(e)}`, { cause: e });
  }
}

/** The little of the DOM the in-page checks use (the project's TypeScript has no DOM library). */
interface DomRect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface DomEl {
  parentElement: DomEl | null;
  tagName: string;
  className: string;
  dataset: Record<string, string | undefined>;
  hidden: boolean;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): DomRect;
  scrollIntoView(opts: object): void;
  contains(other: DomEl | null): boolean;
  querySelectorAll(selector: string): Iterable<DomEl>;
}
declare const document: { body: DomEl; scrollingElement: DomEl; elementFromPoint(x: number, y: number): DomEl | null };
declare const window: { innerWidth: number; innerHeight: number };
declare function getComputedStyle(el: DomEl): {
  overflow: string;
  overflowX: string;
  lineHeight: string;
  display: string;
  visibility: string;
};

const byTestId = (id: string, extra = '') => `[data-testid="${id}"]${extra}`;

/** The smallest card button a finger can hit (and that is surely not one character per line). */
const MIN_BUTTON = { width: 44, height: 28 };
/** One-line labels the page deliberately cuts with "…" (the whole text is their tooltip). */
const ELLIPSIS_CLASSES = ['entry-name', 'entry-sub', 'chat-title', 'whoami-who', 'hint', 'btn'];

/** Drives the simulator page the way a person does: pick who you are, type, click. Waits on DOM state only. */
export class SimulatorPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.ready();
  }

  /** The page is ready when the live connection is open and the snapshot is drawn. */
  async ready(): Promise<void> {
    // Attached, not visible: on a phone both sit in the closed drawer.
    await this.page.locator(byTestId('connection', '[data-state="open"]')).waitFor({ state: 'attached' });
    await this.page.locator(byTestId('person')).first().waitFor({ state: 'attached' });
  }

  person(userId: string): Locator {
    return this.page.locator(byTestId('person', `[data-user-id="${userId}"]`));
  }

  /** The red badge: how many things wait on this person (computed by the server). */
  pendingBadge(userId: string): Locator {
    return this.person(userId).locator(byTestId('pending-badge'));
  }

  /** The dot: the bot wrote to this person since their chat was last on screen. */
  unreadDot(userId: string): Locator {
    return this.person(userId).locator(byTestId('unread-dot'));
  }

  /** The number on a person's red badge (0 when it is hidden); read from the DOM, so it works with the drawer shut. */
  async pendingCount(userId: string): Promise<number> {
    return this.pendingBadge(userId).evaluate((n) => {
      const badge = n as unknown as DomEl;
      return badge.hidden ? 0 : Number(badge.textContent);
    });
  }

  /** Every person's badge number at once (user id → count, 0 when hidden). */
  async pendingCounts(): Promise<Record<string, number>> {
    return this.page.locator(byTestId('person')).evaluateAll((nodes) => {
      const out: Record<string, number> = {};
      for (const n of nodes as unknown as DomEl[]) {
        const badge = [...n.querySelectorAll('[data-testid="pending-badge"]')][0];
        out[n.dataset.userId ?? ''] = !badge || badge.hidden ? 0 : Number(badge.textContent);
      }
      return out;
    });
  }

  async hasUnread(userId: string): Promise<boolean> {
    return this.unreadDot(userId).evaluate((n) => !(n as unknown as DomEl).hidden);
  }

  /** How far the page is wider than the window (0 = no sideways scrolling). */
  async horizontalOverflow(): Promise<number> {
    return this.page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  }

  /**
   * Scrolls each button of the card into view and reports what is wrong with it: outside the window, cut by a
   * scrolling or clipping ancestor, covered by something else, its label cut or wrapped. [] = every button is usable.
   */
  async buttonProblems(card: Locator): Promise<string[]> {
    return card.evaluate((node, min) => {
      const cardEl = node as unknown as DomEl;
      const problems: string[] = [];
      const buttons = [...cardEl.querySelectorAll('[data-testid="card-button"]')];
      if (!buttons.length) problems.push('the card has no buttons');
      for (const b of buttons) {
        b.scrollIntoView({ block: 'center', inline: 'nearest' });
        const r = b.getBoundingClientRect();
        const name = b.dataset.label;
        const { innerWidth, innerHeight } = window;
        if (r.width < 1 || r.height < 1) problems.push(`${name}: not drawn`);
        else if (r.width < min.width || r.height < min.height)
          problems.push(`${name}: too small to tap (${Math.round(r.width)}×${Math.round(r.height)} px)`);
        if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight)
          problems.push(`${name}: outside the ${innerWidth}×${innerHeight} window ${JSON.stringify(r)}`);
        for (let a = b.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflow === 'visible') continue;
          const ar = a.getBoundingClientRect();
          if (r.left < ar.left - 1 || r.right > ar.right + 1 || r.top < ar.top - 1 || r.bottom > ar.bottom + 1)
            problems.push(`${name}: clipped by .${a.className}`);
        }
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!hit || !b.contains(hit)) problems.push(`${name}: covered by ${hit ? `.${hit.className}` : 'nothing'}`);
        if (b.scrollWidth > b.clientWidth + 1)
          problems.push(`${name}: label cut (${b.scrollWidth} > ${b.clientWidth})`);
        const lineHeight = Number.parseFloat(getComputedStyle(b).lineHeight) || 21;
        if (r.height > 2 * lineHeight) problems.push(`${name}: wraps (${Math.round(r.height)} px tall)`);
      }
      return problems;
    }, MIN_BUTTON);
  }

  /**
   * Everything on screen that would make the page scroll sideways or cut text at the right: an element reaching past
   * the window, past its card, or a scrolling box wider than itself. Wide tables and preformatted text inside a card
   * may scroll within their own block (that is their design); nothing else may. [] = the layout fits.
   */
  async layoutProblems(): Promise<string[]> {
    // No helper functions inside: the page gets this function's source, without the bundler's helpers.
    return this.page.evaluate((ellipsisClasses) => {
      const problems: string[] = [];
      const { innerWidth } = window;
      const scroller = document.scrollingElement;
      if (scroller.scrollWidth > innerWidth) problems.push(`page: ${scroller.scrollWidth} px wide > ${innerWidth}`);
      const selector = '.chat *, .toasts *, body[data-drawer="open"] .sidebar *';
      for (const e of document.body.querySelectorAll(selector)) {
        let drawn = true;
        let card: DomEl | null = null;
        let ownScroller = false;
        for (let a: DomEl | null = e; a; a = a.parentElement) {
          const cs = getComputedStyle(a);
          if (a.hidden || cs.display === 'none' || cs.visibility === 'hidden') drawn = false;
          const classes = a.className.split(' ');
          if (a !== e && !card && ['TABLE', 'PRE'].includes(a.tagName)) ownScroller = true;
          if (a !== e && !card && classes.includes('card')) card = a;
        }
        const r = e.getBoundingClientRect();
        if (!drawn || r.width === 0) continue;
        const what = `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent ?? '').slice(0, 40)}"`;
        if (r.right > innerWidth + 1) problems.push(`${what} reaches ${Math.round(r.right)} px`);
        if (card && !ownScroller && r.right > card.getBoundingClientRect().right + 1)
          problems.push(`${what} is cut by its card`);
        const ellipsis = e.className.split(' ').some((c) => ellipsisClasses.includes(c));
        const scrolls = getComputedStyle(e).overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1;
        // A one-line label cut with "…" (names, roles, the chat title) is meant; anything else is lost content.
        if (scrolls && !ellipsis && !['TABLE', 'PRE'].includes(e.tagName))
          problems.push(`${what} is wider than its box (${e.scrollWidth} > ${e.clientWidth})`);
      }
      return problems;
    }, ELLIPSIS_CLASSES);
  }

  /** On a phone, choosing someone closes the drawer: waits until it has slid away, so the chat is what is on top. */
  private async drawerShut(): Promise<void> {
    if (await this.page.locator(byTestId('drawer-toggle')).isVisible()) {
      await this.page.locator(byTestId('sidebar')).waitFor({ state: 'hidden' });
    }
  }

  /** On a phone the people list is a drawer: opens it when the entry is not on screen. */
  private async reveal(entry: Locator): Promise<void> {
    const toggle = this.page.locator(byTestId('drawer-toggle'));
    // Decided by the drawer's state, not the entry's visibility, which lags behind while the drawer slides shut.
    if (!(await toggle.isVisible()) || (await this.page.locator('body[data-drawer="open"]').count())) return;
    await toggle.click();
    await entry.waitFor({ state: 'visible' });
  }

  group(id: string): Locator {
    return this.page.locator(byTestId('group', `[data-group-id="${id}"]`));
  }

  /** Acts as `userId`: their chat with the bot is shown, and clicks and typing are theirs. */
  async actAs(userId: string): Promise<void> {
    await this.reveal(this.person(userId).locator('button'));
    await this.person(userId).locator('button').click();
    await this.page.locator(byTestId('person', `.current[data-user-id="${userId}"]`)).waitFor({ state: 'attached' });
    await this.drawerShut();
  }

  async openGroup(id: string): Promise<void> {
    await this.reveal(this.group(id).locator('button'));
    await this.group(id).locator('button').click();
    await this.page.locator(byTestId('group', `.current[data-group-id="${id}"]`)).waitFor({ state: 'attached' });
    await this.drawerShut();
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

  /** Clicks a card button, and once more when it asks for confirmation first (withdraw, reject). */
  async clickConfirmed(card: Locator, label: string): Promise<void> {
    const b = this.button(card, label);
    const asks = (await b.getAttribute('data-confirm')) === 'true';
    await b.click();
    if (asks) await b.click();
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
    return Number((await this.page.locator(byTestId('toasts')).getAttribute('data-seq')) ?? 0);
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
