import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER } from '../../src/store/db';

interface Journal {
  entries: { tag: string }[];
}

/**
 * A database at `path` as the real migrations before the one named `*_<name>` left it (found by name, so a
 * renumbering does not break the test). Throws when no migration has that name.
 */
export function databaseBefore(name: string, path: string): Database.Database {
  const folder = mkdtempSync(join(tmpdir(), 'handoff-migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const idx = journal.entries.findIndex((e) => e.tag.endsWith(`_${name}`));
  if (idx <= 0) throw new Error(`no migration named *_${name} after the first`);
  journal.entries = journal.entries.slice(0, idx);
  writeFileSync(journalPath, JSON.stringify(journal));
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}
