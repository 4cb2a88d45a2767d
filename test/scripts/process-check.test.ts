import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcessCheck } from '../../scripts/process-check-run';
import { openDb } from '../../src/store/db';
import { SqliteDirectoryCache } from '../../src/store/directory-cache.repo';

const root = resolve(import.meta.dirname, '../..');
const cleanEnv = (env: Record<string, string>) => ({
  ...process.env,
  PROCESS_FILE: '',
  ORG_FILE: '',
  FEISHU_APP_ID: '',
  DINGTALK_CLIENT_ID: '',
  WECOM_CORP_ID: '',
  ...env,
});
const run = (...args: string[]) => runWith({}, ...args);
/** The command in-process: what it writes to stdout and stderr, and its exit code. */
const runWith = (env: Record<string, string>, ...args: string[]) => {
  let out = '';
  let err = '';
  const code = runProcessCheck({
    argv: args,
    env: cleanEnv(env),
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
  });
  return { code, out, err };
};
/** The real command, as `npm run process:check` starts it: its entry point, streams and exit status. */
const spawnCommand = (...args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((done, failed) => {
    const child = spawn(join(root, 'node_modules/.bin/tsx'), ['scripts/process-check.ts', ...args], {
      cwd: root,
      env: cleanEnv({}),
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    child.on('error', failed);
    child.on('close', (code) => done({ code, out, err }));
  });
/** The standard process with a step held by a role no org has. */
function badProcessFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'process-check-')), 'bad.yaml');
  const text = readFileSync(join(root, 'processes/standard.yaml'), 'utf8');
  writeFileSync(file, text.replace('holder: { role: test_group }', 'holder: { role: qa_team }'));
  return file;
}
const sample = ['--kind', 'project', '--signed', 'no', '--paid', 'no', '--operated', 'yes', '--cloud', 'no'];

describe('npm run process:check', () => {
  it('north special approval: 杨总 approves; conditions evaluated from facts and answers', () => {
    const r = run(...sample, '--region', 'north', '--answer', 'requirements.customization=in_contract');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('problems: none');
    expect(r.out).toContain('审批链：特批流程');
    expect(r.out).toContain('  2. 特批领导审批 — 特批领导（北方）：杨辉玉（杨总）');
    expect(r.out).toContain('确认需求 — 区域项目经理（立项时指派，默认 周经理（北方））');
    expect(r.out).toContain(
      '填写需求清单及跟进表 — 区域项目经理（立项时指派，默认 周经理（北方））  〔条件成立：requirements.customization 含 in_contract〕',
    );
    expect(r.out).toContain('〔跳过：需 requirements.customization 含 out_of_contract〕');
    expect(r.out).toContain('公司云服务器部署 — 平台运维部：刘工（平台运维）  〔跳过：需 cloud 为 是〕');
    expect(r.out).toContain('提交产品领取单 — 实施人员（指派后）');
    expect(r.out).toContain('/defect（/缺陷） 产品缺陷');
    expect(r.out).toContain('    1. 测试组确认缺陷 — 测试组：孙测试');
    expect(r.out.indexOf('审批链')).toBeLessThan(r.out.indexOf('流程任务'));
    expect(r.out.indexOf('流程任务')).toBeLessThan(r.out.indexOf('子流程'));
  });

  it('south special approval: 戴总 approves', () => {
    const r = run(...sample, '--region', 'south');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  2. 特批领导审批 — 特批领导（南方）：戴娟翔（戴总）');
    expect(r.out).not.toContain('杨辉玉');
  });

  it('a bad process file exits 1 with the key path and no stack trace', () => {
    const r = run('--process', badProcessFile());
    expect(r.code).toBe(1);
    expect(r.err).toContain('subflows.0.steps.0.holder.role: unknown role "qa_team"');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
  });

  it('the command itself: the dry run on stdout with exit 0; a refusal on stderr with exit 1, no stack trace', async () => {
    const bad = badProcessFile();
    const [ok, refused] = await Promise.all([
      spawnCommand(...sample, '--region', 'south'),
      spawnCommand('--process', bad),
    ]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toBe(run(...sample, '--region', 'south').out);
    expect(ok.out).toContain('  2. 特批领导审批 — 特批领导（南方）：戴娟翔（戴总）');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('subflows.0.steps.0.holder.role: unknown role "qa_team"');
    expect(refused.err).toBe(run('--process', bad).err);
    expect(refused.out).toBe('');
  });

  it('an org file missing a role the process needs exits 1 and says which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'process-check-'));
    const file = join(dir, 'org.yaml');
    writeFileSync(
      file,
      readFileSync(join(root, 'org.example.yaml'), 'utf8').replace('  platform_ops: [liu.platform]\n', ''),
    );
    const r = run('--org', file, ...sample);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: roles.platform_ops: the process needs platform_ops (平台运维部)');
    expect(r.out).toContain('公司云服务器部署 — 平台运维部：（无人）');
  });

  it('lists the people given by e-mail/mobile that the platforms could not resolve, from the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'process-check-'));
    const orgPath = join(dir, 'org.yaml');
    const text = readFileSync(join(root, 'org.example.yaml'), 'utf8')
      .replace('{ id: zhao.biz, name: 赵商务 }', '{ id: zhao.biz, name: 赵商务, email: zhao@corp.example }')
      .replace('{ id: sun.director, name: 孙总监 }', '{ id: sun.director, name: 孙总监, mobile: "13800000001" }')
      .replace('{ id: zheng.impl, name: 郑工 }', '{ id: zheng.impl, name: 郑工, email: zheng@corp.example }');
    writeFileSync(orgPath, text);
    const dbPath = join(dir, 'handoff.db');
    const db = openDb(dbPath);
    const checkedAt = new Date();
    const answer = { platform: 'feishu' as const, error: null, checkedAt };
    new SqliteDirectoryCache(db).save([
      { ...answer, kind: 'email', value: 'zhao@corp.example', platformUserId: 'ou_zhao', status: 'found' },
      { ...answer, kind: 'mobile', value: '13800000001', platformUserId: null, status: 'not_found' },
    ]);
    db.$client.close();

    const r = runWith({ FEISHU_APP_ID: 'cli_x' }, '--org', orgPath, '--db', dbPath, ...sample);

    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `directory (feishu; answers from ${dbPath}): 3 people given by e-mail/mobile, 2 not reachable`,
    );
    expect(r.out).toContain('  - feishu: sun.director (孙总监; 13800000001) — not found');
    expect(r.out).toContain('  - feishu: zheng.impl (郑工; zheng@corp.example) — not asked yet');
    expect(r.out).not.toContain('zhao.biz (');
  });

  it('a bad argument names itself', () => {
    const r = run('--answer', 'requirements.colour=red');
    expect(r.code).toBe(1);
    expect(r.err).toContain('--answer requirements.colour=red: name a form field');
  });
});
