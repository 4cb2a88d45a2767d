/**
 * Vitest global set-up (vitest.config.ts): one headless Chromium for the whole run instead of one per test file. It
 * starts on the first ask, so a run without browser tests starts none: a test asks the broker (a local HTTP server
 * whose address `inject('chromiumBroker')` gives) and gets the browser server's WebSocket address back; each test
 * session then connects and opens its own fresh context (test/helpers/browser.ts). Closed when the run ends.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BrowserServer, chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>/`: answers with the shared Chromium's WebSocket endpoint, launching it first. */
    chromiumBroker: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: Promise<BrowserServer> | null = null;
  const broker = createServer((_req, res) => {
    server ??= chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    server.then(
      (s) => res.end(s.wsEndpoint()),
      (e: unknown) => res.writeHead(500).end(`Chromium at ${CHROMIUM_PATH} did not start: ${String(e)}`),
    );
  });
  await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
  project.provide('chromiumBroker', `http://127.0.0.1:${(broker.address() as AddressInfo).port}/`);
  return async () => {
    broker.closeAllConnections();
    await new Promise((resolve) => broker.close(resolve));
    await (await server?.catch(() => null))?.close();
  };
}
