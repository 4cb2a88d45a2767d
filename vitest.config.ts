import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Threads without per-file isolation: each worker loads Koa, drizzle, zod and the platform SDKs once instead of once
 * per test file (isolation made imports ~45 s of a ~100 s run on 2 cores). Safe here because every test builds its
 * own state (bootstrap per test, `:memory:` or temp databases, fake servers on port 0) and src keeps no module-level
 * mutable state beyond formatter caches and the process files parsed by text (handed out as copies); the Feishu client
 * uses a per-instance token cache, not the SDK's global one.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // expect.poll waits on a condition; 1 s (the default) is too short when both cores are busy.
    expect: { poll: { timeout: 10_000, interval: 20 } },
    pool: 'threads',
    // One worker per core, not vitest's cores − 1: much of the run waits on Chromium, child processes and sockets, so
    // a second worker on 2 cores overlaps that waiting with the CPU-bound files.
    maxWorkers: availableParallelism(),
    isolate: false,
    // One Chromium for the run's browser tests, launched when the first one asks (a context per test session).
    // The Lark SDK's compacted copy, which the bot loads (src/platforms/feishu/sdk-file.ts), made before the tests.
    globalSetup: ['test/helpers/lark-sdk-setup.ts', 'test/helpers/chromium-broker.ts'],
  },
});
