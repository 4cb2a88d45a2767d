/**
 * `npm run seed -- --db PATH --projects N [--delivering 0.3] [--org FILE]`: fills the database at PATH (migrated
 * first) with N realistic projects at every stage, many in delivery with overdue documents, played through the domain
 * on the process the app would pin (PROCESS_FILE or the standard process; see scripts/seed/fill.ts). `--org` writes
 * the seed's organisation as an org file: run the app with ORG_FILE set to it to act as the seeded people.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/env';
import { openDb } from '../src/store/db';
import { seedDatabase } from './seed/fill';
import { seedOrg } from './seed/people';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    projects: { type: 'string', default: '1000' },
    delivering: { type: 'string' },
    org: { type: 'string' },
  },
});
const n = Number(values.projects);
const delivering = values.delivering === undefined ? undefined : Number(values.delivering);
if (
  !values.db ||
  !Number.isInteger(n) ||
  n <= 0 ||
  (delivering !== undefined && !(delivering >= 0 && delivering <= 1))
) {
  process.stderr.write(
    '用法：npm run seed -- --db 数据库路径 --projects 项目数 [--delivering 0~1 的比例] [--org 组织文件输出路径]\n',
  );
  process.exit(2);
}
const db = openDb(values.db);
const count = (db.$client.prepare('select count(*) n from projects').get() as { n: number }).n;
if (count > 0) {
  process.stderr.write(`数据库 ${values.db} 已有 ${count} 个项目；请指定一个新的数据库文件。\n`);
  process.exit(2);
}
const config = loadConfig(process.env);
const summary = seedDatabase(db, { projects: n, config, ...(delivering !== undefined ? { delivering } : {}) });
db.$client.close();
if (values.org)
  writeFileSync(values.org, `# The seed's organisation (scripts/seed/people.ts)\n${stringify(seedOrg().file)}`);
process.stdout.write(`${JSON.stringify({ db: values.db, ...summary, ms: Math.round(summary.ms) })}\n`);
