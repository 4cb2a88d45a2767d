import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDatabase } from '../../scripts/seed/fill';
import { seedOrg } from '../../scripts/seed/people';
import { openDb } from '../../src/store/db';
import { FakeClock } from '../helpers/fake-clock';
import { COMMERCIAL_TYPED, cardText, createTestHandoff, LocalChat } from '../helpers/handoff';

const dir = mkdtempSync(join(tmpdir(), 'handoff-seeded-'));
let h: ReturnType<typeof createTestHandoff> | undefined;
afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a seeded database, opened by the app (npm run seed, then start)', () => {
  it('the holders of a seeded approval step and of a seeded delivery task act on them; /mine lists a busy person’s work', async () => {
    const databasePath = join(dir, 'h.db');
    const clock = new FakeClock(new Date('2026-12-01T02:00:00Z'));
    const seeded = openDb(databasePath);
    const s = seedDatabase(seeded, { projects: 300, now: clock.now() });
    seeded.$client.close();

    h = createTestHandoff({ databasePath, clock, org: seedOrg().file });
    // The app pins new projects to the version the seeded ones run on: one definition, one version.
    expect(h.deps.processes.current().version).toBe(s.processVersion);
    const chat = new LocalChat(h);
    const c = h.db.$client;

    const step = c
      .prepare(
        "select reg_no, step_index from projects where state = 'in_approval' and step_role = 'commercial_reviewer' limit 1",
      )
      .get() as { reg_no: string; step_index: number };
    await chat.say('zhao.biz', `/approve ${step.reg_no} ${COMMERCIAL_TYPED}`);
    expect(chat.lastText('zhao.biz')).toContain('已同意「商务审核」');
    expect(h.deps.projects.get(step.reg_no)?.stepIndex).toBe(step.step_index + 1);

    const task = c
      .prepare(
        `select t.reg_no, t.task_no, h.user_id from tasks t join task_holders h on h.task_id = t.id
         join projects p on p.reg_no = t.reg_no
         where t.state = 'open' and t.def_id = 'training' and p.state = 'accepted' limit 1`,
      )
      .get() as { reg_no: string; task_no: number; user_id: string };
    await chat.say(task.user_id, `/submit ${task.reg_no} ${task.task_no} date=2026-12-01`);
    expect(chat.lastText(task.user_id)).toContain('已提交');
    const done = h.deps.projects.get(task.reg_no)?.delivery.tasks.find((t) => t.no === task.task_no);
    expect(done).toMatchObject({ state: 'done', answers: { date: '2026-12-01' }, closedBy: task.user_id });

    const busy = c
      .prepare(
        `select h.user_id u, group_concat(t.reg_no) regs from task_holders h join tasks t on t.id = h.task_id
         where t.state = 'open' group by h.user_id order by count(*) desc limit 1`,
      )
      .get() as { u: string; regs: string };
    await chat.say(busy.u, '/mine');
    const mine = cardText(chat.lastCard(busy.u));
    expect(mine).toContain(busy.regs.split(',')[0]);
  });
});
