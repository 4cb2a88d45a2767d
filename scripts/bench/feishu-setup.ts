/** A Handoff with Feishu (webhook mode, encrypted) against a local fake Feishu, for the benchmark scenarios. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bootstrap } from '../../src/bootstrap';
import { silentLogger } from '../../src/shared/logger';
import type { FakeFeishuOptions, FakeMessage } from '../../test/helpers/fake-feishu';
import { ENCRYPT_KEY, feishuOrg, VERIFICATION_TOKEN } from '../../test/helpers/feishu-chat';
import { testConfig } from '../../test/helpers/handoff';
import type { FakeWorkerData, FakeWorkerRequest } from './fake-feishu-worker';

export const APP = { appId: 'cli_0000000000bench', appSecret: 'bench-secret' };

export async function feishuHandoff(fakeOpts: FakeFeishuOptions) {
  const fake = await remoteFakeFeishu(fakeOpts);
  const dir = mkdtempSync(join(tmpdir(), 'handoff-bench-'));
  const h = bootstrap(
    testConfig({
      databasePath: join(dir, 'handoff.db'),
      localUi: false,
      feishu: {
        ...APP,
        verificationToken: VERIFICATION_TOKEN,
        encryptKey: ENCRYPT_KEY,
        baseUrl: fake.baseUrl,
        mode: 'webhook',
      },
    }),
    { logger: silentLogger, scheduler: false, org: feishuOrg() },
  );
  const { url } = await h.listen();
  return {
    h,
    fake,
    url,
    dir,
    async stop() {
      await h.stop();
      await fake.close();
    },
  };
}

type Ask = FakeWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The fake Feishu in a worker thread (see fake-feishu-worker.ts): its state is read with messages. */
export async function remoteFakeFeishu(opts: FakeFeishuOptions) {
  // Workers do not inherit tsx's loader: the worker registers it before importing the TypeScript entry.
  const entry = new URL('./fake-feishu-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const data: FakeWorkerData = { app: APP, opts };
  const worker = new Worker(boot, { eval: true, workerData: data });
  const pending = new Map<number, (v: unknown) => void>();
  let seq = 0;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { ready?: string; id?: number; result?: unknown }) => {
      if (m.ready) resolve(m.ready);
      else if (m.id !== undefined) {
        pending.get(m.id)?.(m.result);
        pending.delete(m.id);
      }
    });
  });
  const ask = <T>(req: Ask): Promise<T> =>
    new Promise((resolve) => {
      const id = ++seq;
      pending.set(id, resolve as (v: unknown) => void);
      worker.postMessage({ ...req, id });
    });
  return {
    baseUrl,
    rateLimited: () => ask<number>({ op: 'rateLimited' }),
    messagesTo: (to: string) => ask<FakeMessage[]>({ op: 'messagesTo', to }),
    /** When the first message to `to` reached the fake, on this thread's performance.now() clock. */
    arrival: async (to: string) => (await ask<number>({ op: 'arrival', to })) - performance.timeOrigin,
    async close() {
      await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}

/** A tenant token from the fake, for the bare baseline clients. */
export async function tenantToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }),
  });
  return ((await res.json()) as { tenant_access_token: string }).tenant_access_token;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
