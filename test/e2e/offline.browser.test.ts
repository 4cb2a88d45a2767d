import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../helpers/browser';

/**
 * The browser sessions the other browser tests use are offline: a request to anywhere but the app (and the origins
 * a test allows) is blocked and recorded, which is what their `externalRequests` checks rely on.
 */
describe.runIf(chromiumAvailable())('a browser session (headless Chromium)', () => {
  const app = createServer((req, res) => {
    res.writeHead(200, { 'content-type': req.url === '/' ? 'text/html' : 'text/javascript' });
    res.end(
      req.url === '/'
        ? '<img src="https://cdn.example/logo.png"><link rel="stylesheet" href="http://127.0.0.1:1/x.css">' +
            '<script src="/app.js"></script>'
        : 'globalThis.appScript = "ran";',
    );
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => app.close(resolve)));

  it('reaches the app, and only the app: anything else is blocked and recorded', async () => {
    const browser = await launchChromium({ origin: url });
    try {
      await browser.page.goto(`${url}/`);
      expect(await browser.page.evaluate(() => (globalThis as { appScript?: string }).appScript)).toBe('ran');
      await expect.poll(() => browser.externalRequests.length).toBe(2);
      expect(browser.externalRequests.sort()).toEqual(['http://127.0.0.1:1/x.css', 'https://cdn.example/logo.png']);
      // Another port of the same host is another origin.
      const port = Number(new URL(url).port);
      const otherPort = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}/`;
      expect(
        await browser.page.evaluate(
          (u) =>
            fetch(u).then(
              () => 'reached',
              (e: Error) => e.name,
            ),
          otherPort,
        ),
      ).toBe('TypeError');
      expect(browser.externalRequests).toContain(otherPort);
    } finally {
      await browser.close();
    }
  });
});
