import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import {
  type BrowserSession,
  chromiumAvailable,
  launchChromium,
  step as runStep,
  SimulatorPage,
} from '../helpers/browser';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * The acceptance test: the local simulator page in real headless Chromium, offline, on a desktop window and on
 * a phone. One person at a time plays each role, the way a tester would: wang.sales registers, the approvers decide
 * (one rejects, wang.sales resubmits), and each step checks what that person sees — buttons, badges of waiting work,
 * colours, history, toasts — and that the page never scrolls sideways and every card button is usable.
 */
const POLL = { timeout: 15_000, interval: 50 };
const MINUTE = 60_000;

const hasChromium = chromiumAvailable();

const VIEWPORTS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

describe.runIf(hasChromium).each(VIEWPORTS)('local simulator page, $name $width×$height (headless Chromium)', (vp) => {
  let h: ReturnType<typeof createTestHandoff>;
  let browser: BrowserSession;
  let sim: SimulatorPage;
  let url: string;

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi] });
    url = (await h.listen()).url;
    // A browser in another zone: history times must still be shown in Asia/Shanghai.
    browser = await launchChromium({
      origin: url,
      timezoneId: 'America/New_York',
      viewport: { width: vp.width, height: vp.height },
    });
    sim = new SimulatorPage(browser.page);
  }, 60_000);

  afterAll(async () => {
    // Close the page first: its event stream is an open connection the server would wait for.
    await browser?.close();
    await h?.stop();
  }, 60_000);

  /** Runs a step; on failure saves test-results/local-ui-<step>.png and rethrows. */
  const step = (name: string, fn: () => Promise<void>) => runStep(browser.page, `local-ui-${vp.name}`, name, fn);

  /** Fills the form fields, clicks `label` on the newest card that has it, waits for the toast and for the button to go. */
  async function decide(label: string, form: Record<string, string>, toastText: string): Promise<string> {
    // Pin the card by id: a newer copy may arrive while we fill the form.
    const id = (await sim.cardWithButton(label).getAttribute('data-message-id')) ?? '';
    const card = sim.cardById(id);
    await fits(card);
    for (const [name, value] of Object.entries(form)) {
      const field = card.locator(`[data-testid="form-field-${name}"]`);
      if ((await field.getAttribute('data-kind')) === 'select') await field.selectOption(value);
      else await field.fill(value);
    }
    const seq = (await sim.toastSeq()) + 1;
    await sim.clickConfirmed(card, label);
    const toast = await sim.toast(seq);
    expect(toast.type).toBe('success');
    expect(toast.text).toContain(toastText);
    // The card was re-rendered from the updated model: the button is gone (not merely disabled while pending).
    await card.locator(`[data-testid="card-button"][data-label="${label}"]`).waitFor({ state: 'detached' });
    h.clock.advance(MINUTE);
    return id;
  }

  /** The page fits the window and every button of the card is on screen, whole, uncovered, on one line. */
  async function fits(card: Locator): Promise<void> {
    expect(await sim.horizontalOverflow()).toBeLessThanOrEqual(0);
    expect(await sim.buttonProblems(card)).toEqual([]);
  }

  /** An approver decides: afterwards their copy of the card is read-only, with no button left. */
  async function approverDecides(label: string, toastText: string, form: Record<string, string> = {}): Promise<void> {
    const id = await decide(label, form, toastText);
    // The decision is gone from the clicked card; only 更多操作 (撤销同意 until the next holder acts) may stay.
    const card = sim.cardById(id);
    await expect.poll(() => card.locator('[data-testid="card-form"]').count(), POLL).toBe(0);
    const left = async () =>
      (await card.locator('[data-testid="card-button"]').allTextContents())
        .map((t) => t.trim())
        .filter((t) => t !== '更多操作');
    await expect.poll(left, POLL).toEqual([]);
  }

  it('plays the approval chain with a rejection and a resubmission', async () => {
    await step('open', async () => {
      await sim.open(`${url}/`);
      expect(await sim.page.locator('[data-testid="person"]').count()).toBe(19);
      await expect.poll(() => sim.person('yang.huiyu').textContent(), POLL).toContain('特批领导（北方）');
      await expect.poll(() => sim.group('handover_news').textContent(), POLL).toContain('项目移交新闻');
      // The first person is selected by default.
      await sim.page
        .locator('[data-testid="person"].current[data-user-id="wang.sales"]')
        .waitFor({ state: 'attached' });
    });

    await step('bad-input', async () => {
      await sim.say('你好');
      await sim.botText('我只懂以 / 开头的命令');
      await sim.say('/status HO-2026-9999');
      await sim.botText('找不到登记号为 HO-2026-9999 的项目');
      // What people type is shown as text, never as HTML.
      await sim.say('<img src=x onerror="window.pwned=1"> **不是粗体**');
      const mine = sim.messages().filter({ hasText: '<img src=x' }).last();
      expect(await mine.locator('img, strong').count()).toBe(0);
    });

    await step('register', async () => {
      await sim.say(REGISTER_NORTH_UNSIGNED);
      await sim.botText('已登记，项目实施登记号 HO-2026-0001');
      const card = sim.cards().last();
      await card.locator('[data-testid="card-subtitle"]', { hasText: '销售主管审批' }).waitFor();
      expect(await card.getAttribute('data-color')).toBe('blue');
      expect(await card.locator('[data-testid="card-ask"]').textContent()).toContain(
        '无需你操作。目前由 李主管 处理「销售主管审批」',
      );
      const reqLink = card.locator('a', { hasText: '用户需求采集表' });
      expect(await reqLink.getAttribute('href')).toBe('https://docs.example.com/req');
      expect(await card.locator('[data-testid="history-entry"]').first().textContent()).toContain('2026-03-02 10:00');
      expect(await sim.button(card, '撤回').count()).toBe(1);
      await fits(card);
      // The badge counts what waits on the person, from the server: the sales lead's step, nobody else's.
      await expect.poll(() => sim.pendingCount('li.lead'), POLL).toBe(1);
      expect(await sim.pendingCount('dai.juanxiang')).toBe(0);
      expect(await sim.pendingCount('wang.sales')).toBe(0);
      expect(await sim.pendingBadge('li.lead').getAttribute('title')).toContain('HO-2026-0001');
      h.clock.advance(MINUTE);
    });

    await step('reload-restores', async () => {
      await sim.page.reload();
      await sim.ready();
      await sim.cards().last().locator('[data-testid="card-subtitle"]', { hasText: '销售主管审批' }).waitFor();
      // Waiting work is not a client-side unread mark: it survives the reload.
      expect(await sim.pendingCount('li.lead')).toBe(1);
    });

    await step('drafts-and-toasts', async () => {
      const input = sim.page.locator('[data-testid="composer-input"]');
      await input.fill('王销售还没发出的话');
      await sim.actAs('li.lead');
      expect(await input.inputValue()).toBe('');
      // A refused message: the error toast belongs to li.lead, and the text goes back into the box.
      const seq = (await sim.toastSeq()) + 1;
      await input.fill('长'.repeat(10_001));
      await input.press('Enter');
      expect((await sim.toast(seq)).text).toContain('消息过长');
      await expect.poll(() => input.inputValue(), POLL).toHaveLength(10_001);
      await sim.actAs('wang.sales');
      expect(await input.inputValue()).toBe('王销售还没发出的话');
      expect(await sim.toasts().filter({ hasText: '消息过长' }).isVisible()).toBe(false);
      await sim.actAs('li.lead');
      expect(await sim.toasts().filter({ hasText: '消息过长' }).isVisible()).toBe(true);
      expect(await input.inputValue()).toHaveLength(10_001);
      await input.fill('');
      await sim.toasts().filter({ hasText: '消息过长' }).click();
      await sim.actAs('wang.sales');
      await input.fill('');
    });

    await step('sales-lead-approves', async () => {
      await sim.actAs('li.lead');
      expect(await sim.pendingCount('li.lead')).toBe(1);
      const card = sim.cardWithButton('同意');
      expect(await card.locator('[data-testid="card-ask"]').textContent()).toContain('请处理：销售主管审批');
      expect(await sim.button(card, '驳回').count()).toBe(1);
      await approverDecides('同意', '已同意「销售主管审批」');
      await expect.poll(() => sim.pendingCount('yang.huiyu'), POLL).toBe(1);
      expect(await sim.pendingCount('li.lead')).toBe(0);
      expect(await sim.pendingCount('dai.juanxiang')).toBe(0);
    });

    await step('special-approver-approves', async () => {
      await sim.actAs('yang.huiyu');
      await sim
        .cardWithButton('同意')
        .locator('[data-testid="card-subtitle"]', { hasText: '特批领导审批（北方）' })
        .waitFor();
      await approverDecides('同意', '已同意');
      await expect.poll(() => sim.pendingCount('zhao.biz'), POLL).toBe(1);
    });

    await step('commercial-review-rejects', async () => {
      await sim.actAs('zhao.biz');
      const card = sim.cardWithButton('审核通过（电子签名）');
      expect(await card.locator('[data-testid="card-form"]').count()).toBe(4); // approve, reject, 抄送, 评论
      await fits(card);
      // What is typed into a card's form stays with that card when someone else is acted as meanwhile.
      const id = (await card.getAttribute('data-message-id')) ?? '';
      await sim.cardById(id).locator('[data-testid="form-field-comment"]').fill('先看一下');
      await sim.actAs('wang.sales');
      await sim.actAs('zhao.biz');
      expect(await sim.cardById(id).locator('[data-testid="form-field-comment"]').inputValue()).toBe('先看一下');
      await sim.cardById(id).locator('[data-testid="form-field-comment"]').fill('');
      // `required` is enforced on the page, with a visible message, before anything is sent.
      await sim.button(card, '审核通过（电子签名）').click();
      await card
        .locator('[data-form="approve_form"] [data-testid="form-error"]', {
          hasText: '请选择「项目合同状态、首笔款项支付状态」',
        })
        .waitFor();
      await sim.button(card, '驳回').click();
      await card
        .locator('[data-form="reject_form"] [data-testid="form-error"]', { hasText: '请填写「驳回原因」' })
        .waitFor();
      // A refusal from the bot comes back as a visible error toast, as on Feishu; the card stays usable, input kept.
      const reason = card.locator('[data-testid="form-field-reason"]');
      await reason.fill('太长'.repeat(251));
      const seq = (await sim.toastSeq()) + 1;
      // 驳回 asks first: the first click only arms the button.
      await sim.button(card, '驳回').click();
      expect(await sim.button(card, '驳回').getAttribute('data-armed')).toBe('true');
      await sim.button(card, '驳回').click();
      const toast = await sim.toast(seq);
      expect(toast).toEqual({ type: 'error', text: expect.stringContaining('原因最多 500 个字符') });
      expect(await sim.toasts().filter({ hasText: '原因最多 500 个字符' }).isVisible()).toBe(true);
      await sim.button(card, '驳回').waitFor();
      expect(await reason.inputValue()).toHaveLength(502);
      await approverDecides('驳回', '已驳回 HO-2026-0001', { reason: '产品清单与需求采集表不一致' });
      // Back to sales to resubmit: that is waiting work too.
      await expect.poll(() => sim.pendingCount('wang.sales'), POLL).toBe(1);
      expect(await sim.pendingCount('zhao.biz')).toBe(0);
    });

    await step('sales-resubmits', async () => {
      await sim.actAs('wang.sales');
      // The rejection notice, not the registration card (which is refreshed first and has the button too).
      const card = sim.cardWithButton('重新提交', '产品清单与需求采集表不一致');
      expect(await card.getAttribute('data-color')).toBe('red');
      expect(await card.locator('[data-testid="card-ask"]').textContent()).toContain('请修改后重新提交');
      // The history is folded; one tap opens it.
      await card.locator('[data-testid="card-history"] summary').click();
      await card.locator('[data-testid="history-entry"]', { hasText: '产品清单与需求采集表不一致' }).waitFor();
      await decide('重新提交', {}, '已重新提交 HO-2026-0001（第 2 轮）');
      await expect.poll(() => sim.pendingCount('li.lead'), POLL).toBe(1);
      expect(await sim.pendingCount('wang.sales')).toBe(0);
    });

    await step('round-two-approvals', async () => {
      await sim.actAs('li.lead');
      await approverDecides('同意', '已同意「销售主管审批」');
      await sim.actAs('yang.huiyu');
      await approverDecides('同意', '已同意');
      await sim.actAs('zhao.biz');
      await approverDecides('审核通过（电子签名）', '已同意「商务审核」', {
        check_1: 'yes',
        check_2: 'yes',
        check_3: 'yes',
        check_4: 'yes',
        outsourcing: 'yes',
        comment: '需外采 OCR 模块',
      });
      await expect.poll(() => sim.pendingCount('sun.director'), POLL).toBe(1);
    });

    await step('director-accepts', async () => {
      await sim.actAs('sun.director');
      const card = sim.cardWithButton('立项并指派');
      await card.locator('[data-testid="card-subtitle"]', { hasText: '项目总监审核并立项' }).waitFor();
      // The regional PM is preselected by region (north → 周经理（北方）).
      expect(await card.locator('[data-testid="form-field-pm"]').inputValue()).toBe('zhou.pm');
      await approverDecides('立项并指派', '已受理 HO-2026-0001', { feasibility: '产品与需求匹配', risk: '工期可控' });
      // Sales is told (a new message), but nothing waits on them.
      await expect.poll(() => sim.hasUnread('wang.sales'), POLL).toBe(true);
      expect(await sim.pendingCount('wang.sales')).toBe(0);
      // The executing department's turn: the north regional PM, and nobody in the south.
      await expect.poll(() => sim.pendingCount('zhou.pm'), POLL).toBeGreaterThan(0);
      expect(await sim.pendingCount('wu.pm')).toBe(0);
      expect(await sim.pendingCount('sun.director')).toBe(0);
    });

    await step('regional-pm-sees-the-project', async () => {
      await sim.actAs('zhou.pm');
      const card = sim.cardWithButton('提交需求确认');
      expect(await card.getAttribute('data-color')).toBe('green');
      expect(await card.locator('[data-testid="card-subtitle"]').textContent()).toContain('HO-2026-0001');
      await fits(card);
    });

    await step('sales-sees-green', async () => {
      await sim.actAs('wang.sales');
      await sim.botText('已由 孙总监 受理');
      const last = sim.cards().last();
      await expect.poll(() => last.getAttribute('data-color'), POLL).toBe('green');
      expect(await last.textContent()).toContain('需外采产品');
      // Every copy was updated in place: older copies are locked (grey), the live one offers only the cloud order.
      const live = sim.page.locator('[data-testid="card-button"]:not([disabled])');
      await expect.poll(() => live.allTextContents(), POLL).toEqual(['发起云产品下单申请']);
      const colors = async () =>
        new Set(await Promise.all((await sim.cards().all()).map((c) => c.getAttribute('data-color'))));
      await expect.poll(colors, POLL).toEqual(new Set(['green', 'grey']));
    });

    await step('group-chat', async () => {
      await sim.openGroup('handover_news');
      await sim.say('/help');
      await sim.botText('可用命令');
      await sim.actAs('wang.sales');
    });

    expect(browser.externalRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  it('shows mentions, markdown and links injected through user text as plain text (issue 10, finding 2)', async () => {
    await step('injection', async () => {
      const name = '<at user_id=all>所有人</at> **加粗** [点此审批](https://evil.example/p)';
      const phish = 'https://a.example/x)[点此](https://evil.example/q';
      await new LocalChat(h).say(
        'wang.sales',
        `/register name="${name}" customer=客户 kind=project region=south contract=HT-9 signed=no paid=no req=${phish} form=https://docs.example.com/form`,
      );
      await sim.open(`${url}/`);
      await sim.actAs('li.lead');
      const card = sim.cards().filter({ hasText: '点此审批' }).last();
      await expect.poll(() => card.textContent(), POLL).toContain(name);
      expect(await card.locator('strong', { hasText: '加粗' }).count()).toBe(0);
      const hrefs = await card.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      expect(hrefs.length).toBe(2);
      for (const href of hrefs) expect(/^https:\/\/(a\.example|docs\.example\.com)\//.test(href), href).toBe(true);
      expect(await card.locator('a', { hasText: '点此' }).count()).toBe(0);
    });
  }, 60_000);
});
