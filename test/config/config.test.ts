import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvSchema, loadConfig } from '../../src/config/env';
import { parseOrgFile, regionsOf } from '../../src/config/org-file';

describe('loadConfig', () => {
  it('defaults to the local simulator with no platform keys', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      databasePath: './data/handoff.db',
      timeZone: 'Asia/Shanghai',
      feishu: null,
      localUi: true,
    });
  });

  it('a half-configured Feishu stops start-up naming the missing key', () => {
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_x' })).toThrow(/missing FEISHU_APP_SECRET/);
    expect(() => loadConfig({ FEISHU_APP_SECRET: 's' })).toThrow(/missing FEISHU_APP_ID/);
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' })).toThrow(/FEISHU_VERIFICATION_TOKEN/);
  });

  it('a complete Feishu block turns the simulator off unless LOCAL_UI=on', () => {
    const env = {
      FEISHU_APP_ID: 'cli_x',
      FEISHU_APP_SECRET: 's',
      FEISHU_VERIFICATION_TOKEN: 't',
      FEISHU_BASE_URL: 'http://127.0.0.1:9/',
    };
    expect(loadConfig(env)).toMatchObject({
      localUi: false,
      feishu: { baseUrl: 'http://127.0.0.1:9', mode: 'webhook' },
    });
    // Beside a real platform the simulator needs an admin token or a loopback bind (issue 10, finding 1).
    expect(() => loadConfig({ ...env, LOCAL_UI: 'on' })).toThrow(
      /LOCAL_UI_TOKEN .*HOST=127\.0\.0\.1 \(now 0\.0\.0\.0\)/,
    );
    expect(loadConfig({ ...env, LOCAL_UI: 'on', HOST: '127.0.0.1' })).toMatchObject({
      localUi: true,
      localUiToken: null,
    });
    const token = 'a-long-admin-token-123';
    expect(loadConfig({ ...env, LOCAL_UI: 'on', LOCAL_UI_TOKEN: token }).localUiToken).toBe(token);
    expect(() => loadConfig({ LOCAL_UI_TOKEN: 'short' })).toThrow(/LOCAL_UI_TOKEN: must be at least 16 characters/);
    expect(loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_MODE: 'ws' }).feishu?.mode).toBe('ws');
  });

  it('DingTalk HTTP card callbacks need the apiSecret that signs them (issue 10, finding 8)', () => {
    const ding = {
      DINGTALK_CLIENT_ID: 'dingapp',
      DINGTALK_CLIENT_SECRET: 's',
      DINGTALK_ROBOT_CODE: 'dingapp',
      DINGTALK_CARD_TEMPLATE_ID: 'tpl.schema',
    };
    expect(loadConfig(ding).dingtalk).toMatchObject({ mode: 'stream', cardCallbackRouteKey: undefined });
    expect(() => loadConfig({ ...ding, DINGTALK_CARD_CALLBACK_ROUTE_KEY: 'rk' })).toThrow(
      /DINGTALK_CARD_CALLBACK_ROUTE_KEY needs DINGTALK_CARD_CALLBACK_SECRET/,
    );
    expect(() =>
      loadConfig({ ...ding, DINGTALK_CARD_CALLBACK_ROUTE_KEY: 'rk', DINGTALK_CARD_CALLBACK_SECRET: 'short' }),
    ).toThrow(/DINGTALK_CARD_CALLBACK_SECRET: must be at least 16 characters/);
    // HTTP mode has no Stream connection: card clicks would go nowhere without the HTTP card route.
    expect(() => loadConfig({ ...ding, DINGTALK_MODE: 'http' })).toThrow(
      /DINGTALK_MODE=http needs DINGTALK_CARD_CALLBACK_ROUTE_KEY/,
    );
    expect(() => loadConfig({ ...ding, DINGTALK_CARD_CALLBACK_SECRET: 'a-long-card-secret-123' })).toThrow(
      /need DINGTALK_CARD_CALLBACK_ROUTE_KEY/,
    );
    const full = {
      ...ding,
      DINGTALK_CARD_CALLBACK_ROUTE_KEY: 'rk',
      DINGTALK_CARD_CALLBACK_SECRET: 'a-long-card-secret-123',
      DINGTALK_CARD_CALLBACK_URL: 'https://bot.example.com/dingtalk/cards',
    };
    expect(loadConfig(full).dingtalk).toMatchObject({
      cardCallbackRouteKey: 'rk',
      cardCallbackSecret: 'a-long-card-secret-123',
      cardCallbackUrl: 'https://bot.example.com/dingtalk/cards',
    });
    expect(() => loadConfig({ ...full, DINGTALK_CARD_CALLBACK_URL: 'bot.example.com' })).toThrow(
      /DINGTALK_CARD_CALLBACK_URL/,
    );
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ TIMEZONE: 'Mars/Olympus' }, 'TIMEZONE'],
    [{ FEISHU_MODE: 'socket' }, 'FEISHU_MODE'],
    [{ FEISHU_BASE_URL: 'open.feishu.cn' }, 'FEISHU_BASE_URL'],
    [{ SHUTDOWN_GRACE_MS: '-1' }, 'SHUTDOWN_GRACE_MS'],
  ])('refuses %j naming the key', (env, key) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(key));
  });

  it('reads the operations keys: metrics token, shutdown grace, backup folder', () => {
    const d = loadConfig({});
    expect([d.metricsToken, d.shutdownGraceMs, d.backupDir]).toEqual([undefined, 10_000, './data/backups']);
    const c = loadConfig({ METRICS_TOKEN: ' tok ', SHUTDOWN_GRACE_MS: '2500', BACKUP_DIR: '/var/backups/handoff' });
    expect([c.metricsToken, c.shutdownGraceMs, c.backupDir]).toEqual(['tok', 2500, '/var/backups/handoff']);
  });

  it('.env.example lists every key the schema reads', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    expect(Object.keys(EnvSchema.shape).filter((k) => !listed.has(k))).toEqual([]);
  });
});

describe('parseOrgFile', () => {
  const example = readFileSync(new URL('../../org.example.yaml', import.meta.url), 'utf8');

  it('reads the shipped example; regions are the keys the file uses', () => {
    const org = parseOrgFile(example, 'org.example.yaml');
    expect(regionsOf(org).sort()).toEqual(['north', 'south']);
  });

  it('roles are an open set of ids (the process file names them)', () => {
    const org = parseOrgFile(
      'users: [{id: a, name: A}]\nroles: {rd_manager: [a], test_group: {north: [a]}}',
      'org.yaml',
    );
    expect(org.roles).toEqual({ rd_manager: ['a'], test_group: { north: ['a'] } });
  });

  it('accepts JSON', () => {
    const org = parseOrgFile('{"users":[{"id":"a","name":"A"}],"roles":{"sales":["a"]}}', 'org.json');
    expect(org.users).toHaveLength(1);
  });

  it.each([
    ['users: [ {id: a, name: A', 'not valid YAML'],
    ['users: []\nroles: {}', 'users: at least one user is required'],
    ['users: [{id: a, name: A}]\nroles: {sales: [b]}', 'roles.sales.0: unknown user id "b"'],
    [
      'users: [{id: a, name: A}]\nroles: {special_approver: {north: [zz]}}',
      'roles.special_approver.north.0: unknown user id "zz"',
    ],
    ['users: [{id: a, name: A}, {id: a, name: B}]\nroles: {}', 'users.1.id: duplicate user id "a"'],
    ['users: [{id: a, name: A}]\nroles: {boss: [zz]}', 'roles.boss.0: unknown user id "zz"'],
    [
      'users: [{id: a, name: A, feishu: ou_1}, {id: b, name: B, feishu: ou_1}]\nroles: {}',
      'users.1.feishu: duplicate feishu id "ou_1" (also users.0)',
    ],
    [
      'users: [{id: a, name: A, wecom: W}, {id: b, name: B, dingtalk: W}, {id: c, name: C, wecom: W}]\nroles: {}',
      'users.2.wecom: duplicate wecom id "W" (also users.0)',
    ],
    ['users: [{id: a, name: A, slack: U1}]\nroles: {}', 'users.0.slack: unknown key'],
  ])('%j → names the key path', (text, message) => {
    expect(() => parseOrgFile(text, 'org.yaml')).toThrow(message);
  });
});
