import { describe, expect, it } from 'vitest';
import { type Delivery, emptyDelivery, type TaskInstance } from '../../src/domain/process/state';
import { register } from '../../src/domain/transition';
import { openDb } from '../../src/store/db';
import {
  DELIVERY_HEAD_COLUMNS,
  type DeliveryHead,
  headValues,
  SqliteDeliveryRepo,
  stepValues,
} from '../../src/store/delivery.repo';
import { SqliteProcessVersions } from '../../src/store/process-versions.repo';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { SqliteWorkQueries } from '../../src/store/work-queries.repo';
import { facts, org as fixtureOrg, LEGACY } from '../helpers/process-fixture';

const org = { ...fixtureOrg, members: { ...fixtureOrg.members, sales: { '*': ['wang.sales'] } } };
const FACTS = facts({ signed: true, paid: true });
const t0 = Date.parse('2026-05-01T00:00:00Z');
const at = (h: number) => new Date(t0 + h * 3_600_000);

function setup() {
  const db = openDb(':memory:');
  const projects = new SqliteProjectRepo(db);
  const add = (regNo: string, state: 'in_approval' | 'accepted' | 'rejected' = 'accepted') => {
    const r = register(
      { type: 'register', by: 'wang.sales', at: at(0), regNo, facts: FACTS, processVersion: 1 },
      LEGACY,
      org,
    );
    if (!r.ok) throw new Error(r.error.code);
    projects.insert({ ...r.value.next, state });
  };
  return { db, add, delivery: deliveryOn(db), work: new SqliteWorkQueries(db) };
}

/**
 * The delivery repo with the project row's delivery columns read and written beside it, as the project repo does in
 * its one statement per project (here the head columns are written only when they changed, so the count of changed
 * rows shows what the repo wrote).
 */
function deliveryOn(db: ReturnType<typeof openDb>) {
  const repo = new SqliteDeliveryRepo(db);
  const c = db.$client;
  const readHead = c.prepare(`select ${DELIVERY_HEAD_COLUMNS} from projects where reg_no = ?`);
  const writeHead = c.prepare(
    `update projects set process_version = @process_version, pm_id = @pm_id, implementers_json = @implementers_json,
     approval_answers_json = @approval_answers_json, closed_at = @closed_at where reg_no = @regNo`,
  );
  const writeStep = c.prepare(
    'update projects set step_role = @step_role, step_region = @step_region, step_held = @step_held where reg_no = @regNo',
  );
  return {
    load(regNo: string): Delivery | null {
      const head = readHead.get(regNo) as DeliveryHead | undefined;
      return head ? repo.loadWith(regNo, head) : null;
    },
    save(regNo: string, before: Delivery | null, after: Delivery): void {
      const next = headValues(after);
      if (!before || JSON.stringify(headValues(before)) !== JSON.stringify(next)) writeHead.run({ ...next, regNo });
      repo.saveRows(regNo, before, after);
    },
    setStep(regNo: string, step: Parameters<SqliteDeliveryRepo['saveStepHolds']>[1]): void {
      writeStep.run({ ...stepValues(step), regNo });
      repo.saveStepHolds(regNo, step);
    },
  };
}

const task = (no: number, over: Partial<TaskInstance> = {}): TaskInstance => ({
  no,
  defId: 'pickup',
  subflow: null,
  role: 'implementer',
  region: null,
  users: ['zheng.impl'],
  state: 'open',
  answers: {},
  openedAt: at(no),
  closedAt: null,
  closedBy: null,
  note: null,
  ...over,
});

const sample = (): Delivery => ({
  ...emptyDelivery(2),
  team: { pm: 'zhou.pm', implementers: ['zheng.impl'] },
  approvalAnswers: { commercial_reviewer: { outsourcing: true, comment: '好' } },
  tasks: [
    task(0, {
      defId: 'setup',
      role: 'project_director',
      users: null,
      state: 'done',
      closedAt: at(1),
      closedBy: 'sun.director',
      answers: { pm: 'zhou.pm' },
    }),
    task(1, { defId: 'requirements', role: 'regional_pm', region: 'north', users: ['zhou.pm'] }),
    task(2, { defId: 'pickup_commercial', role: 'commercial_reviewer', users: null }),
  ],
  documents: [1, 2].map((no) => ({
    no,
    owner: 'zheng.impl',
    due: at(-24),
    link: null,
    submittedAt: null,
    submittedBy: null,
  })),
  subflows: [
    {
      no: 1,
      kind: 'defect',
      state: 'open',
      raisedBy: 'he.cs',
      answers: { title: '登录失败' },
      openedAt: at(3),
      closedAt: null,
    },
  ],
});

const changes = (db: ReturnType<typeof openDb>) =>
  (db.$client.prepare('select total_changes() n').get() as { n: number }).n;

describe('SqliteDeliveryRepo', () => {
  it('round-trips a delivery and writes only what changed', () => {
    const { db, add, delivery } = setup();
    add('HO-1');
    expect(delivery.load('nope')).toBeNull();
    expect(delivery.load('HO-1')).toEqual(emptyDelivery(1));
    const d = sample();
    delivery.save('HO-1', null, d);
    expect(delivery.load('HO-1')).toEqual(d);

    const before = changes(db);
    delivery.save('HO-1', d, structuredClone(d));
    expect(changes(db)).toBe(before);

    const next = structuredClone(d);
    next.tasks[1] = {
      ...(next.tasks[1] as TaskInstance),
      state: 'done',
      closedAt: at(5),
      closedBy: 'zhou.pm',
      answers: { link: 'https://x' },
    };
    next.tasks.push(task(3, { users: ['zheng.impl', 'qian.impl'] }));
    next.documents[0] = {
      ...(next.documents[0] as Delivery['documents'][0]),
      link: 'https://doc/1',
      submittedAt: at(6),
      submittedBy: 'zheng.impl',
    };
    next.team.implementers.push('qian.impl');
    delivery.save('HO-1', d, next);
    // project head + one task update + one insert with two holders + one document.
    expect(changes(db) - before).toBe(1 + 1 + 1 + 2 + 1);
    const loaded = delivery.load('HO-1');
    // Holders read back in the order they were named, like everything else: the load equals what was saved.
    expect(loaded?.tasks[3]?.users).toEqual(['zheng.impl', 'qian.impl']);
    expect(loaded).toEqual(next);

    const moved = structuredClone(loaded as Delivery);
    (moved.tasks[1] as TaskInstance).users = ['wu.pm'];
    delivery.save('HO-1', loaded, moved);
    expect(delivery.load('HO-1')?.tasks[1]?.users).toEqual(['wu.pm']);
  });

  it('process versions are found by hash; version 1 is the legacy placeholder until adopted', () => {
    const { db } = setup();
    const pv = new SqliteProcessVersions(db, () => at(0));
    expect(pv.get(1)).toMatchObject({ hash: 'legacy', source: '' });
    expect(pv.adoptLegacy('h-legacy', '{"label":"legacy"}')).toBe(1);
    expect(pv.adoptLegacy('other', '{}')).toBe(1);
    expect(pv.get(1)).toMatchObject({ hash: 'h-legacy', source: '{"label":"legacy"}' });
    const id = pv.ensure('h-std', '标准流程', '{"label":"std"}');
    expect(id).toBe(2);
    expect(pv.ensure('h-std', '标准流程', '{}')).toBe(2);
    expect(pv.get(2)).toEqual({ id: 2, hash: 'h-std', label: '标准流程', source: '{"label":"std"}', createdAt: at(0) });
    expect(pv.get(9)).toBeNull();
  });
});

describe('SqliteWorkQueries', () => {
  function filled() {
    const s = setup();
    s.add('HO-1');
    s.delivery.save('HO-1', null, sample());
    s.add('HO-2', 'in_approval');
    s.delivery.setStep('HO-2', { role: 'special_approver', region: 'north' });
    s.add('HO-3', 'in_approval');
    s.delivery.setStep('HO-3', { role: 'commercial_reviewer', region: null });
    s.add('HO-4', 'rejected');
    s.add('HO-5');
    s.delivery.save('HO-5', null, {
      ...sample(),
      documents: [{ no: 3, owner: 'zheng.impl', due: at(-48), link: null, submittedAt: null, submittedBy: null }],
    });
    return s;
  }

  it('lists what a person holds: steps, tasks by name and by role, owed documents, rejections', () => {
    const { work } = filled();
    expect(work.heldSteps([{ role: 'special_approver', region: 'north' }]).map((r) => r.regNo)).toEqual(['HO-2']);
    expect(work.heldSteps([{ role: 'special_approver', region: 'south' }])).toEqual([]);
    expect(work.heldSteps([{ role: 'commercial_reviewer', region: '*' }])).toMatchObject([
      { regNo: 'HO-3', what: 'commercial_reviewer' },
    ]);
    expect(work.heldTasks('zhou.pm', [{ role: 'regional_pm', region: 'north' }]).map((r) => [r.regNo, r.no])).toEqual([
      ['HO-1', 1],
      ['HO-5', 1],
    ]);
    expect(
      work.heldTasks('zhao.biz', [{ role: 'commercial_reviewer', region: '*' }]).map((r) => [r.regNo, r.what]),
    ).toEqual([
      ['HO-1', 'pickup_commercial'],
      ['HO-5', 'pickup_commercial'],
    ]);
    expect(work.owedDocuments('zheng.impl').map((r) => [r.regNo, r.no])).toEqual([
      ['HO-1', 1],
      ['HO-1', 2],
      ['HO-5', 3],
    ]);
    expect(work.rejectedBy('wang.sales').map((r) => r.regNo)).toEqual(['HO-4']);
  });

  it('walks overdue documents and waiting work in chunks, oldest first, each row once', () => {
    const { work } = filled();
    const seen: string[] = [];
    let cursor = null;
    for (;;) {
      const chunk = work.overdueDocuments(at(0), cursor, 2);
      seen.push(...chunk.map((d) => `${d.regNo}/${d.docNo}`));
      if (chunk.length < 2) break;
      cursor = SqliteWorkQueries.overdueCursor(chunk.at(-1) as (typeof chunk)[0]);
    }
    expect(seen).toEqual(['HO-5/3', 'HO-1/1', 'HO-1/2']);
    expect(work.overdueDocuments(at(-30), null, 10).map((d) => d.docNo)).toEqual([3]);

    const waiting: string[] = [];
    let wc = null;
    for (;;) {
      const chunk = work.waitingSince(at(2), wc, 2);
      waiting.push(...chunk.map((w) => `${w.kind}:${w.regNo}:${w.no ?? w.what}`));
      if (chunk.length < 2) break;
      wc = chunk.at(-1)?.cursor ?? null;
    }
    // Steps waiting since registration (hour 0), then the open tasks opened at hours 1 and 2 … (hour 2 is not < 2).
    expect(waiting).toEqual([
      'step:HO-2:special_approver',
      'step:HO-3:commercial_reviewer',
      'task:HO-1:1',
      'task:HO-5:1',
    ]);
    expect(work.waitingSince(at(2), null, 10).find((w) => w.kind === 'task')).toMatchObject({
      holders: ['zhou.pm'],
      region: 'north',
    });
  });

  it('every /mine and sweep query searches an index: no full scan of projects, tasks or documents', () => {
    const { db } = filled();
    const c = db.$client;
    const plans = {
      steps: "select reg_no from projects where state = 'in_approval' and step_role = 'x' and step_region = '*'",
      named: `select t.reg_no, p.name from task_holders h join tasks t on t.id = h.task_id join projects p on p.reg_no = t.reg_no where h.user_id = 'u' and t.state = 'open'`,
      role: `select t.reg_no, p.name from tasks t join projects p on p.reg_no = t.reg_no where t.state = 'open' and t.role = 'r' and t.region = '*' and t.named = 0`,
      owed: `select d.reg_no, p.name from documents d join projects p on p.reg_no = d.reg_no where d.owner_id = 'u' and d.link is null and p.state = 'accepted'`,
      rejected: "select reg_no from projects where submitter_id = 'u' and state = 'rejected'",
    };
    // The statements the repo prepared, read back from its own SQL.
    const repoSql = (new SqliteWorkQueries(db) as unknown as { s: Record<string, { source: string }> }).s;
    const all = [...Object.values(plans), ...Object.values(repoSql).map((s) => s.source)];
    for (const sql of all) {
      const params = (sql.match(/\?/g) ?? []).map(() => 1);
      const plan = (c.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      const scans = plan.filter((d) => /^SCAN (projects|tasks|documents|task_holders|[pdth])\b/.test(d));
      expect(scans, `${sql}\n${plan.join('\n')}`).toEqual([]);
      expect(plan.some((d) => d.includes('USING'))).toBe(true);
    }
    const overdue = (
      c.prepare(`explain query plan ${repoSql.overdue?.source}`).all(1, 1, 1, 'x', 1, 1) as { detail: string }[]
    ).map((r) => r.detail);
    expect(overdue.join('\n')).toContain('documents_missing_due');
    expect(overdue.join('\n')).not.toContain('TEMP B-TREE');
  });
});
