import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 10, finding 7: an org file with two users on the same Feishu id crashed start-up with a raw SqliteError
 * stack, and an org without a sales lead started silently (cards read "待  处理"). The real entry point
 * (src/main.ts) must stop with exit 1 and one message naming the key path, and leave no org in the database.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'handoff-startup-org-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = readFileSync(join(ROOT, 'org.example.yaml'), 'utf8');

function start(name: string, org: string, env: Record<string, string> = {}) {
  const orgFile = join(dir, `${name}.yaml`);
  const databasePath = join(dir, `${name}.db`);
  writeFileSync(orgFile, org);
  return new Promise<{ code: number | null; stderr: string; databasePath: string }>((done) => {
    // The entry point itself under tsx's loader (the tsx CLI would add a wrapper process).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ORG_FILE: orgFile, DATABASE_PATH: databasePath, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    // A start-up that did NOT fail would keep running: stop it so the test reports instead of hanging.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stderr, databasePath });
    });
  });
}

const orgUsers = (path: string) => {
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from users').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('start-up refuses an org file that would leave dead ends', () => {
  type Run = Awaited<ReturnType<typeof start>>;
  let dup: Run;
  let noLead: Run;
  // Both start-ups run at once (each is a few seconds of tsx start-up).
  beforeAll(async () => {
    const twoOnOneId = example
      .replace('{ id: wang.sales, name: 王销售 }', '{ id: wang.sales, name: 王销售, feishu: ou_same }')
      .replace('{ id: li.lead, name: 李主管 }', '{ id: li.lead, name: 李主管, feishu: ou_same }');
    [dup, noLead] = await Promise.all([
      start('dup-feishu', twoOnOneId),
      start('no-lead', example.replace('  sales_lead: [li.lead]\n', '  sales_lead: []\n')),
    ]);
  }, 90_000);

  it('two users with the same Feishu id: exit 1 naming users.N.feishu, no SqliteError, no org stored', () => {
    const r = dup;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Handoff cannot start: .*invalid organisation file:\n/);
    expect(r.stderr).toContain('  - users.1.feishu: duplicate feishu id "ou_same" (also users.0)');
    expect(r.stderr).not.toMatch(/SqliteError|UNIQUE constraint|\n\s+at /);
    expect(orgUsers(r.databasePath)).toBe(0);
  });

  it('no sales lead: exit 1 naming roles.sales_lead and where the process needs it', () => {
    const r = noLead;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Handoff cannot start: the organisation does not fit the process:');
    expect(r.stderr).toContain(
      '  - roles.sales_lead: the process needs sales_lead (销售主管) at approval.routes.1.steps.0.role, but it has no members',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(orgUsers(r.databasePath)).toBe(0);
  });
});
