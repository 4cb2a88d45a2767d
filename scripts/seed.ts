/**
 * `npm run seed -- --db PATH --projects N [--delivering 0.3]`: fills the database at PATH (migrated first) with N
 * realistic projects at every stage, many in delivery with overdue documents (see scripts/seed/fill.ts).
 */
import { parseArgs } from 'node:util';
import { openDb } from '../src/store/db';
import { seedDatabase } from './seed/fill';

const { values } = parseArgs({
  options: { db: { type: 'string' }, projects: { type: 'string', default: '1000' }, delivering: { type: 'string' } },
});
const n = Number(values.projects);
const delivering = values.delivering === undefined ? undefined : Number(values.delivering);
if (
  !values.db ||
  !Number.isInteger(n) ||
  n <= 0 ||
  (delivering !== undefined && !(delivering >= 0 && delivering <= 1))
) {
  process.stderr.write('用法：npm run seed -- --db 数据库路径 --projects 项目数 [--delivering 0~1 的比例]\n');
  process.exit(2);
}
const db = openDb(values.db);
const count = (db.$client.prepare('select count(*) n from projects').get() as { n: number }).n;
if (count > 0) {
  process.stderr.write(`数据库 ${values.db} 已有 ${count} 个项目；请指定一个新的数据库文件。\n`);
  process.exit(2);
}
const summary = seedDatabase(db, { projects: n, ...(delivering !== undefined ? { delivering } : {}) });
db.$client.close();
process.stdout.write(`${JSON.stringify({ db: values.db, ...summary, ms: Math.round(summary.ms) })}\n`);
