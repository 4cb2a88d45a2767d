/**
 * The directory against fake contact APIs over real HTTP, through the real clients (the Feishu SDK, the DingTalk and
 * WeCom fetch clients), with the answers cached in SQLite with the real migrations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Directory, describeUnresolved } from '../../src/app/directory';
import { type OrgFile, parseOrgFile } from '../../src/config/org-file';
import { DingtalkAdapter } from '../../src/platforms/dingtalk/adapter';
import { FeishuAdapter } from '../../src/platforms/feishu/adapter';
import type { ContactLookup, Platform } from '../../src/platforms/types';
import { WecomAdapter } from '../../src/platforms/wecom/adapter';
import { silentLogger } from '../../src/shared/logger';
import { openDb } from '../../src/store/db';
import { SqliteDirectoryCache } from '../../src/store/directory-cache.repo';
import { startFakeDingtalk } from '../helpers/fake-dingtalk';
import { startFakeFeishu } from '../helpers/fake-feishu';
import { MapAdapterState, startFakeWecom } from '../helpers/fake-wecom';

const NOW = new Date('2026-12-01T08:00:00Z');
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** An org file of `users` (YAML flow maps) with no roles. */
const org = (...users: string[]): OrgFile =>
  parseOrgFile(`users:\n${users.map((u) => `  - ${u}`).join('\n')}\nroles: {}\n`, 'test-org.yaml');

function directoryFor(platform: Platform, lookup: ContactLookup, maxAttempts = 3) {
  const db = openDb(':memory:');
  const sleeps: number[] = [];
  const cache = new SqliteDirectoryCache(db);
  const directory = new Directory({
    cache,
    lookups: new Map([[platform, lookup]]),
    clock: { now: () => NOW },
    logger: silentLogger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    maxAttempts,
  });
  closers.push(async () => {
    db.$client.close();
  });
  return { directory, cache, sleeps };
}

describe('directory on Feishu (contact/v3/users/batch_get_id through the SDK)', () => {
  async function setup(maxAttempts = 3) {
    const fake = await startFakeFeishu({ appId: 'cli_dir', appSecret: 'dir-secret' });
    closers.push(() => fake.close());
    const feishu = new FeishuAdapter({
      appId: 'cli_dir',
      appSecret: 'dir-secret',
      baseUrl: fake.baseUrl,
      clock: () => NOW,
      logger: silentLogger,
    });
    return { fake, ...directoryFor('feishu', feishu.contacts, maxAttempts) };
  }

  it('asks in batches of at most 50, fills in the open_ids found and reports who was not found', async () => {
    const { fake, directory, cache } = await setup();
    const people = Array.from({ length: 120 }, (_, i) => `{ id: u${i}, name: 人${i}, email: u${i}@corp.example }`);
    fake.addContacts(...Array.from({ length: 119 }, (_, i) => ({ openId: `ou_${i}`, email: `u${i}@corp.example` })));
    const o = org(...people);

    const report = await directory.resolve(o);

    expect(fake.contactCalls.map((c) => c.emails.length)).toEqual([50, 50, 20]);
    expect(
      fake.requests.filter((r) => r.path.endsWith('/batch_get_id')).every((r) => r.query.user_id_type === 'open_id'),
    ).toBe(true);
    expect(report).toMatchObject({ asked: 120, calls: 3, found: 119, notFound: 1, failed: 0 });
    expect(report.unresolved).toEqual([
      { userId: 'u119', name: '人119', platform: 'feishu', email: 'u119@corp.example', reason: 'not_found' },
    ]);
    const filled = directory.fill(o);
    expect(filled.users[0]?.feishu).toBe('ou_0');
    expect(filled.users[119]?.feishu).toBeUndefined();
    expect(cache.all()).toHaveLength(120);
    expect(describeUnresolved(report.unresolved)).toEqual(['feishu: u119 (人119; u119@corp.example) — not found']);
  });

  it('an id in the file wins and is not asked; e-mails first, then the mobiles of people still unresolved', async () => {
    const { fake, directory } = await setup();
    fake.addContacts(
      { openId: 'ou_mail', email: 'a@corp.example', mobile: '13800000001' },
      { openId: 'ou_phone', mobile: '13800000002' },
      { openId: 'ou_left', email: 'c@corp.example', resigned: true },
    );
    const o = org(
      '{ id: a, name: A, email: a@corp.example, mobile: "13800000001" }',
      '{ id: b, name: B, email: nobody@corp.example, mobile: "13800000002" }',
      '{ id: c, name: C, email: c@corp.example }',
      '{ id: d, name: D, feishu: ou_fixed, email: d@corp.example }',
    );

    const report = await directory.resolve(o);

    expect(fake.contactCalls).toEqual([
      { emails: ['a@corp.example', 'nobody@corp.example', 'c@corp.example'], mobiles: [] },
      { emails: [], mobiles: ['13800000002'] },
    ]);
    expect(directory.fill(o).users.map((u) => u.feishu)).toEqual(['ou_mail', 'ou_phone', undefined, 'ou_fixed']);
    expect(report.unresolved.map((u) => [u.userId, u.reason])).toEqual([['c', 'not_found']]);
  });

  it('a failed batch is recorded as failed while the others resolve, and only it is asked again', async () => {
    const { fake, directory } = await setup(1);
    fake.addContacts(...Array.from({ length: 60 }, (_, i) => ({ openId: `ou_${i}`, email: `u${i}@corp.example` })));
    const o = org(...Array.from({ length: 60 }, (_, i) => `{ id: u${i}, name: 人${i}, email: u${i}@corp.example }`));
    fake.failNext(1, { status: 500, msg: 'internal error' });

    const first = await directory.resolve(o);

    expect(first).toMatchObject({ found: 10, failed: 50 });
    expect(first.unresolved).toHaveLength(50);
    expect(first.unresolved[0]).toMatchObject({ reason: 'failed', error: expect.stringContaining('HTTP 500') });
    fake.contactCalls.length = 0;

    const second = await directory.resolve(o);

    expect(fake.contactCalls.map((c) => c.emails.length)).toEqual([50]);
    expect(second).toMatchObject({ found: 50, failed: 0, unresolved: [] });
  });

  it('a rate-limit answer (429 + x-ogw-ratelimit-reset) waits that long and retries', async () => {
    const { fake, directory, sleeps } = await setup();
    fake.addContacts({ openId: 'ou_a', email: 'a@corp.example' });
    fake.failNext(1, { status: 429, resetSeconds: 3 });

    const report = await directory.resolve(org('{ id: a, name: A, email: a@corp.example }'));

    expect(report).toMatchObject({ calls: 2, found: 1, unresolved: [] });
    expect(sleeps).toContain(3000);
  });

  it('a refused token is renewed and the call repeated; bad credentials leave everyone failed', async () => {
    const { fake, directory } = await setup();
    fake.addContacts({ openId: 'ou_a', email: 'a@corp.example' });
    await directory.resolve(org('{ id: z, name: Z, email: z@corp.example }'));
    fake.invalidateTokens();

    const report = await directory.resolve(org('{ id: a, name: A, email: a@corp.example }'));

    expect(report).toMatchObject({ found: 1 });
    expect(fake.tokenRequests).toHaveLength(2);

    const wrong = new FeishuAdapter({
      appId: 'cli_dir',
      appSecret: 'wrong',
      baseUrl: fake.baseUrl,
      clock: () => NOW,
      logger: silentLogger,
    });
    const other = directoryFor('feishu', wrong.contacts, 1);
    const refused = await other.directory.resolve(org('{ id: a, name: A, email: a@corp.example }'));
    expect(refused.unresolved).toEqual([expect.objectContaining({ userId: 'a', reason: 'failed' })]);
  });

  it('a failed refresh keeps the id found earlier', async () => {
    const { fake, directory, cache } = await setup(1);
    fake.addContacts({ openId: 'ou_a', email: 'a@corp.example' });
    const o = org('{ id: a, name: A, email: a@corp.example }');
    await directory.resolve(o);
    fake.failNext(1, { status: 503 });

    const report = await directory.resolve(o, { refresh: true });

    expect(report.failed).toBe(1);
    expect(directory.fill(o).users[0]?.feishu).toBe('ou_a');
    expect(cache.all()[0]).toMatchObject({
      status: 'found',
      platformUserId: 'ou_a',
      error: expect.stringContaining('503'),
    });
  });
});

describe('directory on DingTalk (topapi/v2/user/getbymobile)', () => {
  async function setup(maxAttempts = 3) {
    const fake = await startFakeDingtalk({ clientId: 'ding_dir', clientSecret: 'dir-secret' });
    closers.push(() => fake.close());
    const dingtalk = new DingtalkAdapter({
      clientId: 'ding_dir',
      clientSecret: 'dir-secret',
      robotCode: 'ding_dir',
      cardTemplateId: 'tpl',
      baseUrl: fake.baseUrl,
      oapiBaseUrl: fake.baseUrl,
      clock: () => NOW,
      logger: silentLogger,
    });
    return { fake, ...directoryFor('dingtalk', dingtalk.contacts, maxAttempts) };
  }

  it('looks each mobile up with the access token; not found (60121) and e-mail only are reported', async () => {
    const { fake, directory } = await setup();
    fake.addContacts(
      { userid: 'staff01', mobile: '13800000001' },
      { userid: 'gone', mobile: '13800000003', left: true },
    );
    const o = org(
      '{ id: a, name: A, mobile: "13800000001" }',
      '{ id: b, name: B, mobile: "13800000002" }',
      '{ id: c, name: C, mobile: "13800000003" }',
      '{ id: d, name: D, email: d@corp.example }',
    );

    const report = await directory.resolve(o);

    expect(fake.contactCalls).toEqual([
      { mobile: '13800000001' },
      { mobile: '13800000002' },
      { mobile: '13800000003' },
    ]);
    const calls = fake.requests.filter((r) => r.path === '/topapi/v2/user/getbymobile');
    expect(calls.every((r) => (r.query.access_token ?? '').startsWith('tok-'))).toBe(true);
    expect(directory.fill(o).users.map((u) => u.dingtalk)).toEqual(['staff01', undefined, undefined, undefined]);
    expect(report.unresolved.map((u) => [u.userId, u.reason])).toEqual([
      ['b', 'not_found'],
      ['c', 'not_found'],
      ['d', 'unsupported'],
    ]);
  });

  it('flow control (errcode 90018) is retried after a pause; other failures of one person leave the rest resolved', async () => {
    const { fake, directory, sleeps } = await setup(2);
    fake.addContacts({ userid: 's1', mobile: '13800000001' }, { userid: 's2', mobile: '13800000002' });
    fake.failNext(1, { status: 200, errcode: 90018, message: '当前请求数过多' });
    const o = org('{ id: a, name: A, mobile: "13800000001" }', '{ id: b, name: B, mobile: "13800000002" }');

    const first = await directory.resolve(o);

    expect(first).toMatchObject({ found: 2, unresolved: [] });
    expect(sleeps).toContain(1000);

    fake.failNext(2, { status: 500 });
    const refreshed = await directory.resolve(o, { refresh: true });
    expect(refreshed).toMatchObject({ failed: 1, found: 1 });
    expect(directory.fill(o).users.map((u) => u.dingtalk)).toEqual(['s1', 's2']);
  });

  it('after three lookups failing in a row (no permission) the pass stops asking and records the rest as failed', async () => {
    const { fake, directory } = await setup(1);
    const o = org(...Array.from({ length: 6 }, (_, i) => `{ id: u${i}, name: 人${i}, mobile: "1380000000${i}" }`));
    fake.failNext(3, { status: 200, errcode: 88, message: '没有调用该接口的权限' });

    const report = await directory.resolve(o);

    expect(report).toMatchObject({ calls: 3, failed: 6 });
    expect(fake.requests.filter((r) => r.path === '/topapi/v2/user/getbymobile')).toHaveLength(3);
    expect(report.unresolved.at(-1)).toMatchObject({
      reason: 'failed',
      error: expect.stringContaining(
        'not asked after 3 failed lookups in a row (dingtalk contact.getbymobile failed: errcode 88',
      ),
    });
    // The next pass asks again.
    const again = await directory.resolve(o);
    expect(again).toMatchObject({ calls: 6, notFound: 6 });
  });

  it('an expired token (40014) is renewed once', async () => {
    const { fake, directory } = await setup();
    fake.addContacts({ userid: 's1', mobile: '13800000001' });
    await directory.resolve(org('{ id: z, name: Z, mobile: "13900000000" }'));
    fake.invalidateTokens();

    const report = await directory.resolve(org('{ id: a, name: A, mobile: "13800000001" }'));

    expect(report).toMatchObject({ found: 1 });
    expect(fake.tokenRequests).toHaveLength(2);
  });
});

describe('directory on WeCom (user/getuserid, user/get_userid_by_email)', () => {
  async function setup(maxAttempts = 3) {
    const fake = await startFakeWecom({ corpId: 'wwdir', secret: 'dir-secret', agentId: 1000002 });
    closers.push(() => fake.close());
    const wecom = new WecomAdapter({
      corpId: 'wwdir',
      agentId: 1000002,
      secret: 'dir-secret',
      token: 'tok',
      aesKey: 'A'.repeat(43),
      baseUrl: fake.baseUrl,
      clock: () => NOW,
      logger: silentLogger,
      state: new MapAdapterState(),
    });
    return { fake, ...directoryFor('wecom', wecom.contacts, maxAttempts) };
  }

  it('resolves mobiles and e-mails (corporate mailbox first, then personal) and reports 46004 as not found', async () => {
    const { fake, directory } = await setup();
    fake.addContacts(
      { userid: 'ZhangSan', bizMail: 'zhang@corp.example' },
      { userid: 'LiSi', email: 'lisi@personal.example' },
      { userid: 'WangWu', mobile: '13800000003' },
    );
    const o = org(
      '{ id: a, name: A, email: zhang@corp.example }',
      '{ id: b, name: B, email: lisi@personal.example }',
      '{ id: c, name: C, mobile: "13800000003" }',
      '{ id: d, name: D, mobile: "13800000004" }',
    );

    const report = await directory.resolve(o);

    expect(fake.contactCalls.map((c) => [c.path.replace('/cgi-bin/user/', ''), c.body])).toEqual([
      ['get_userid_by_email', { email: 'zhang@corp.example', email_type: 1 }],
      ['get_userid_by_email', { email: 'lisi@personal.example', email_type: 1 }],
      ['get_userid_by_email', { email: 'lisi@personal.example', email_type: 2 }],
      ['getuserid', { mobile: '13800000003' }],
      ['getuserid', { mobile: '13800000004' }],
    ]);
    expect(directory.fill(o).users.map((u) => u.wecom)).toEqual(['ZhangSan', 'LiSi', 'WangWu', undefined]);
    expect(report.unresolved.map((u) => [u.userId, u.reason])).toEqual([['d', 'not_found']]);
  });

  it('45009 (over the call limit) waits the 60 s window; answers are cached so a second pass asks nothing', async () => {
    const { fake, directory, sleeps } = await setup();
    fake.addContacts({ userid: 'WangWu', mobile: '13800000003' });
    fake.failNext(1, { errcode: 45009, errmsg: 'api freq out of limit' });
    const o = org('{ id: c, name: C, mobile: "13800000003" }', '{ id: d, name: D, mobile: "13800000004" }');

    const first = await directory.resolve(o);
    expect(first).toMatchObject({ found: 1, notFound: 1 });
    expect(sleeps).toContain(60_000);
    const calls = fake.contactCalls.length;

    const second = await directory.resolve(o);
    expect(second.calls).toBe(0);
    expect(fake.contactCalls).toHaveLength(calls);
    expect(second.unresolved.map((u) => u.userId)).toEqual(['d']);
  });

  it('two people resolving to the same userid: the second is reported as a conflict, not given the id', async () => {
    const { fake, directory } = await setup();
    fake.addContacts({ userid: 'Shared', mobile: '13800000001', bizMail: 'x@corp.example' });
    const o = org('{ id: a, name: A, wecom: Shared }', '{ id: b, name: B, mobile: "13800000001" }');

    const report = await directory.resolve(o);

    expect(directory.fill(o).users.map((u) => u.wecom)).toEqual(['Shared', undefined]);
    expect(report.unresolved).toEqual([
      expect.objectContaining({ userId: 'b', reason: 'conflict', error: expect.stringContaining('a') }),
    ]);
  });
});
