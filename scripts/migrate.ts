/** `npm run db:migrate`: applies the migrations to DATABASE_PATH without starting the bot. */
import { loadConfig } from '../src/config/env';
import { openDb } from '../src/store/db';

const config = loadConfig();
const db = openDb(config.databasePath);
db.$client.close();
process.stdout.write(`migrated ${config.databasePath}\n`);
