import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../helpers/free-port';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'handoff-sighup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGHUP on a running server', () => {
  it('re-reads the org file: a valid one takes effect, an invalid one is refused with its key path', async () => {
    const orgFile = join(dir, 'org.yaml');
    copyFileSync(join(ROOT, 'org.example.yaml'), orgFile);
    const port = await freePort();
    // The server itself (not npm), so the signal reaches it directly; file watching off: only the signal reloads.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: join(dir, 'handoff.db'),
        ORG_FILE: orgFile,
        CONFIG_WATCH: 'off',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await vi.waitFor(() => expect(output).toContain('Handoff is running.'), { timeout: 60_000, interval: 100 });
      const text = readFileSync(orgFile, 'utf8');
      writeFileSync(orgFile, text.replace('  sales_lead: [li.lead]', '  sales_lead: [li.lead, wang.sales]'));
      child.kill('SIGHUP');
      await vi.waitFor(() => expect(output).toContain('"msg":"org file reloaded","why":"SIGHUP"'), { timeout: 10_000 });
      writeFileSync(orgFile, text.replace('  sales_lead: [li.lead]', '  sales_lead: [li.lead, ghost]'));
      child.kill('SIGHUP');
      await vi.waitFor(() => expect(output).toContain('roles.sales_lead.1: unknown user id \\"ghost\\"'), {
        timeout: 10_000,
      });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  }, 90_000);
});
