/**
 * The directory through the whole bot: a Feishu-configured Handoff whose commercial reviewer is given by e-mail only.
 * Before resolution he is not reachable on Feishu (the simulator keeps working with ids); after it his cards arrive
 * under the open_id Feishu answered; a restart reads the cache and asks nothing again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cron from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootstrap, type Handoff } from '../../src/bootstrap';
import type { OrgFile } from '../../src/config/org-file';
import { createLogger } from '../../src/shared/logger';
import { FakeClock } from '../helpers/fake-clock';
import { type FakeFeishu, startFakeFeishu } from '../helpers/fake-feishu';
import { FeishuChat, feishuConfig, feishuOrg, openIdOf } from '../helpers/feishu-chat';
import { LocalChat, REGISTER_NORTH_UNSIGNED, testConfig, virtualDelivery } from '../helpers/handoff';

const REGISTER_SIGNED =
  '/register name="北方智慧园区" customer=北方客户 kind=project region=north contract=HT-2026-001 signed=yes paid=yes req=https://docs.example.com/req form=https://docs.example.com/form';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** feishuOrg with zhao.biz (the commercial reviewer) given by e-mail and mobile instead of his open_id. */
function orgByEmail(): OrgFile {
  const org = feishuOrg();
  const zhao = org.users.find((u) => u.id === 'zhao.biz');
  if (!zhao) throw new Error('demo org without zhao.biz');
  delete zhao.feishu;
  zhao.email = 'zhao@corp.example';
  zhao.mobile = '13800000009';
  return org;
}

/** Boots the bot (not listening yet: `listen` starts the start-up directory pass). */
function boot(fake: FakeFeishu, appId: string, databasePath: string, lines: string[] = []) {
  const feishu = feishuConfig(appId, fake);
  const clock = new FakeClock();
  const h: Handoff = bootstrap(testConfig({ feishu, localUi: true, databasePath }), {
    clock,
    logger: createLogger('info', {}, (l) => lines.push(l)),
    org: orgByEmail(),
    scheduler: false,
    delivery: virtualDelivery(),
    directory: { sleep: async () => {} },
  });
  stops.push(() => h.stop());
  return {
    h,
    async listen() {
      const { url } = await h.listen();
      return new FeishuChat(fake, url, clock, () => h.flush());
    },
  };
}

describe('directory (Feishu, through the bot)', () => {
  it('resolves a person given by e-mail at start-up, then cards reach their open_id; a restart asks nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-dir-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const appId = 'cli_directory000000';
    const fake = await startFakeFeishu({ appId, appSecret: 'secret' });
    stops.push(() => fake.close());
    fake.addContacts({ openId: openIdOf('zhao.biz'), email: 'zhao@corp.example' });
    const lines: string[] = [];
    const { h, listen } = boot(fake, appId, join(dir, 'handoff.db'), lines);

    // Not resolved yet: reachable in the simulator only.
    expect(h.deps.org.identitiesOf('zhao.biz').map((i) => i.platform)).toEqual(['local']);
    expect(h.unresolved()).toEqual([expect.objectContaining({ userId: 'zhao.biz', reason: 'pending' })]);
    const chat = await listen();

    const report = await h.resolveDirectory(); // shares the start-up pass listen() began
    expect(report).toMatchObject({ found: 1, unresolved: [] });
    expect(fake.contactCalls).toEqual([{ emails: ['zhao@corp.example'], mobiles: [] }]);
    expect(h.deps.org.identitiesOf('zhao.biz')).toContainEqual({ platform: 'feishu', platformUserId: 'ou_zhao_biz' });
    expect(h.unresolved()).toEqual([]);
    expect(lines.some((l) => l.includes('directory: everyone resolved'))).toBe(true);

    await chat.say('wang.sales', REGISTER_SIGNED);
    expect(chat.buttons('zhao.biz')).toContain('审核通过（电子签名）');
    await h.stop();

    // Restart on the same database: the cached id is in force before anything is asked.
    fake.reset();
    const again = boot(fake, appId, join(dir, 'handoff.db'));
    expect(again.h.deps.org.identitiesOf('zhao.biz')).toContainEqual({
      platform: 'feishu',
      platformUserId: 'ou_zhao_biz',
    });
    await again.listen();
    await again.h.resolveDirectory();
    expect(fake.contactCalls).toEqual([]);
  });

  it('someone found after a step started waiting on them gets its card on the platform just found', async () => {
    const appId = 'cli_directory000002';
    const fake = await startFakeFeishu({ appId, appSecret: 'secret' });
    stops.push(() => fake.close());
    fake.addContacts({ openId: openIdOf('zhao.biz'), email: 'zhao@corp.example' });
    const { h } = boot(fake, appId, ':memory:');
    const local = new LocalChat(h);
    await local.say('wang.sales', REGISTER_SIGNED); // through the simulator, before any directory pass
    expect(local.cards('zhao.biz')).toHaveLength(1);
    expect(fake.messages.filter((m) => m.receive_id === openIdOf('zhao.biz'))).toHaveLength(0);

    await h.resolveDirectory();
    await h.flush();

    const toZhao = fake.messages.filter((m) => m.receive_id === openIdOf('zhao.biz'));
    expect(toZhao).toHaveLength(1);
    expect(JSON.stringify(toZhao[0]?.content)).toContain('请处理');
    expect(local.cards('zhao.biz')).toHaveLength(1); // nothing again where he was reachable already
    await h.resolveDirectory({ refresh: true });
    await h.flush();
    expect(fake.messages.filter((m) => m.receive_id === openIdOf('zhao.biz'))).toHaveLength(1);
  });

  it('a reloaded org with a new holder given by e-mail: looked up, then the waiting card reaches them on Feishu', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-dir-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const orgFile = join(dir, 'org.json'); // JSON is YAML
    const org = feishuOrg();
    writeFileSync(orgFile, JSON.stringify(org));
    const appId = 'cli_directory000003';
    const fake = await startFakeFeishu({ appId, appSecret: 'secret' });
    stops.push(() => fake.close());
    fake.addContacts({ openId: 'ou_niu', email: 'niu@corp.example' });
    const clock = new FakeClock();
    const h = bootstrap(testConfig({ feishu: feishuConfig(appId, fake), localUi: false, orgFile }), {
      clock,
      logger: createLogger('silent'),
      scheduler: false,
      watch: false,
      delivery: virtualDelivery(),
      directory: { sleep: async () => {} },
    });
    stops.push(() => h.stop());
    const chat = new FeishuChat(fake, (await h.listen()).url, clock, () => h.flush());
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED);
    expect(chat.buttons('li.lead')).toContain('同意');

    org.users.push({ id: 'niu.lead', name: '牛主管', email: 'niu@corp.example' });
    org.roles.sales_lead = ['li.lead', 'niu.lead'];
    writeFileSync(orgFile, JSON.stringify(org));
    expect(h.reload()).toMatchObject({ org: 'reloaded' });
    await vi.waitFor(
      () =>
        expect(h.deps.org.identitiesOf('niu.lead')).toContainEqual({ platform: 'feishu', platformUserId: 'ou_niu' }),
      { timeout: 10_000, interval: 20 },
    );
    await h.flush();

    const toNiu = fake.messages.filter((m) => m.receive_id === 'ou_niu');
    expect(toNiu).toHaveLength(1);
    expect(JSON.stringify(toNiu[0]?.content)).toContain('请处理');
  });

  it('schedules the daily refresh (DIRECTORY_CRON) only when a platform with a contact API runs', async () => {
    const appId = 'cli_directory000004';
    const fake = await startFakeFeishu({ appId, appSecret: 'secret' });
    stops.push(() => fake.close());
    const jobs = () => [...cron.getTasks().values()].filter((t) => t.name === 'directory');
    const h = bootstrap(
      testConfig({ feishu: feishuConfig(appId, fake), localUi: false, directoryCron: '30 6 * * *' }),
      {
        clock: new FakeClock(),
        logger: createLogger('silent'),
        org: orgByEmail(),
        watch: false,
        delivery: virtualDelivery(),
      },
    );
    await h.listen();
    const [job] = jobs();
    expect(job?.match(new Date('2026-03-01T22:30:00Z'))).toBe(true); // 06:30 in Asia/Shanghai
    expect(job?.match(new Date('2026-03-01T06:30:00Z'))).toBe(false);
    await h.stop();
    expect(jobs()).toEqual([]);

    const local = bootstrap(testConfig({ localUi: true }), { logger: createLogger('silent'), watch: false });
    stops.push(() => local.stop());
    await local.listen();
    expect(jobs()).toEqual([]);
  });

  it('reports who could not be resolved in the log, and keeps serving everyone else', async () => {
    const appId = 'cli_directory000001';
    const fake = await startFakeFeishu({ appId, appSecret: 'secret' });
    stops.push(() => fake.close());
    const lines: string[] = [];
    const { h, listen } = boot(fake, appId, ':memory:', lines);
    const chat = await listen();

    const report = await h.resolveDirectory();

    expect(report.unresolved).toEqual([expect.objectContaining({ userId: 'zhao.biz', reason: 'not_found' })]);
    const warn = lines
      .map((l) => JSON.parse(l) as { level: string; msg: string })
      .find((l) => l.msg.startsWith('directory:'));
    expect(warn?.level).toBe('warn');
    expect(warn?.msg).toContain('feishu: zhao.biz (赵商务; zhao@corp.example, 138****0009) — not found');
    // Both the e-mail and the mobile were asked.
    expect(fake.contactCalls).toEqual([
      { emails: ['zhao@corp.example'], mobiles: [] },
      { emails: [], mobiles: ['13800000009'] },
    ]);
    await chat.say('wang.sales', REGISTER_SIGNED);
    expect(chat.cards('wang.sales')).toHaveLength(1);
    expect(fake.messages.some((m) => m.receive_id === openIdOf('zhao.biz'))).toBe(false);
  });
});
