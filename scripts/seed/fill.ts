/**
 * Fills a database with realistic projects at every stage through the real code. Projects run on the process the
 * app would pin a new project to (StoredProcessRegistry: the standard process, or PROCESS_FILE, by content hash).
 * Each is registered by the domain's `register` and then played move by move through the domain's `transition`
 * (approval-chain decisions, then the delivery interpreter: task forms, hand-submitted documents, subflows raised and
 * worked), by the people who hold each step, with timestamps spread back in time (scripts/seed/play.ts).
 *
 * What a commit writes (src/app/commit.ts): the project through SqliteProjectRepo (row, delivery tables, current
 * step) and one audit line per decision through SqliteAuditRepo. The seed writes a project once, at the stage where
 * it stops (insert = the state the project's commits would have left), with every decision of its history in the
 * audit log. Not written: the outbox and card messages (nobody received the seeded projects' messages).
 */
import { formatTime } from '../../cards/labels';
import { type Config, loadConfig } from '../../src/config/env';
import { loadCurrentProcess, StoredProcessRegistry } from '../../src/config/processes';
import { displayName } from '../../src/domain/org';
import type { Project, ProjectFacts, ProjectState } from '../../src/domain/project';
import { register } from '../../src/domain/transition';
import { SqliteAuditRepo } from '../../src/store/audit.repo';
import type { DB } from '../../src/store/db';
import { SqliteProcessVersions } from '../../src/store/process-versions.repo';
import { SqliteProjectRepo } from '../../src/store/projects.repo';
import type { Choices } from './answers';
import { seedOrg } from './people';
import { Play } from './play';

const DAY = 86_400_000;

export interface SeedOptions {
  projects: number;
  /** Share of projects in delivery (accepted); their documents are mostly overdue. */
  delivering?: number;
  now?: Date;
  /** Projects per transaction. */
  batch?: number;
  /** The configuration the app runs with (PROCESS_FILE, DOC_DUE_DAYS, TIMEZONE); default: the defaults. */
  config?: Config;
  /** Told every state each project passed through, registration first, as the domain produced them. */
  played?: (states: readonly Project[]) => void;
}

export interface SeedSummary {
  projects: number;
  byState: Record<ProjectState, number>;
  /** The process version the projects are pinned to. */
  processVersion: number;
  ms: number;
}

interface Planned {
  target: ProjectState;
  created: number;
}

export function seedDatabase(db: DB, opts: SeedOptions): SeedSummary {
  const t0 = performance.now();
  const config = opts.config ?? loadConfig({});
  const { version, def } = new StoredProcessRegistry(
    new SqliteProcessVersions(db),
    config,
    loadCurrentProcess(config),
  ).current();
  const people = seedOrg();
  const org = people.org;
  const projects = new SqliteProjectRepo(db);
  const audit = new SqliteAuditRepo(db);
  const now = (opts.now ?? new Date()).getTime();
  const delivering = opts.delivering ?? 0.3;
  const byState: Record<ProjectState, number> = { in_approval: 0, rejected: 0, withdrawn: 0, accepted: 0, closed: 0 };
  const rnd = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const between = (a: number, b: number) => now - (a + rnd() * (b - a)) * DAY;

  // Stable mix: in delivery first (the share asked), then approval 10 %, rejected 5 %, withdrawn 3 %, closed. Numbers
  // are allocated in registration order, as the app allocates them.
  const plan: Planned[] = Array.from({ length: opts.projects }, () => {
    const r = rnd();
    if (r < delivering) return { target: 'accepted', created: between(40, 400) };
    if (r < delivering + 0.1) return { target: 'in_approval', created: between(0.2, 20) };
    if (r < delivering + 0.15) return { target: 'rejected', created: between(3, 300) };
    if (r < delivering + 0.18) return { target: 'withdrawn', created: between(3, 300) };
    return { target: 'closed', created: between(120, 420) };
  });
  plan.sort((a, b) => a.created - b.created);

  const lengths = new Lengths();
  const one = (n: number, { target, created }: Planned) => {
    const at = new Date(created);
    const year = formatTime(at, config.timeZone).slice(0, 4);
    const kind = rnd() < 0.75 ? 'project' : 'saas';
    const signed = rnd() < 0.85;
    const customer = pick(CUSTOMERS);
    const facts: ProjectFacts = {
      name: `${customer}${pick(SYSTEMS)}项目`,
      customer,
      kind,
      region: rnd() < 0.5 ? 'north' : 'south',
      contractNo: `HT-${year}-${String(n + 1).padStart(5, '0')}`,
      signed,
      paid: signed && rnd() < 0.9,
      reqLink: `https://docs.example/req/${n + 1}`,
      solutionLink: rnd() < 0.6 ? `https://docs.example/solution/${n + 1}` : null,
      formLink: `https://docs.example/form/${n + 1}`,
      operated: kind === 'saas' || rnd() < 0.25,
      cloud: kind === 'project' && rnd() < 0.15,
    };
    const regNo = projects.nextRegNo(Number(year));
    const res = register(
      { type: 'register', by: pick(people.sales), at, regNo, processVersion: version, facts },
      def,
      org,
    );
    if (!res.ok) throw new Error(`seed register: ${res.error.code}`);
    const c: Choices = { rnd, outsourcing: rnd() < 0.2, customization: customization(rnd()), integration: rnd() < 0.4 };
    const play = new Play(res.value.next, def, org, now, c);
    const p = stopped(play, target, lengths);
    opts.played?.(play.seen.slice(0, play.seen.indexOf(p) + 1));
    projects.insert(p);
    for (const d of p.history) audit.append({ ...d, regNo, actorName: displayName(org, d.by), platform: 'local' });
    byState[p.state]++;
  };

  const batch = opts.batch ?? 2000;
  const tx = db.$client.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) one(i, plan[i] as Planned);
  });
  for (let from = 0; from < opts.projects; from += batch) tx(from, Math.min(opts.projects, from + batch));
  return { projects: opts.projects, byState, processVersion: version, ms: performance.now() - t0 };
}

/** Plays the project towards `target` and returns it where it stops (time may stop it earlier, at `now`). */
function stopped(play: Play, target: ProjectState, lengths: Lengths): Project {
  const { rnd } = play.c;
  const somewhere = () => Math.floor(rnd() * play.p.chain.length);
  switch (target) {
    case 'in_approval':
      play.approveUpTo(somewhere(), 1.5);
      return play.p;
    case 'rejected':
      if (play.approveUpTo(somewhere(), 2) && play.wait(2)) play.reject();
      return play.p;
    case 'withdrawn':
      if (rnd() < 0.6) {
        if (play.wait(1)) play.withdraw();
      } else if (play.approveUpTo(somewhere(), 2) && play.wait(2)) {
        play.reject();
        if (play.wait(3)) play.withdraw();
      }
      return play.p;
    case 'accepted':
    case 'closed':
      return delivered(play, target, lengths);
  }
}

/** Delivery moves of the projects played to the end so far, by kind: where to stop one caught in delivery. */
class Lengths {
  private readonly sum = new Map<string, [number, number]>();
  add(kind: string, moves: number): void {
    const [total, n] = this.sum.get(kind) ?? [0, 0];
    this.sum.set(kind, [total + moves, n + 1]);
  }
  mean(kind: string): number {
    const [total, n] = this.sum.get(kind) ?? [0, 0];
    return n ? total / n : 30;
  }
}

function delivered(play: Play, target: 'accepted' | 'closed', lengths: Lengths): Project {
  const { rnd } = play.c;
  const kind = play.p.facts.kind;
  // A tenth are rejected once on the way and resubmitted (the first payment may have arrived meanwhile).
  if (rnd() < 0.1) {
    if (!play.approveUpTo(Math.floor(rnd() * play.p.chain.length), 2) || !play.wait(2)) return play.p;
    play.reject();
    if (!play.wait(4)) return play.p;
    play.resubmit();
  }
  if (!play.approveUpTo(Number.POSITIVE_INFINITY, 2)) return play.p;
  // One caught in delivery stalls after about any number of moves a whole delivery of its kind takes (its documents
  // fall overdue); a shorter delivery that ends before is caught at any of its moves below.
  const limit = target === 'closed' ? 200 : Math.floor(rnd() * 1.2 * lengths.mean(kind));
  let moves = 0;
  while (moves < limit && play.p.state === 'accepted') {
    if (!play.wait(2.5) || !play.deliveryMove({ raise: 0.03, reject: 0.06 })) break;
    moves++;
  }
  if (target === 'closed' && play.p.state === 'closed') lengths.add(kind, moves);
  if (target === 'closed' && play.p.state === 'closed') {
    // After the hand-over: support requests, defects and cloud orders, some worked through, some still open.
    const after = Math.floor(rnd() * rnd() * 6);
    for (let n = 0; n < after; n++) if (!play.wait(15) || !play.deliveryMove({ raise: 0.3, reject: 0.1 })) break;
  }
  if (target === 'closed' || play.p.state !== 'closed') return play.p;
  const during = play.seen.filter((s) => s.state === 'accepted');
  return during[Math.floor(rnd() * during.length)] ?? play.p;
}

function customization(r: number): string[] {
  if (r < 0.6) return [];
  if (r < 0.8) return ['in_contract'];
  if (r < 0.92) return ['out_of_contract'];
  return ['in_contract', 'out_of_contract'];
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
