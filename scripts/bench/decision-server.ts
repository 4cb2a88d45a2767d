/**
 * Seeds the decision benchmark's product server (`node --import tsx scripts/bench/decision-server.ts seed <dir> <n>`):
 * writes `<dir>/org.yaml` (the demo org with Feishu ids) and `<dir>/handoff.db` with `n` projects waiting for the
 * commercial review, each with the reviewer's card recorded (so a click re-renders it inline, as in real use), then
 * exits. The product then runs on them as the admin runs it, `node dist/src/main.js` (see decisions.ts); the bare
 * baseline is bare-decision-server.mjs. Neither measured server carries the TypeScript loader.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseOrgFile } from '../../src/config/org-file';

const [mode, dir, projectsArg] = process.argv.slice(2);

async function seed(into: string, projects: number): Promise<void> {
  const { bootstrap } = await import('../../src/bootstrap');
  const { silentLogger } = await import('../../src/shared/logger');
  const { testConfig } = await import('../../test/helpers/handoff');
  const { seedAwaitingReview } = await import('./decision-seed');
  const { APP, BENCH_ENCRYPT_KEY, BENCH_VERIFICATION_TOKEN, benchFeishuOrg } = await import('./decision-shared');
  const orgPath = join(into, 'org.yaml');
  writeFileSync(orgPath, stringify(await benchFeishuOrg()));
  // Read back through the real loader, as main.js will read it.
  const { readFileSync } = await import('node:fs');
  const org = parseOrgFile(readFileSync(orgPath, 'utf8'), orgPath);
  const h = bootstrap(
    testConfig({
      databasePath: join(into, 'handoff.db'),
      localUi: false,
      feishu: {
        ...APP,
        verificationToken: BENCH_VERIFICATION_TOKEN,
        encryptKey: BENCH_ENCRYPT_KEY,
        baseUrl: 'http://127.0.0.1:9',
        mode: 'webhook',
      },
    }),
    { logger: silentLogger, scheduler: false, org },
  );
  seedAwaitingReview(h.deps, projects);
  await h.stop();
}

if (mode === 'seed' && dir) await seed(dir, Number(projectsArg));
else {
  process.stderr.write('usage: decision-server.ts seed <dir> <projects>\n');
  process.exit(2);
}
