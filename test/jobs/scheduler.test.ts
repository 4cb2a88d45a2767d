import cron from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env';
import { startScheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/shared/logger';

describe('scheduler wiring (node-cron)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('registers named tasks in the configured zone; the default reminder schedule is working hours only', () => {
    const reminders = loadConfig({}).reminders.cron;
    const s = startScheduler(
      [{ name: 'reminders-test', schedule: reminders, tick: async () => {} }],
      'Asia/Shanghai',
      createLogger('silent'),
    );
    stop = s.stop;
    const task = [...cron.getTasks().values()].find((t) => t.name === 'reminders-test');
    if (!task) throw new Error('task not registered');
    // 2026-03-02 is a Monday. 09:00 and 18:00 Shanghai run; 08:00, 19:00 and Sunday do not.
    expect(task.match(new Date('2026-03-02T01:00:00Z'))).toBe(true);
    expect(task.match(new Date('2026-03-02T10:00:00Z'))).toBe(true);
    expect(task.match(new Date('2026-03-02T00:00:00Z'))).toBe(false);
    expect(task.match(new Date('2026-03-02T11:00:00Z'))).toBe(false);
    expect(task.match(new Date('2026-03-01T02:00:00Z'))).toBe(false);
  });

  it('a failing tick is logged, not thrown, and the task keeps its schedule', async () => {
    const lines: string[] = [];
    const s = startScheduler(
      [{ name: 'failing-test', schedule: '0 0 1 1 *', tick: async () => Promise.reject(new Error('boom')) }],
      'Asia/Shanghai',
      createLogger('info', {}, (l) => lines.push(l)),
    );
    stop = s.stop;
    const task = [...cron.getTasks().values()].find((t) => t.name === 'failing-test');
    await task?.execute();
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ msg: 'scheduled job failed', job: 'failing-test', error: 'boom' }),
    );
    expect(task?.getNextRun()).toBeInstanceOf(Date);
  });
});
