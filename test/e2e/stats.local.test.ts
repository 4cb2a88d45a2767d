import { afterEach, describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { buildReport, ReportCache } from '../../src/app/console-report';
import { statsText } from '../../src/app/stats';
import { parseOrgFile } from '../../src/config/org-file';
import { CONSOLE_ORG } from '../helpers/admin-console';
import { createTestHandoff, LocalChat } from '../helpers/handoff';

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
    await chat.say('sun.director', '/stats');
    const text = chat.lastText('sun.director');
    expect(text).toContain('项目统计');
    expect(text).toContain(`审批中 ${counts.in_approval ?? 0}`);
    expect(text).toContain(`实施中 ${counts.accepted ?? 0}`);
    expect(text).toContain(`已完成移交 ${counts.closed ?? 0}`);
    expect(text).toMatch(/逾期验收资料 \d+ 项/);
    expect(text).toContain('/admin');

    await chat.say('qin.admin', '/统计');
    expect(chat.lastText('qin.admin')).toContain(`审批中 ${counts.in_approval ?? 0}`);

    await chat.say('wang.sales', '/stats');
    expect(chat.lastText('wang.sales')).toContain('只有项目总监和管理员可以查看统计');
  });

  it('the same numbers as the console report (no projects: zeros, no overdue)', () => {
    h = createTestHandoff();
    const deps = h.deps;
    if (!deps.console) throw new Error('no console queries');
    const text = statsText(buildReport(deps, deps.console, new ReportCache()), 'Asia/Shanghai');
    expect(text).toContain('审批中 0 · 实施中 0 · 已完成移交 0 · 已驳回 0 · 已撤回 0');
    expect(text).toContain('逾期验收资料：无');
  });
});
