import { afterEach, describe, expect, it } from 'vitest';
import { membershipsOf } from '../../src/app/mine';
import type { OrgFile } from '../../src/config/org-file';
import { holderIds } from '../../src/http/admin/pages';
import { SqliteConsoleQueries } from '../../src/store/console.queries';
import {
  COMMERCIAL_FORM,
  COMMERCIAL_OK,
  createTestHandoff,
  demoOrg,
  LocalChat,
  REGISTER_NORTH_UNSIGNED,
  SETUP_FORM,
} from '../helpers/handoff';

/** The demo org with li.lead also in sales and a second sales lead, xu.lead. */
function org(): OrgFile {
  const o = structuredClone(demoOrg());
  o.users.push({ id: 'xu.lead', name: '徐主管' });
  o.roles.sales = ['wang.sales', 'li.lead'];
  o.roles.sales_lead = ['li.lead', 'xu.lead'];
  return o;
}

describe('the console worklist and no self-approval', () => {
  let h: ReturnType<typeof createTestHandoff> | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('a step or review the person may not decide is neither shown as theirs nor listed as their work', async () => {
    h = createTestHandoff({ org: org() });
    const chat = new LocalChat(h);
    await chat.say('li.lead', REGISTER_NORTH_UNSIGNED); // li.lead's own project waits for a sales lead
    await chat.say('wang.sales', REGISTER_NORTH_UNSIGNED.replace('signed=no paid=no', 'signed=yes paid=yes'));
    await chat.click('zhao.biz', COMMERCIAL_OK, COMMERCIAL_FORM);
    await chat.click('sun.director', '立项并指派', { ...SETUP_FORM, pm: 'zhou.pm' }); // wang.sales's: delivery starts
    const q = new SqliteConsoleQueries(h.db);
    const view = h.deps.org.view();
    const { version, def } = h.deps.processes.current();
    const person = (user: string, selfApprovalVersions: number[] = []) => ({
      person: { user, memberships: membershipsOf(view, user, def), selfApprovalVersions },
    });
    const regNos = (f: Parameters<SqliteConsoleQueries['held']>[0]) =>
      q.held(f, 'since', 50, 0).rows.map((r) => `${r.k} ${r.regNo}`);

    const step = q.held({}, 'since', 50, 0).rows.find((r) => r.k === 'step' && r.regNo === 'HO-2026-0001');
    expect(step?.excluded).toBe('li.lead');
    expect(step && holderIds(view, step, def)).toEqual(['xu.lead']);
    expect(regNos(person('xu.lead'))).toContain('step HO-2026-0001');
    expect(regNos(person('li.lead'))).not.toContain('step HO-2026-0001');
    // A process version without no_self_approval lets the submitter decide: then it is their work again.
    expect(regNos(person('li.lead', [version]))).toContain('step HO-2026-0001');

    // A review task the submitter is barred from (as fixed on the task when it opened).
    const task = q.held({}, 'since', 50, 0).rows.find((r) => r.k === 'task' && r.regNo === 'HO-2026-0002');
    if (!task) throw new Error('no open task of HO-2026-0002');
    expect(task.excluded).toBeNull();
    const [holder] = holderIds(view, task, def);
    if (!holder) throw new Error('nobody holds the task');
    expect(regNos(person(holder))).toContain('task HO-2026-0002');
    h.db.$client
      .prepare("update tasks set barred_user = ? where reg_no = 'HO-2026-0002' and state = 'open'")
      .run(holder);
    const barred = q.held({}, 'since', 50, 0).rows.find((r) => r.k === 'task' && r.regNo === 'HO-2026-0002');
    expect(barred?.excluded).toBe(holder);
    expect(barred && holderIds(view, barred, def)).not.toContain(holder);
    expect(regNos(person(holder))).not.toContain('task HO-2026-0002');
  });
});
