import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import { type BrowserSession, CHROMIUM_PATH, launchChromium, SimulatorPage, saveScreenshot } from '../helpers/browser';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * The issue's acceptance test: the local simulator page in real headless Chromium, offline. One person at a time
 * plays each role, the way a tester would: wang.sales registers, the approvers decide (one rejects, wang.sales
 * resubmits), and each step checks what that person sees — buttons, badges, colours, history, toasts.
 */
const POLL = { timeout: 15_000, interval: 50 };
const MINUTE = 60_000;

/**
 * Without a Chromium binary (a developer machine that has not run `apt-get install chromium`), this file reports
 * itself as skipped with the reason, so `npm test` still passes there. Under CI it always runs: .ci/run installs
 * Chromium, and a missing one is a failure, never a silent skip.
 */
const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env.CI)
  throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: .ci/run must install chromium`);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium)`);

describe.runIf(hasChromium)('local simulator page (headless Chromium)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let browser: BrowserSession;
  let sim: SimulatorPage;
  let url: string;

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi] });
    url = (await h.listen()).url;
    // A browser in another zone: history times must still be shown in Asia/Shanghai.
    browser = await launchChromium({ origin: url, timezoneId: 'America/New_York' });
    sim = new SimulatorPage(browser.page);
  }, 60_000);

  afterAll(async () => {
    // Close the page first: its event stream is an open connection the server would wait for.
    await browser?.close();
    await h?.stop();
  }, 60_000);

  /** Runs a step; on failure saves test-results/local-ui-<step>.png and rethrows. */
  async function step(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const shot = await saveScreenshot(browser.page, `local-ui-${name}`);
      throw new Error(`step "${name}" failed${shot ? ` (screenshot: ${shot})` : ''}: ${String(e)}`, { cause: e });
    }
  }

  /** Fills the form fields, clicks `label` on the newest card that has it, waits for the toast and for the button to go. */
  async function decide(label: string, form: Record<string, string>, toastText: string): Promise<string> {
    // Pin the card by id: a newer copy may arrive while we fill the form.
    const id = (await sim.cardWithButton(label).getAttribute('data-message-id')) ?? '';
    const card = sim.cardById(id);
    for (const [name, value] of Object.entries(form)) {
      const field = card.locator(`[data-testid="form-field-${name}"]`);
      if ((await field.getAttribute('data-kind')) === 'select') await field.selectOption(value);
      else await field.fill(value);
    }
    const seq = (await sim.toastSeq()) + 1;
    await sim.button(card, label).click();
    const toast = await sim.toast(seq);
    expect(toast.type).toBe('success');
    expect(toast.text).toContain(toastText);
    // The card was re-rendered from the updated model: the button is gone (not merely disabled while pending).
    await card.locator(`[data-testid="card-button"][data-label="${label}"]`).waitFor({ state: 'detached' });
    h.clock.advance(MINUTE);
    return id;
  }

  /** An approver decides: afterwards their copy of the card is read-only, with no button left. */
  async function approverDecides(label: string, toastText: string, form: Record<string, string> = {}): Promise<void> {
    const id = await decide(label, form, toastText);
    await sim.page.locator(`[data-testid="card"][data-message-id="${id}"][data-closed]`).waitFor();
    expect(await sim.cardById(id).locator('[data-testid="card-button"], [data-testid="card-form"]').count()).toBe(0);
  }

  it('plays the approval chain with a rejection and a resubmission', async () => {
    await step('open', async () => {
      await sim.open(`${url}/`);
      expect(await sim.page.locator('[data-testid="person"]').count()).toBe(12);
      await expect.poll(() => sim.person('yang.huiyu').textContent(), POLL).toContain('特批领导（北方）');
      await expect.poll(() => sim.group('handover_news').textContent(), POLL).toContain('项目移交新闻');
      // The first person is selected by default.
      await sim.page.locator('[data-testid="person"].current[data-user-id="wang.sales"]').waitFor();
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
      expect(await card.locator('[data-testid="card-note"]').textContent()).toContain('已提交登记');
      const reqLink = card.locator('a', { hasText: '用户需求采集表' });
      expect(await reqLink.getAttribute('href')).toBe('https://docs.example.com/req');
      expect(await card.locator('[data-testid="history-entry"]').first().textContent()).toContain('2026-03-02 10:00');
      expect(await sim.button(card, '撤回').count()).toBe(1);
      await expect.poll(() => sim.badge('li.lead').isVisible(), POLL).toBe(true);
      expect(await sim.badge('dai.juanxiang').isVisible()).toBe(false);
      h.clock.advance(MINUTE);
    });

    await step('reload-restores', async () => {
      await sim.page.reload();
      await sim.ready();
      await sim.cards().last().locator('[data-testid="card-subtitle"]', { hasText: '销售主管审批' }).waitFor();
    });

    await step('sales-lead-approves', async () => {
      await sim.actAs('li.lead');
      expect(await sim.badge('li.lead').isVisible()).toBe(false);
      const card = sim.cardWithButton('同意');
      expect(await card.locator('[data-testid="card-note"]').textContent()).toContain('请处理：销售主管审批');
      expect(await sim.button(card, '驳回').count()).toBe(1);
      await approverDecides('同意', '已同意（销售主管审批）');
      await expect.poll(() => sim.badge('yang.huiyu').isVisible(), POLL).toBe(true);
      expect(await sim.badge('dai.juanxiang').isVisible()).toBe(false);
    });

    await step('special-approver-approves', async () => {
      await sim.actAs('yang.huiyu');
      await sim
        .cardWithButton('同意')
        .locator('[data-testid="card-subtitle"]', { hasText: '特批领导审批（北方）' })
        .waitFor();
      await approverDecides('同意', '已同意');
      await expect.poll(() => sim.badge('zhao.biz').isVisible(), POLL).toBe(true);
    });

    await step('commercial-review-rejects', async () => {
      await sim.actAs('zhao.biz');
      const card = sim.cardWithButton('审核通过');
      await card.locator('[data-testid="card-checklist"]').waitFor();
      expect(await card.locator('[data-testid="card-form"]').count()).toBe(2);
      // `required` is enforced on the page, with a visible message, before anything is sent.
      await sim.button(card, '审核通过').click();
      await card
        .locator('[data-form="approve_form"] [data-testid="form-error"]', { hasText: '请选择「是否需外采产品」' })
        .waitFor();
      await sim.button(card, '驳回').click();
      await card
        .locator('[data-form="reject_form"] [data-testid="form-error"]', { hasText: '请填写「驳回原因」' })
        .waitFor();
      // A refusal from the bot comes back as a visible error toast, as on Feishu; the card stays usable, input kept.
      const reason = card.locator('[data-testid="form-field-reason"]');
      await reason.fill('太长'.repeat(251));
      const seq = (await sim.toastSeq()) + 1;
      await sim.button(card, '驳回').click();
      const toast = await sim.toast(seq);
      expect(toast).toEqual({ type: 'error', text: expect.stringContaining('原因最多 500 个字符') });
      expect(await sim.toasts().filter({ hasText: '原因最多 500 个字符' }).isVisible()).toBe(true);
      await sim.button(card, '驳回').waitFor();
      expect(await reason.inputValue()).toHaveLength(502);
      await approverDecides('驳回', '已驳回 HO-2026-0001', { reason: '产品清单与需求采集表不一致' });
      await expect.poll(() => sim.badge('wang.sales').isVisible(), POLL).toBe(true);
    });

    await step('sales-resubmits', async () => {
      await sim.actAs('wang.sales');
      // The rejection notice, not the registration card (which is refreshed first and has the button too).
      const card = sim.cardWithButton('重新提交', '原因：产品清单与需求采集表不一致');
      expect(await card.getAttribute('data-color')).toBe('red');
      expect(await card.locator('[data-testid="card-note"]').textContent()).toContain(
        '原因：产品清单与需求采集表不一致',
      );
      await card.locator('[data-testid="history-entry"]', { hasText: '产品清单与需求采集表不一致' }).waitFor();
      await decide('重新提交', {}, '已重新提交 HO-2026-0001（第 2 轮）');
      await expect.poll(() => sim.badge('li.lead').isVisible(), POLL).toBe(true);
    });

    await step('round-two-approvals', async () => {
      await sim.actAs('li.lead');
      await approverDecides('同意', '已同意（销售主管审批）');
      await sim.actAs('yang.huiyu');
      await approverDecides('同意', '已同意');
      await sim.actAs('zhao.biz');
      await approverDecides('审核通过', '已同意（商务审核）', { outsourcing: 'yes', comment: '需外采 OCR 模块' });
      await expect.poll(() => sim.badge('sun.director').isVisible(), POLL).toBe(true);
    });

    await step('director-accepts', async () => {
      await sim.actAs('sun.director');
      const card = sim.cardWithButton('立项并指派');
      await card.locator('[data-testid="card-subtitle"]', { hasText: '项目总监受理' }).waitFor();
      // The regional PM is preselected by region (north → 周经理（北方）).
      expect(await card.locator('[data-testid="form-field-pm"]').inputValue()).toBe('zhou.pm');
      await approverDecides('立项并指派', '已受理 HO-2026-0001', { feasibility: '产品与需求匹配' });
      await expect.poll(() => sim.badge('wang.sales').isVisible(), POLL).toBe(true);
      // The executing department's turn: the north regional PM, and nobody in the south.
      await expect.poll(() => sim.badge('zhou.pm').isVisible(), POLL).toBe(true);
      expect(await sim.badge('wu.pm').isVisible()).toBe(false);
    });

    await step('regional-pm-sees-the-project', async () => {
      await sim.actAs('zhou.pm');
      const card = sim.cardWithButton('提交需求确认');
      expect(await card.getAttribute('data-color')).toBe('green');
      expect(await card.locator('[data-testid="card-subtitle"]').textContent()).toContain('HO-2026-0001');
    });

    await step('sales-sees-green', async () => {
      await sim.actAs('wang.sales');
      await sim.botText('已由 孙总监 受理');
      const last = sim.cards().last();
      await expect.poll(() => last.getAttribute('data-color'), POLL).toBe('green');
      expect(await last.textContent()).toContain('需外采产品');
      // Every copy of the project card was updated in place: no live button anywhere in the chat.
      expect(await sim.page.locator('[data-testid="card-button"]:not([disabled])').count()).toBe(0);
      const colors = async () =>
        new Set(await Promise.all((await sim.cards().all()).map((c) => c.getAttribute('data-color'))));
      await expect.poll(colors, POLL).toEqual(new Set(['green']));
    });

    await step('group-chat', async () => {
      await sim.openGroup('handover_news');
      await sim.say('/help');
      await sim.botText('可用命令');
      await sim.actAs('wang.sales');
    });

    expect(browser.externalRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);
  it('serves only its own assets and answers bad API calls with clear errors', async () => {
    const post = (path: string, body: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const js = await fetch(`${url}/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${url}/assets/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of ['/assets/..%2F..%2Fbootstrap.ts', '/assets/index.html', '/assets/toString', '/assets/.env']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    }
    const unknown = await post('/api/local/say', JSON.stringify({ userId: 'nobody', text: '/help' }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('组织名单中没有用户「nobody」');
    expect((await post('/api/local/say', '{')).status).toBe(400);
    const elsewhere = await post(
      '/api/local/say',
      JSON.stringify({ userId: 'wang.sales', text: 'x', conversation: 'dm:li.lead' }),
    );
    expect(elsewhere.status).toBe(400);
    const huge = await post('/api/local/say', JSON.stringify({ userId: 'wang.sales', text: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    const noCard = await post(
      '/api/local/click',
      JSON.stringify({ userId: 'wang.sales', messageId: 'lm_404', value: {} }),
    );
    expect(noCard.status).toBe(400);
  });

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
