import { afterEach, describe, expect, it, vi } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { buildReport, ReportCache } from '../../src/app/console-report';
import { statsText } from '../../src/app/stats';
import { parseOrgFile } from '../../src/config/org-file';
import { CONSOLE_ORG } from '../helpers/admin-console';
import { createTestHandoff, LocalChat } from '../helpers/handoff';

/** How long the report may take on a busy machine (vi.waitFor's 1 s default is too short under load). */
const REPORT_WAIT = { timeout: 15_000, interval: 20 };
let h: ReturnType<typeof createTestHandoff> | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

describe('/stats in chat', () => {
  it('a director and an admin get the numbers; anyone else is told who may', async () => {
    h = createTestHandoff({ org: parseOrgFile(CONSOLE_ORG, 'console-org.yaml') });
    seedDatabase(h.db, { projects: 120, now: h.clock.now() });
    const chat = new LocalChat(h);
    const counts = Object.fromEntries(
      (
        h.db.$client.prepare('select state, count(*) as n from projects group by state').all() as {
          state: string;
          n: number;
        }[]
      ).map((r) => [r.state, r.n]),
    );
    // The first /stats computes the report off the pipeline: a "coming" reply, then the report as a message.
    await chat.say('sun.director', '/stats');
    await vi.waitFor(async () => {
      await h?.flush();
      expect(chat.lastText('sun.director')).toContain('项目统计');
    }, REPORT_WAIT);
    expect(chat.texts('sun.director').at(-2)).toContain('正在统计');
    const text = chat.lastText('sun.director');
    expect(text).toContain('项目统计');
    expect(text).toContain(`审批中 ${counts.in_approval ?? 0}`);
    expect(text).toContain(`实施中 ${counts.accepted ?? 0}`);
    expect(text).toContain(`已完成移交 ${counts.closed ?? 0}`);
    expect(text).toMatch(/逾期验收资料 \d+ 项/);
    expect(text).toContain('/admin');

    // Within the minute the cached report is the reply itself.
    await chat.say('qin.admin', '/统计');
    expect(chat.texts('qin.admin')).toHaveLength(1);
    expect(chat.lastText('qin.admin')).toContain(`审批中 ${counts.in_approval ?? 0}`);

    await chat.say('wang.sales', '/stats');
    expect(chat.lastText('wang.sales')).toContain('只有项目总监和管理员可以查看统计');
  });

  it('the same numbers as the console report (no projects: zeros, no overdue)', async () => {
    h = createTestHandoff();
    const deps = h.deps;
    if (!deps.console) throw new Error('no console queries');
    const text = statsText(await buildReport(deps, deps.console, new ReportCache()), 'Asia/Shanghai');
    expect(text).toContain('审批中 0 · 实施中 0 · 已完成移交 0 · 已驳回 0 · 已撤回 0');
    expect(text).toContain('逾期验收资料：无');
  });
});
