import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ActionValue, CardModel } from '../../cards/model';
import { mineItems } from '../../src/app/mine';
import { mountLocalUi } from '../../src/http/routes/local';
import {
  type BrowserSession,
  chromiumAvailable,
  launchChromium,
  step as runStep,
  SimulatorPage,
  saveScreenshot,
} from '../helpers/browser';
import { createTestHandoff, demoOrg, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * The simulator page's layout and its per-person state (issue 11), in headless Chromium on the narrowest supported
 * phone, a common phone and a laptop: long names, links and card content never make anything scroll sideways; card
 * buttons stay whole and tappable; on a phone the people list is a drawer; the red badges are the server's count of
 * each person's waiting work (what `/mine` lists) and survive a reload; each person keeps their own unsent text.
 */
const POLL = { timeout: 15_000, interval: 50 };

const hasChromium = chromiumAvailable();

const VIEWPORTS = [
  { name: 'narrow phone', width: 360, height: 740, phone: true },
  { name: 'phone', width: 390, height: 844, phone: true },
  { name: 'desktop', width: 1366, height: 900, phone: false },
];

const LATIN_NAME = 'Maximilian-Alexander-Wolfgang-Johannes-Christoph-Sebastian';
const LONG_URL = `https://docs.example.com/${'very-long-path-segment-'.repeat(10)}?q=${'x'.repeat(60)}`;
const LONG_REGISTER = [
  `/register name="${'北方智慧园区综合管理平台'.repeat(6)}"`,
  `customer=${'客户'.repeat(20)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(2)}`,
  'kind=project region=north',
  `contract=HT-${'9'.repeat(60)}`,
  `signed=no paid=no req=${LONG_URL} form=${LONG_URL}`,
].join(' ');

/** A card with everything long at once, as a card builder might one day send it. */
function stressCard(): CardModel {
  const action = (label: string, style: 'primary' | 'danger' | 'default') => ({
    label,
    style,
    // A made-up action no card builder can type: the server refuses it (the tap below checks the error toast).
    value: { v: 1, type: 'noop' } as unknown as ActionValue,
  });
  return {
    header: { title: '超长标题'.repeat(12), subtitle: `HO-2026-0099 · ${'x'.repeat(120)}`, color: 'blue' },
    blocks: [
      { type: 'note', text: `请处理：${LONG_URL}` },
      {
        type: 'fields',
        fields: [
          { label: '链接', value: [{ link: LONG_URL, url: LONG_URL }] },
          { label: '编号', value: 'A'.repeat(120) },
          { label: '当前状态', value: '项目'.repeat(60) },
        ],
      },
      { type: 'rich', lines: [[{ strong: 'B'.repeat(90) }], [{ link: '查看'.repeat(30), url: LONG_URL }]] },
      {
        type: 'markdown',
        text: `| 列一 | 列二 | 列三 |\n| --- | --- | --- |\n| ${'长'.repeat(50)} | ${LONG_URL} | x |`,
      },
      { type: 'checklist', title: '清单', items: [{ text: `核对 ${LONG_URL}`, checked: null }] },
      {
        type: 'history',
        title: '流程记录',
        entries: [
          {
            at: new Date('2026-03-02T02:00:00Z'),
            who: LATIN_NAME,
            what: '同意'.repeat(30),
            note: { label: '原因', text: 'R'.repeat(90), rejection: true },
          },
        ],
      },
    ],
    actions: [
      action('同意', 'primary'),
      action('驳回', 'danger'),
      action('转交', 'default'),
      action('发起云产品下单申请', 'default'),
      action('补充资料', 'default'),
      action('撤回', 'danger'),
    ],
    forms: [
      {
        name: 'pick',
        fields: [
          {
            name: 'who',
            label: '指派'.repeat(20),
            kind: 'select',
            required: true,
            options: [{ value: 'a', label: `${LATIN_NAME}（${'北方大区项目管理部'.repeat(3)}）` }],
          },
          { name: 'note', label: '说明', kind: 'text', required: false, placeholder: '请填写'.repeat(20) },
        ],
        submit: action('提交', 'primary'),
      },
    ],
  };
}

describe.runIf(hasChromium).each(VIEWPORTS)('simulator layout, $name $width×$height (headless Chromium)', (vp) => {
  let h: ReturnType<typeof createTestHandoff>;
  let browser: BrowserSession;
  let sim: SimulatorPage;
  let url: string;

  beforeAll(async () => {
    const org = demoOrg();
    for (const u of org.users) {
      if (u.id === 'wang.sales') u.name = LATIN_NAME;
      if (u.id === 'zhou.pm') u.name = `周${'经理'.repeat(15)}（北方大区项目管理部）`;
    }
    h = createTestHandoff({ mounts: [mountLocalUi], org });
    url = (await h.listen()).url;
    const chat = new LocalChat(h);
    // HO-2026-0001 (long everything) waits on the special approver; HO-2026-0002 on the sales lead.
    await chat.say('wang.sales', LONG_REGISTER);
    await chat.click('li.lead', '同意');
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await chat.say('wang.sales', `/status ${LONG_URL}`);
    await chat.say('wang.sales', '长'.repeat(400));
    await h.local?.send({ kind: 'user', id: 'feng.prod' }, { kind: 'card', card: stressCard() }, 'stress-card');
    browser = await launchChromium({ origin: url, viewport: { width: vp.width, height: vp.height } });
    sim = new SimulatorPage(browser.page);
    await sim.open(`${url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  }, 60_000);

  /** Runs a step; on failure saves test-results/local-layout-<step>.png and rethrows. */
  const step = (name: string, fn: () => Promise<void>) => runStep(browser.page, `local-layout-${vp.width}`, name, fn);

  /** user id → how many things wait on them, straight from the query `/mine` answers with. */
  const serverCounts = () =>
    Object.fromEntries(Object.keys(h.deps.org.view().users).map((id) => [id, mineItems(h.deps, id).length]));

  /** The chat header: one line for the title, one for who is acted as (with the count of their waiting work). */
  async function headerLines(): Promise<number[]> {
    const heights = ['chat-title', 'whoami'].map((id) =>
      sim.page.locator(`[data-testid="${id}"]`).evaluate((n) => {
        const e = n as unknown as { getBoundingClientRect(): { height: number } };
        return e.getBoundingClientRect().height;
      }),
    );
    return (await Promise.all(heights)).map((px) => Math.round(px / 21));
  }

  it('fits the window with long names, links, tables and card content; buttons stay whole', async () => {
    for (const who of ['wang.sales', 'li.lead', 'yang.huiyu', 'feng.prod']) {
      await step(`fits-${who}`, async () => {
        await sim.actAs(who);
        await sim.messages().first().waitFor();
        expect(await sim.layoutProblems()).toEqual([]);
        expect(await headerLines()).toEqual([1, 1]);
        const withButtons = sim.cards().filter({ has: sim.page.locator('[data-testid="card-button"]') });
        for (const card of await withButtons.all()) expect(await sim.buttonProblems(card)).toEqual([]);
        // Scrolled to any card, nothing sticks out either.
        expect(await sim.horizontalOverflow()).toBeLessThanOrEqual(0);
      });
    }
    await step('stress-card', async () => {
      const card = sim.cardWithButton('发起云产品下单申请');
      await card.locator('a', { hasText: 'https://docs.example.com/' }).waitFor();
      expect(await sim.button(card, '驳回').count()).toBe(1);
      expect(await sim.layoutProblems()).toEqual([]);
      // A tap reaches the server (which refuses this made-up action with an error toast): the button is not covered.
      const seq = (await sim.toastSeq()) + 1;
      await sim.button(card, '转交').click();
      expect((await sim.toast(seq)).type).toBe('error');
      expect(await sim.layoutProblems()).toEqual([]);
      // For a person to look at: test-results/local-layout-<width>-stress-card.png.
      await card.evaluate((c) => c.scrollIntoView({ block: 'start' }));
      await saveScreenshot(browser.page, `local-layout-${vp.width}-stress-card`);
    });
    await step('group', async () => {
      await sim.openGroup('handover_news');
      await sim.say(`/status ${'x'.repeat(300)}`);
      await sim.page.locator('[data-testid="message"][data-from="bot"]').last().waitFor();
      expect(await sim.layoutProblems()).toEqual([]);
      await sim.actAs('wang.sales');
    });
    expect(browser.pageErrors).toEqual([]);
    expect(browser.externalRequests).toEqual([]);
  }, 60_000);

  it.runIf(vp.phone)('puts the people list in a drawer that a button opens and closes', async () => {
    // The drawer as most people see it: sliding (the sessions otherwise ask for reduced motion).
    await sim.page.emulateMedia({ reducedMotion: 'no-preference' });
    onTestFinished(() => sim.page.emulateMedia({ reducedMotion: 'reduce' }));
    const sidebar = sim.page.locator('[data-testid="sidebar"]');
    const slide = (n: unknown) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { transitionDuration: string } }).getComputedStyle(n)
        .transitionDuration;
    expect(await sidebar.evaluate(slide)).not.toMatch(/^0s(, 0s)*$/);
    const toggle = sim.page.locator('[data-testid="drawer-toggle"]');
    const width = (sel: string) =>
      sim.page
        .locator(sel)
        .evaluate(
          (n) => (n as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width,
        );
    await step('closed', async () => {
      expect(await toggle.isVisible()).toBe(true);
      await sidebar.waitFor({ state: 'hidden' });
      // The chat takes the whole width.
      expect(await width('.chat')).toBe(vp.width);
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      // Others' waiting work shows on the button while the list is hidden: li.lead and yang.huiyu.
      expect(await sim.page.locator('[data-testid="drawer-badge"]').textContent()).toBe('2');
    });
    await step('toggle', async () => {
      await toggle.click();
      await sidebar.waitFor({ state: 'visible' });
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      expect(await width('.sidebar')).toBeLessThanOrEqual(vp.width * 0.86 + 1);
      expect(await sim.layoutProblems()).toEqual([]);
      // The backdrop's right edge is beside the drawer: a tap there closes it.
      await sim.page.mouse.click(vp.width - 10, vp.height / 2);
      await sidebar.waitFor({ state: 'hidden' });
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    });
    await step('escape', async () => {
      await toggle.click();
      await sidebar.waitFor({ state: 'visible' });
      await sim.page.keyboard.press('Escape');
      await sidebar.waitFor({ state: 'hidden' });
    });
    await step('pick', async () => {
      await sim.actAs('li.lead');
      await sidebar.waitFor({ state: 'hidden' });
      expect(await sim.page.locator('[data-testid="chat-title"]').textContent()).toContain('李主管');
      // Reopened, the list shows the person acted as, even the last of 19.
      await sim.actAs('liu.platform');
      await sim.page.locator('[data-testid="sidebar"]').evaluate((n) => {
        (n as unknown as { scrollTop: number }).scrollTop = 0;
      });
      await toggle.click();
      await sidebar.waitFor({ state: 'visible' });
      const box = await sim.person('liu.platform').boundingBox();
      expect(box && box.y >= 0 && box.y + box.height <= vp.height).toBe(true);
      await sim.page.keyboard.press('Escape');
      await sim.actAs('wang.sales');
    });
  });

  it.runIf(!vp.phone)('keeps the people list beside the chat on a laptop', async () => {
    expect(await sim.page.locator('[data-testid="drawer-toggle"]').isVisible()).toBe(false);
    expect(await sim.page.locator('[data-testid="sidebar"]').isVisible()).toBe(true);
    const box = await sim.page.locator('[data-testid="sidebar"]').boundingBox();
    expect(box?.width).toBe(280);
    expect((await sim.page.locator('.chat').boundingBox())?.width).toBe(vp.width - 280);
  });

  it.runIf(vp.width !== 360)(
    "shows the server's count of waiting work on the badges, live and after a reload",
    async () => {
      await step('initial', async () => {
        expect(serverCounts()).toMatchObject({ 'li.lead': 1, 'yang.huiyu': 1, 'wang.sales': 0 });
        await expect.poll(() => sim.pendingCounts(), POLL).toEqual(serverCounts());
        expect(await sim.pendingBadge('li.lead').getAttribute('title')).toContain('HO-2026-0002');
      });
      await step('after-a-decision', async () => {
        await sim.actAs('li.lead');
        expect(await sim.page.locator('[data-testid="whoami-todo"]').textContent()).toBe('待办 1 项');
        const card = sim.cardWithButton('同意', 'HO-2026-0002');
        await sim.button(card, '同意').click();
        await expect.poll(() => sim.pendingCount('yang.huiyu'), POLL).toBe(2);
        await expect.poll(() => sim.pendingCounts(), POLL).toEqual(serverCounts());
        expect(await sim.page.locator('[data-testid="whoami-todo"]').isVisible()).toBe(false);
      });
      await step('reload', async () => {
        await sim.page.reload();
        await sim.ready();
        // Not a client-side mark: read from the server again.
        expect(await sim.pendingCounts()).toEqual(serverCounts());
        expect(serverCounts()).toMatchObject({ 'li.lead': 0, 'yang.huiyu': 2 });
        await sim.actAs('wang.sales');
      });
    },
  );

  // Toasts per person: local-ui.browser.test.ts, step drafts-and-toasts.
  it.runIf(vp.width !== 360)("keeps each person's unsent text, also across a reload", async () => {
    const input = sim.page.locator('[data-testid="composer-input"]');
    await step('drafts', async () => {
      await sim.actAs('wang.sales');
      await input.fill('王销售的草稿');
      await sim.actAs('zhao.biz');
      expect(await input.inputValue()).toBe('');
      await input.fill('赵商务的草稿');
      await sim.openGroup('handover_news');
      expect(await input.inputValue()).toBe('');
      await sim.actAs('wang.sales');
      expect(await input.inputValue()).toBe('王销售的草稿');
      await sim.page.reload();
      await sim.ready();
      expect(await input.inputValue()).toBe('王销售的草稿');
      await sim.actAs('zhao.biz');
      expect(await input.inputValue()).toBe('赵商务的草稿');
    });
  });
});
