import type { OrgView, UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import type { Decision, Project } from '../domain/project';
import type { Platform, SendTarget } from '../platforms/types';
import type { Lane } from './delivery/lanes';
import type { View } from './views';

export interface Clock {
  now(): Date;
}

/** Runs `fn` in one synchronous SQLite transaction (better-sqlite3): no awaits, no network inside. */
export type Transactor = <T>(fn: () => T) => T;

/**
 * Runs `fn` like a Transactor, in a transaction shared with the other calls queued in the same turn of the event
 * loop (one COMMIT for all of them); resolves once that commit is done. `fn` alone rolls back if it throws.
 */
export type GroupedTransactor = <T>(fn: () => T) => Promise<T>;

export interface ProjectRepo {
  get(regNo: string): Project | null;
  insert(p: Project): void;
  /** Compare-and-set on `before.version`: false when someone else changed it first. Writes what changed. */
  update(p: Project, before: Project): boolean;
  /** Allocates the next registration number for the year of `at` (in the configured time zone). */
  nextRegNo(year: number): string;
}

/** The process definitions by version: new projects start on `current`, every project runs on its own version. */
export interface ProcessRegistry {
  current(): { version: number; def: ProcessDefinition };
  /** The definition a project is pinned to; throws for an unknown version (the database is then corrupt). */
  get(version: number): ProcessDefinition;
}

export interface AuditEntry extends Decision {
  regNo: string;
  actorName: string;
  platform: Platform;
}

export interface AuditRepo {
  append(entry: AuditEntry): void;
}

/** What happens around a project's steps: CC added by holders, and comments, urges, escalations (audit lines). */
export interface ActivityRepo {
  /** The people holders copied on the project, oldest first. */
  copied(regNo: string): UserId[];
  /** false when the person was already copied. */
  addCopy(regNo: string, userId: UserId, addedBy: UserId, at: Date): boolean;
  /** The audit lines of ACTIVITY_ACTIONS, oldest first (a comment's text in `reason`). */
  activity(regNo: string): Decision[];
}

export interface OrgRepo {
  view(): OrgView;
  userByIdentity(platform: Platform, platformUserId: string): UserId | null;
  identitiesOf(userId: UserId): { platform: Platform; platformUserId: string }[];
  chats(purpose: string): { platform: Platform; chatId: string }[];
  /** Purposes of the group chats configured for a platform (e.g. handover_news). */
  chatPurposes(platform: Platform): string[];
}

export interface InboundLog {
  /** true the first time (platform, eventId) is seen; false for a redelivery. */
  claim(platform: Platform, eventId: string, at: Date): boolean;
  /** Forgets event ids received before `at` (platforms stop retrying long before); returns how many. */
  purgeBefore(at: Date): number;
}

/** What an outbox row asks a platform to do. Views are rendered at delivery time, from the current state. */
export type OutboxPayload =
  | { op: 'send'; target: SendTarget; view: View; viewer: UserId | null; urgent?: boolean }
  | { op: 'update'; messageId: string; view: View; viewer: UserId | null };

export interface OutboxRow {
  id: number;
  key: string;
  platform: Platform;
  payload: OutboxPayload;
  attempts: number;
  /** Rows of one conversation are delivered in id order (see delivery/lanes.ts). */
  conversation: string;
  lane: Lane;
}

export interface OutboxRepo {
  /** The conversation and lane are derived from the payload; `lane` overrides the derived one. */
  enqueue(platform: Platform, payload: OutboxPayload, at: Date, opts?: { lane?: Lane }): void;
  /**
   * Due, unleased head rows of each conversation of `platform` (interactive first, then oldest); `after`, the last row
   * of the previous call, continues from there.
   */
  heads(platform: Platform, now: Date, limit: number, after?: Pick<OutboxRow, 'lane' | 'id'>): OutboxRow[];
  /** Leases one row until `leaseUntil`, so two dispatchers never send it at once; false when someone else has it. */
  claim(id: number, now: Date, leaseUntil: Date): boolean;
  /** When a pending row not deliverable now (retry later, leased) becomes deliverable; null when none. */
  nextWakeAt(platform: Platform, now: Date): Date | null;
  markSent(id: number, messageId: string | null, at: Date): void;
  /** `nextAttemptAt` null = give up (dead letter). */
  markFailed(id: number, error: string, nextAttemptAt: Date | null): void;
  pendingCount(): number;
  /** Deletes delivered rows sent before `at` (dead letters are kept for inspection); returns how many. */
  purgeSentBefore(at: Date): number;
}

export interface CardMessage {
  regNo: string;
  platform: Platform;
  messageId: string;
  viewerId: UserId | null;
  kind: 'project' | 'docs';
  banner: string | null;
  renderedVersion: number;
}

export interface CardMessageRepo {
  record(m: CardMessage, at: Date): void;
  forProject(regNo: string): CardMessage[];
}

export interface ReminderRepo {
  /** Records a reminder under a unique key; false when that key was already sent (idempotent ticks). */
  claim(key: string, userId: UserId, regNo: string | null, kind: string, at: Date): boolean;
  /** How many reminders with keys starting with `prefix` were sent (to escalate a repeated nudge). */
  countPrefix(prefix: string): number;
}

/** A role in a region ('*' = the role is not split by region), as in role_members. */
export interface Membership {
  role: string;
  region: string;
}

/** One line of someone's work: which project, its name, what is waiting (a role, a task id, a document number). */
export interface WorkRow {
  regNo: string;
  name: string;
  what: string;
  since: Date;
  /** The task's number for tasks, the document's number for documents; null for steps and rejections. */
  no: number | null;
  /** What a name needs: the project's kind and process version, the region a step is held in, a task's subflow. */
  kind: 'project' | 'saas';
  processVersion: number;
  region: string | null;
  submitter: UserId;
  subflowKind: string | null;
  subflowTitle: string | null;
  subflowNo: number | null;
}

export interface OverdueDocument {
  regNo: string;
  name: string;
  processVersion: number;
  pm: UserId | null;
  docNo: number;
  owner: UserId;
  due: Date;
}
export type OverdueCursor = { dueAt: number; regNo: string; docNo: number };

/**
 * An approval step or open task waiting since before the SLA; `holders` are the named holders of a task, or who holds
 * a held step or task now (empty = the role's members).
 */
export interface WaitingRow {
  kind: 'step' | 'task';
  regNo: string;
  name: string;
  what: string;
  no: number | null;
  role: string | null;
  region: string | null;
  holders: UserId[];
  since: Date;
  projectKind: 'project' | 'saas';
  processVersion: number;
  subflowKind: string | null;
  subflowNo: number | null;
}
export type WaitingCursor = { since: number; kind: 'step' | 'task'; id: number };

/** The light lists of /mine and the sweeps (indexed queries, small rows; the sweeps in keyset-paginated chunks). */
export interface WorkQueries {
  /** With `user`, also the steps held by them through a hold (transferred to them, signers). */
  heldSteps(memberships: Membership[], user?: UserId): WorkRow[];
  heldTasks(user: UserId, memberships: Membership[]): WorkRow[];
  /** Projects with open work bound to people no longer in the organisation (named holders, holds, team, owners). */
  orphaned(): string[];
  /** Projects with a held step or task (a transfer, signers): their holds are recomputed after an org change. */
  heldProjects(): string[];
  owedDocuments(user: UserId): WorkRow[];
  rejectedBy(submitter: UserId): WorkRow[];
  overdueDocuments(now: Date, after: OverdueCursor | null, limit: number): OverdueDocument[];
  waitingSince(before: Date, after: WaitingCursor | null, limit: number): (WaitingRow & { cursor: WaitingCursor })[];
}

/** A delegation (代理): from `from` until `until`, `delegate` receives and decides `user`'s steps. */
export interface Delegation {
  id: number;
  user: UserId;
  delegate: UserId;
  from: Date;
  until: Date;
  setBy: UserId;
}

export interface DelegationRepo {
  /** Stores a delegation, ending the person's running or planned one. */
  set(d: Omit<Delegation, 'id'>, at: Date): Delegation;
  end(user: UserId, by: UserId, at: Date): boolean;
  of(user: UserId, now: Date): Delegation | null;
  /** Delegations running at `now`: person → delegate (what OrgView.delegates holds). */
  active(now: Date): Record<UserId, UserId>;
}
