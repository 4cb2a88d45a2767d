import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountLocalUi } from '../../src/http/routes/local';
import { type BrowserSession, CHROMIUM_PATH, launchChromium, SimulatorPage } from '../helpers/browser';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

/**
 * Issue 10, finding 1, replayed in real Chromium: while the admin has the simulator open, a page from ANOTHER origin
 * (another port of 127.0.0.1, served by this test) tries to approve li.lead's step — a no-cors text/plain fetch (the
 * attack that worked), a JSON form trick, an ordinary form, a CORS JSON fetch, a card click — and to read the
 * conversations and the event stream, and to frame the page. Nothing may move in the database, nothing may be read,
 * and the simulator's own page must still work afterwards.
 */
const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env.CI)
  throw new Error(`CI=true but ${CHROMIUM_PATH} is missing: .ci/run must install chromium`);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium)`);

/** The attacker's page: every forgery at once; `window.results` says what each one could see. */
function evilPage(target: string, messageId: string, value: unknown): string {
  const say = JSON.stringify({ userId: 'li.lead', text: '/approve HO-2026-0001 伪造' });
  const click = JSON.stringify({ userId: 'li.lead', messageId, value });
  // A text/plain form whose body is JSON: name + "=" + value → {"userId":…,"pad":"="}
  const jsonName = say.replace(/\}$/, ',"pad":"');
  const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll("'", '&#39;');
  return `<!doctype html><meta charset="utf-8"><title>evil</title>
<form id="textForm" method="POST" action="${target}/api/local/say" enctype="text/plain" target="sink1">
  <input name='${esc(jsonName)}' value='"}'></form>
<form id="plainForm" method="POST" action="${target}/api/local/say" target="sink2">
  <input name="userId" value="li.lead"><input name="text" value="/approve HO-2026-0001 伪造"></form>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe>
<iframe id="framed" src="${target}/"></iframe>
<script>
(async () => {
  const T = ${JSON.stringify(target)};
  const r = {};
  const attempt = async (name, fn) => { try { r[name] = await fn(); } catch (e) { r[name] = 'blocked: ' + e.name; } };
  await attempt('noCorsSay', async () => (await fetch(T + '/api/local/say', { method: 'POST', mode: 'no-cors',
    headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(say)} })).type);
  await attempt('noCorsClick', async () => (await fetch(T + '/api/local/click', { method: 'POST', mode: 'no-cors',
    headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(click)} })).type);
  await attempt('corsJsonSay', async () => (await fetch(T + '/api/local/say', { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(say)} })).status);
  await attempt('readBootstrap', async () => await (await fetch(T + '/api/local/bootstrap')).text());
  await attempt('opaqueBootstrap', async () => (await (await fetch(T + '/api/local/bootstrap', { mode: 'no-cors' })).text()).length);
  r.events = await new Promise((done) => {
    const es = new EventSource(T + '/api/local/events');
    es.onmessage = (e) => { es.close(); done('read: ' + e.data); };
    es.onerror = () => { es.close(); done('blocked'); };
    setTimeout(() => { es.close(); done('nothing'); }, 3000);
  });
  const loaded = (name) => new Promise((done) => { document.querySelector('iframe[name=' + name + ']').onload = done; });
  const sinks = [loaded('sink1'), loaded('sink2')];
  document.getElementById('textForm').submit();
  document.getElementById('plainForm').submit();
  await Promise.all(sinks);
  window.results = r;
})();
</script>`;
}

describe.runIf(hasChromium)('simulator API against a forging page in another origin (headless Chromium)', () => {
  let h: ReturnType<typeof createTestHandoff>;
  let url: string;
  let evil: Server;
  let evilUrl: string;
  let browser: BrowserSession;
  /** What the simulator's server answered, as it saw it: `POST /api/local/say 403` … */
  const served: string[] = [];

  beforeAll(async () => {
    h = createTestHandoff({ mounts: [mountLocalUi] });
    const listening = await h.listen();
    url = listening.url;
    listening.server.on('request', (req, res) =>
      res.on('finish', () => served.push(`${req.method} ${req.url} ${res.statusCode}`)),
    );
    await new LocalChat(h).say('wang.sales', REGISTER_NORTH_UNSIGNED);
    const card = h.local?.conversation('dm:li.lead').findLast((m) => m.content.kind === 'card');
    const approve = card?.content.kind === 'card' ? card.content.card.actions.find((a) => a.label === '同意') : null;
    if (!card || !approve) throw new Error('li.lead has no approval card');
    const html = evilPage(url, card.id, approve.value);
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await launchChromium({ origin: url, alsoAllow: [evilUrl], viewport: { width: 1366, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => evil?.close(resolve));
    await h?.stop();
  }, 60_000);

  const auditRows = () => (h.db.$client.prepare('select count(*) as n from audit_log').get() as { n: number }).n;

  it('a foreign page forges nothing and reads nothing; the simulator page still works', async () => {
    const sim = new SimulatorPage(browser.page);
    // The admin has the simulator open in one tab …
    await sim.open(`${url}/`);
    const before = { version: h.deps.projects.get('HO-2026-0001')?.version, audit: auditRows() };
    served.length = 0;
    const tab = await browser.context.newPage();
    // … and visits the attacker's page in another.
    await tab.goto(`${evilUrl}/`);
    const results = (
      await tab.waitForFunction(() => (globalThis as { results?: unknown }).results, null, {
        timeout: 20_000,
      })
    ).jsonValue() as Promise<Record<string, unknown>>;
    const r = await results;
    // The no-cors requests went out and the server refused them; even the opaque answer is withheld from the page
    // (Cross-Origin-Resource-Policy: same-origin), so the fetch itself fails.
    expect(r.noCorsSay).toBe('blocked: TypeError');
    expect(r.noCorsClick).toBe('blocked: TypeError');
    const statuses = [...served];
    const refused = ['POST /api/local/say 403', 'POST /api/local/click 403'];
    expect(statuses).toEqual(expect.arrayContaining([...refused, 'GET /api/local/bootstrap 403']));
    // Both forms reached the server too, and were refused.
    expect(statuses.filter((s) => s === 'POST /api/local/say 403').length).toBeGreaterThanOrEqual(3);
    // A JSON fetch needs a preflight, which is not granted; reading needs CORS, which is never granted.
    expect(r.corsJsonSay).toBe('blocked: TypeError');
    expect(r.readBootstrap).toBe('blocked: TypeError');
    expect(r.opaqueBootstrap).toBe('blocked: TypeError');
    expect(r.events).toBe('blocked');
    expect(statuses.filter((s) => s.startsWith('POST') && !s.endsWith(' 403'))).toEqual([]);
    expect(statuses.filter((s) => s.startsWith('GET /api/') && !/ 40[13]$/.test(s))).toEqual([]);
    // The framed simulator page never came up inside the attacker's page.
    const framed = tab.frames().find((f) => f.url().startsWith(url));
    expect(framed ? await framed.locator('[data-testid="person"]').count() : 0).toBe(0);

    await h.flush();
    expect(h.deps.projects.get('HO-2026-0001')?.version).toBe(before.version);
    expect(auditRows()).toBe(before.audit);
    const forged = h.local?.conversation('dm:li.lead').filter((m) => m.from === 'li.lead') ?? [];
    expect(forged).toEqual([]);
    await tab.close();

    // The admin's own page: li.lead approves for real, and the database moves.
    await sim.actAs('li.lead');
    const card = sim.cardWithButton('同意');
    const seq = (await sim.toastSeq()) + 1;
    await sim.button(card, '同意').click();
    expect(await sim.toast(seq)).toEqual({ type: 'success', text: expect.stringContaining('已同意') });
    await expect.poll(() => h.deps.projects.get('HO-2026-0001')?.version).toBeGreaterThan(before.version ?? 0);
    expect(auditRows()).toBeGreaterThan(before.audit);
    expect(browser.pageErrors).toEqual([]);
    expect(browser.externalRequests).toEqual([]);
  }, 60_000);
});
