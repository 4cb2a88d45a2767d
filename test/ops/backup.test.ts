import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, backupFileName, defaultBackupPath } from '../../src/store/backup';
import { createTestHandoff, LocalChat, REGISTER_NORTH_UNSIGNED } from '../helpers/handoff';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('backup', () => {
  it('copies the live database (WAL included) while the bot keeps running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-backup-'));
    dirs.push(dir);
    const h = createTestHandoff({ databasePath: join(dir, 'handoff.db') });
    await new LocalChat(h).say('wang.sales', REGISTER_NORTH_UNSIGNED);

    const out = defaultBackupPath(join(dir, 'backups'), new Date('2026-12-01T21:30:05.123Z'));
    expect(out).toBe(join(dir, 'backups', 'handoff-20261201T213005Z.db'));
    const { file, pages } = await backupDatabase(join(dir, 'handoff.db'), out);
    expect(pages).toBeGreaterThan(0);
    // Still running: a second project after the backup is not in it.
    await new LocalChat(h).say('wang.sales', REGISTER_NORTH_UNSIGNED);
    await h.stop();

    const copy = new Database(file, { readonly: true });
    const regNos = copy.prepare('select reg_no from projects order by reg_no').all() as { reg_no: string }[];
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    expect(regNos.map((r) => r.reg_no)).toEqual(['HO-2026-0001']);
  });

  it('refuses to overwrite a backup, a missing database and :memory:', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handoff-backup-'));
    dirs.push(dir);
    const h = createTestHandoff({ databasePath: join(dir, 'handoff.db') });
    await h.stop();
    const out = join(dir, 'b.db');
    await backupDatabase(join(dir, 'handoff.db'), out);
    await expect(backupDatabase(join(dir, 'handoff.db'), out)).rejects.toThrow(/already exists/);
    await expect(backupDatabase(join(dir, 'nope.db'), join(dir, 'c.db'))).rejects.toThrow(/does not exist/);
    await expect(backupDatabase(':memory:', join(dir, 'd.db'))).rejects.toThrow(/nothing on disk/);
    expect(backupFileName(new Date('2026-01-02T03:04:05Z'))).toBe('handoff-20260102T030405Z.db');
  });
});
