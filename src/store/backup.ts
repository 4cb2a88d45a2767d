import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** `handoff-20261201T213000Z.db`: sorts by time, no characters a file system objects to. */
export function backupFileName(at: Date): string {
  return `handoff-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.db`;
}

/**
 * Copies the live database with SQLite's online backup API (better-sqlite3 `backup()`): a consistent snapshot
 * while the bot keeps running and writing (WAL included), page by page, without blocking it. Returns the file.
 */
export async function backupDatabase(databasePath: string, out: string): Promise<{ file: string; pages: number }> {
  if (databasePath === ':memory:') throw new Error('DATABASE_PATH is :memory: — there is nothing on disk to back up');
  if (!existsSync(databasePath)) throw new Error(`database ${databasePath} does not exist`);
  const file = resolve(out);
  if (existsSync(file)) throw new Error(`${file} already exists; refusing to overwrite a backup`);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(file);
    return { file, pages: totalPages };
  } finally {
    db.close();
  }
}

export function defaultBackupPath(dir: string, at: Date): string {
  return join(dir, backupFileName(at));
}
