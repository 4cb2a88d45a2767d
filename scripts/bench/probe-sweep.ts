import { PerformanceObserver } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db';
import { SqliteWorkQueries } from '../../src/store/work-queries.repo';
import { seedDatabase } from '../seed/fill';
const gcs: { start: number; dur: number; kind: number }[] = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push({ start: e.startTime, dur: e.duration, kind: (e as any).detail?.kind }); }).observe({ entryTypes: ['gc'] });
const NOW = new Date('2026-12-01T00:00:00Z');
const db = openDb(join(mkdtempSync(join(tmpdir(), 'probe-')), 'b.db'));
seedDatabase(db, { projects: Number(process.argv[2] ?? 50000), delivering: 0.3, now: NOW });
db.$client.pragma('optimize');
const work = new SqliteWorkQueries(db);
const chunk = db.$client.transaction((after: any) => work.overdueDocuments(NOW, after, 200));
for (let run = 0; run < 3; run++) {
  const times: [number, number, number][] = [];
  let after: any = null;
  for (let i = 0; ; i++) {
    const t0 = performance.now();
    const got = chunk(after);
    const t1 = performance.now();
    times.push([t1 - t0, i, t0]);
    if (got.length < 200) break;
    after = SqliteWorkQueries.overdueCursor(got[got.length - 1]!);
  }
  times.sort((a, b) => b[0] - a[0]);
  for (const [ms, i, t0] of times.slice(0, 4)) {
    const gc = gcs.filter((g) => g.start < t0 + ms && g.start + g.dur > t0);
    console.log(run, 'chunk', i, ms.toFixed(2), 'gc', gc.map((g) => `${g.kind}:${g.dur.toFixed(1)}`).join(','));
  }
}
