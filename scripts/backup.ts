/**
 * `npm run backup [-- --out <file>]`: an online backup of DATABASE_PATH to a timestamped file in BACKUP_DIR (or to
 * `--out`), safe while the bot runs. Restore: stop the bot, replace the database file with the backup (and delete
 * its -wal/-shm files), start the bot. See README "Backup and restore".
 */
import { loadConfig } from '../src/config/env';
import { backupDatabase, defaultBackupPath } from '../src/store/backup';

const config = loadConfig();
const i = process.argv.indexOf('--out');
const out = i >= 0 ? process.argv[i + 1] : defaultBackupPath(config.backupDir, new Date());
if (!out) {
  process.stderr.write('usage: npm run backup [-- --out <file>]\n');
  process.exit(2);
}
try {
  const { file, pages } = await backupDatabase(config.databasePath, out);
  process.stdout.write(`backed up ${config.databasePath} → ${file} (${pages} pages)\n`);
} catch (e) {
  process.stderr.write(`backup failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
