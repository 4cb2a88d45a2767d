/**
 * Fills a database with realistic projects at every stage through the real code: registration by the domain's
 * `register`, rows by SqliteProjectRepo / SqliteAuditRepo / SqliteDeliveryRepo. Deliveries follow
 * processes/legacy.yaml (process version 1), so today's code reads the projects too (lifecycle_json is empty).
 */
import type { AuditEntry } from '../../src/app/ports';
import { LEGACY_PROCESS_FILE, loadProcessFile } from '../../src/config/process-file';
import type { OrgView } from '../../src/domain/org';
import { type Delivery, emptyDelivery, type TaskInstance } from '../../src/domain/process/state';
import type { Decision, Project, ProjectState } from '../../src/domain/project';
import { register } from '../../src/domain/transition';
import { SqliteAuditRepo } from '../../src/store/audit.repo';
import type { DB } from '../../src/store/db';
import { SqliteDeliveryRepo } from '../../src/store/delivery.repo';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import { type SeedPeople, seedOrg } from './people';

/** Seeded projects run on version 1 (the v0.1 process, whose flow the seed follows). */
const LEGACY = loadProcessFile(LEGACY_PROCESS_FILE);

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface SeedOptions {
  projects: number;
  /** Share of projects in delivery (accepted); their documents are mostly overdue. */
  delivering?: number;
  now?: Date;
  /** Projects per transaction. */
  batch?: number;
}

export interface SeedSummary {
  projects: number;
  byState: Record<ProjectState, number>;
  ms: number;
}

/** The legacy flow in order; a project in delivery has the tasks before its stage done and its stage open. */
const FLOW = [
  'requirements',
  'assign',
  'pickup',
  'pickup_pm',
  'pickup_commercial',
  'pickup_issue',
  'handover_request',
  'handover_cs',
  'handover',
] as const;

export function seedDatabase(db: DB, opts: SeedOptions): SeedSummary {
  const t0 = performance.now();
  const people = seedOrg();
  const projects = new SqliteProjectRepo(db);
  const audit = new SqliteAuditRepo(db);
  const delivery = new SqliteDeliveryRepo(db);
  const now = (opts.now ?? new Date()).getTime();
  const delivering = opts.delivering ?? 0.3;
  const byState: Record<ProjectState, number> = { in_approval: 0, rejected: 0, withdrawn: 0, accepted: 0, closed: 0 };
  const rnd = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const batch = opts.batch ?? 2000;
  const year = new Date(now).getUTCFullYear();

  const one = (i: number) => {
    const r = rnd();
    // Stable mix: in delivery first (the share asked), then approval 10 %, rejected 5 %, withdrawn 3 %, closed.
    const state: ProjectState =
      r < delivering
        ? 'accepted'
        : r < delivering + 0.1
          ? 'in_approval'
          : r < delivering + 0.15
            ? 'rejected'
            : r < delivering + 0.18
              ? 'withdrawn'
              : 'closed';
    const kind = rnd() < 0.8 ? 'project' : 'saas';
    const region = rnd() < 0.5 ? 'north' : 'south';
    const signed = rnd() < 0.85;
    const age = state === 'in_approval' ? rnd() * 20 * DAY : 40 * DAY + rnd() * 360 * DAY;
    const created = new Date(now - age);
    const regNo = `HO-${year}-${String(i + 1).padStart(6, '0')}`;
    const res = register(
      {
        type: 'register',
        by: pick(people.sales),
        at: created,
        regNo,
        processVersion: 1,
        facts: {
          name: `${pick(CUSTOMERS)}${pick(SYSTEMS)}项目`,
          customer: pick(CUSTOMERS),
          kind,
          region,
          contractNo: `HT-${year}-${i + 1}`,
          signed,
          paid: signed && rnd() < 0.9,
          reqLink: `https://docs.example/req/${i + 1}`,
          solutionLink: null,
          formLink: `https://docs.example/form/${i + 1}`,
          operated: kind === 'saas',
          cloud: false,
        },
      },
      LEGACY,
      people.org,
    );
    if (!res.ok) throw new Error(`seed register: ${res.error.code}`);
    const p: Project = { ...res.value.next, state };
    const entries: AuditEntry[] = [entry(p, res.value.record, people.org)];
    let at = created.getTime();
    const approveUpTo = state === 'in_approval' ? Math.floor(rnd() * p.chain.length) : p.chain.length;
    for (let s = 0; s < approveUpTo; s++) {
      at += rnd() * 2 * DAY;
      const step = p.chain[s];
      if (!step) break;
      const rejects = state === 'rejected' && s === approveUpTo - 1;
      entries.push(
        entry(
          p,
          {
            round: 1,
            stepIndex: s,
            role: step.role,
            action: rejects ? 'reject' : 'approve',
            task: null,
            by: holder(people, step.role, step.region),
            at: new Date(at),
            reason: rejects ? '合同信息不全' : null,
          },
          people.org,
        ),
      );
    }
    if (state === 'in_approval') p.stepIndex = approveUpTo;
    if (state === 'withdrawn')
      entries.push(
        entry(
          p,
          {
            round: 1,
            stepIndex: 0,
            role: 'sales',
            action: 'withdraw',
            task: null,
            by: p.submitter,
            at: new Date(at + HOUR),
            reason: null,
          },
          people.org,
        ),
      );
    p.version = entries.length;
    const outsourcing = state === 'accepted' || state === 'closed' ? rnd() < 0.2 : null;
    projects.insert(p);
    for (const e of entries) audit.append(e);
    if (state === 'in_approval') delivery.setStep(regNo, p.chain[p.stepIndex] ?? null);
    if (state === 'accepted' || state === 'closed') {
      const stage = state === 'closed' ? FLOW.length : Math.floor(rnd() * FLOW.length);
      delivery.save(regNo, null, deliveryFor(p, people, at, stage, now, rnd, outsourcing));
    }
    byState[state]++;
  };

  const tx = db.$client.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) one(i);
  });
  for (let from = 0; from < opts.projects; from += batch) tx(from, Math.min(opts.projects, from + batch));
  return { projects: opts.projects, byState, ms: performance.now() - t0 };
}

const entry = (p: Project, d: Decision, org: OrgView): AuditEntry => ({
  ...d,
  regNo: p.regNo,
  actorName: org.users[d.by]?.name ?? d.by,
  platform: 'local',
});

function holder(people: SeedPeople, role: string, region: string | null): string {
  const m = people.org.members[role as keyof OrgView['members']];
  return (m?.[region ?? '*'] ?? m?.['*'] ?? ['nobody'])[0] as string;
}

/** The legacy flow up to `stage` (index in FLOW; FLOW.length = handed over). */
function deliveryFor(
  p: Project,
  people: SeedPeople,
  accepted: number,
  stage: number,
  now: number,
  rnd: () => number,
  outsourcing: boolean | null,
): Delivery {
  const region = p.facts.region;
  const pm = people.pms[region]?.[Math.floor(rnd() * 25)] ?? 'zhou.pm';
  const impl = people.implementers[Math.floor(rnd() * people.implementers.length)] as string;
  const d: Delivery = { ...emptyDelivery(1), team: { pm, implementers: [] } };
  if (outsourcing !== null) d.approvalAnswers = { commercial_reviewer: { outsourcing } };
  let at = accepted;
  const push = (
    defId: string,
    role: string,
    reg: string | null,
    users: string[] | null,
    done: boolean,
    answers = {},
  ) => {
    const t: TaskInstance = {
      no: d.tasks.length,
      defId,
      subflow: null,
      role,
      region: reg,
      users,
      state: done ? 'done' : 'open',
      answers,
      openedAt: new Date(at),
      closedAt: null,
      closedBy: null,
      note: null,
    };
    if (done) {
      at += rnd() * 3 * DAY;
      Object.assign(t, { closedAt: new Date(at), closedBy: users?.[0] ?? holder(people, role, reg) });
    }
    d.tasks.push(t);
  };
  const saas = p.facts.kind === 'saas';
  if (saas) push('intake', 'customer_success', null, null, true, { integration: true });
  else push('setup', 'project_director', null, null, true, { pm });
  const holders: Record<(typeof FLOW)[number], [string, string | null, string[] | null]> = {
    requirements: ['regional_pm', region, [pm]],
    assign: ['regional_pm', region, [pm]],
    pickup: ['implementer', null, [impl]],
    pickup_pm: ['regional_pm', region, [pm]],
    pickup_commercial: ['commercial_reviewer', null, null],
    pickup_issue: ['product_manager', null, null],
    handover_request: ['implementer', null, [impl]],
    handover_cs: ['customer_success', null, null],
    handover: ['after_sales', null, null],
  };
  FLOW.forEach((id, k) => {
    if (k > stage) return;
    const [role, reg, users] = holders[id];
    if (saas && id === 'requirements') push('integration_setup', 'project_director', null, null, k < stage, { pm });
    else
      push(
        id,
        role,
        reg,
        users,
        k < stage,
        id === 'requirements' ? { link: 'https://docs.example/confirm', customization: 'none' } : {},
      );
    if (id === 'assign' && k < stage) {
      d.team.implementers = [impl];
      const due = at + 30 * DAY;
      const allIn = stage > FLOW.indexOf('handover_request');
      d.documents = [1, 2, 3, 4, 5, 6, 7].map((no) => {
        const done = allIn || rnd() < 0.3;
        const when = Math.min(now, at + rnd() * 40 * DAY);
        return {
          no,
          owner: impl,
          due: new Date(due),
          link: done ? `https://docs.example/${p.regNo}/${no}` : null,
          submittedAt: done ? new Date(when) : null,
          submittedBy: done ? impl : null,
        };
      });
    }
  });
  if (stage >= FLOW.length) d.closedAt = new Date(at);
  return d;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CUSTOMERS = ['华东电网', '南方航空', '中原银行', '西部矿业', '北方重工', '东海证券', '长江水务', '岭南医药'];
const SYSTEMS = ['数据平台', '运维监控', '客服系统', '财务共享', '供应链', '移动办公'];
