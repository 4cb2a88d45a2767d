import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { LANES } from '../app/delivery/lanes';
import { SUBFLOW_STATES, TASK_STATES } from '../domain/process/state';
import { DECISION_ACTIONS, PROJECT_KINDS, PROJECT_STATES } from '../domain/project';

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** The organisation directory, replaced from ORG_FILE at start-up. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const identities = sqliteTable(
  'identities',
  {
    platform: text('platform').notNull(),
    platformUserId: text('platform_user_id').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.platformUserId] }), index('identities_user').on(t.userId)],
);

/** region '*' = the role is not split by region. */
export const roleMembers = sqliteTable(
  'role_members',
  {
    role: text('role').notNull(),
    region: text('region').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.role, t.region, t.userId] })],
);

export const regions = sqliteTable('regions', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
});

export const orgChats = sqliteTable(
  'org_chats',
  {
    purpose: text('purpose').notNull(),
    platform: text('platform').notNull(),
    chatId: text('chat_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.purpose, t.platform, t.chatId] })],
);

export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull().unique(),
    name: text('name').notNull(),
    customer: text('customer').notNull(),
    kind: text('kind', { enum: PROJECT_KINDS }).notNull(),
    region: text('region').notNull(),
    contractNo: text('contract_no').notNull(),
    signed: integer('signed', { mode: 'boolean' }).notNull(),
    paid: integer('paid', { mode: 'boolean' }).notNull(),
    reqLink: text('req_link'),
    solutionLink: text('solution_link'),
    formLink: text('form_link'),
    submitterId: text('submitter_id').notNull(),
    /** 外采 follow-up from the commercial review: null = not decided yet. */
    outsourcing: integer('outsourcing', { mode: 'boolean' }),
    state: text('state', { enum: PROJECT_STATES }).notNull(),
    round: integer('round').notNull(),
    stepIndex: integer('step_index').notNull(),
    /** The current round's chain: [{ role, region }]. */
    chainJson: text('chain_json').notNull(),
    version: integer('version').notNull(),
    /** The delivery lifecycle after approval: tasks, team, documents (JSON; dates as ISO strings). */
    lifecycleJson: text('lifecycle_json').notNull().default('{}'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    /** The process_versions row the project runs on; 1 = processes/legacy.yaml (every migrated project). */
    processVersion: integer('process_version').notNull().default(1),
    /** Registration facts of the data-driven process. */
    operated: integer('operated', { mode: 'boolean' }).notNull().default(false),
    cloud: integer('cloud', { mode: 'boolean' }).notNull().default(false),
    /** The delivery team (Delivery.team). */
    pmId: text('pm_id'),
    implementersJson: text('implementers_json').notNull().default('[]'),
    /** Delivery.approvalAnswers: answers of approval-step forms by role. */
    approvalAnswersJson: text('approval_answers_json').notNull().default('{}'),
    closedAt: ts('closed_at'),
    /** The current approval step, denormalized for "who holds what": null unless in approval; region '*' = not split. */
    stepRole: text('step_role'),
    stepRegion: text('step_region'),
    /** 1 when the current step has a hold (transferred, signers added): its holders are in `holds`. */
    stepHeld: integer('step_held', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('projects_state').on(t.state, t.updatedAt),
    index('projects_submitter_state').on(t.submitterId, t.state),
    index('projects_step').on(t.state, t.stepRole, t.stepRegion),
    /** The console's counts by stage, kind and region, read from the index alone (rows are wide). */
    index('projects_console').on(t.state, t.kind, t.stepRole, t.processVersion, t.region),
  ],
);

/** Every process definition a project was started on, by content hash; `source` is the definition as JSON. */
export const processVersions = sqliteTable('process_versions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  hash: text('hash').notNull().unique(),
  label: text('label').notNull(),
  source: text('source').notNull(),
  createdAt: ts('created_at').notNull(),
});

/** Task instances of a project's flow and subflows (Delivery.tasks); `task_no` is TaskInstance.no. */
export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull(),
    taskNo: integer('task_no').notNull(),
    defId: text('def_id').notNull(),
    subflowNo: integer('subflow_no'),
    /** Held by the members of role in region ('*' = not split) unless task_holders names the holders. */
    role: text('role'),
    region: text('region'),
    /** 1 when task_holders names the holders (TaskInstance.users is not null, possibly empty). */
    named: integer('named', { mode: 'boolean' }).notNull().default(false),
    state: text('state', { enum: TASK_STATES }).notNull(),
    answersJson: text('answers_json').notNull().default('{}'),
    openedAt: ts('opened_at').notNull(),
    closedAt: ts('closed_at'),
    closedBy: text('closed_by'),
    note: text('note'),
    /** TaskInstance.hold as JSON (transferred, signers added), or null. */
    holdJson: text('hold_json'),
    /** 1 when the task has a hold: who holds it now is in `holds`, not task_holders or the role. */
    held: integer('held', { mode: 'boolean' }).notNull().default(false),
    /** TaskInstance.barred: the submitter, who may not decide this review (no self-approval), or null. */
    barredUser: text('barred_user'),
  },
  (t) => [
    uniqueIndex('tasks_reg_no_task_no').on(t.regNo, t.taskNo),
    index('tasks_state_role_region').on(t.state, t.role, t.region, t.named),
    index('tasks_state_opened').on(t.state, t.openedAt),
    /** The console's cycle times: closed tasks by close time, read from the index alone. */
    index('tasks_closed').on(t.state, t.closedAt, t.defId, t.openedAt, t.closedBy, t.regNo),
  ],
);

/** The named holders of a task (the PM, the implementers, the submitter). */
export const taskHolders = sqliteTable(
  'task_holders',
  {
    taskId: integer('task_id').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.userId] }), index('task_holders_user').on(t.userId)],
);

/**
 * Who holds a held step or task now (Hold.now, before delegation): task_no 0 = the project's current approval step.
 * Only open steps and tasks with a hold have rows, so "what waits on me" stays one indexed lookup.
 */
export const holds = sqliteTable(
  'holds',
  {
    regNo: text('reg_no').notNull(),
    taskNo: integer('task_no').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.regNo, t.taskNo, t.userId] }), index('holds_user').on(t.userId)],
);

/** Delegations (代理): while one runs, the delegate receives and decides the person's steps. */
export const delegations = sqliteTable(
  'delegations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    delegateId: text('delegate_id').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    /** Who set it: the person, or an admin for someone on leave. */
    setBy: text('set_by').notNull(),
    createdAt: ts('created_at').notNull(),
    /** Ended on demand (`/delegate off`) before `ends_at`. */
    endedAt: ts('ended_at'),
    endedBy: text('ended_by'),
  },
  (t) => [index('delegations_user').on(t.userId, t.endsAt), index('delegations_ends').on(t.endsAt)],
);

/** The acceptance documents of a project (Delivery.documents). */
export const documents = sqliteTable(
  'documents',
  {
    regNo: text('reg_no').notNull(),
    docNo: integer('doc_no').notNull(),
    ownerId: text('owner_id').notNull(),
    dueAt: ts('due_at').notNull(),
    link: text('link'),
    submittedAt: ts('submitted_at'),
    submittedBy: text('submitted_by'),
  },
  (t) => [
    primaryKey({ columns: [t.regNo, t.docNo] }),
    index('documents_owner').on(t.ownerId),
    /** The overdue sweep walks missing documents by due date. */
    index('documents_missing_due').on(t.dueAt, t.regNo, t.docNo).where(sql`${t.link} is null`),
  ],
);

/** Repeatable subflows of a project: defects, support requests, cloud orders, change requests. */
export const subflows = sqliteTable(
  'subflows',
  {
    regNo: text('reg_no').notNull(),
    subflowNo: integer('subflow_no').notNull(),
    kind: text('kind').notNull(),
    state: text('state', { enum: SUBFLOW_STATES }).notNull(),
    raisedBy: text('raised_by').notNull(),
    answersJson: text('answers_json').notNull().default('{}'),
    openedAt: ts('opened_at').notNull(),
    closedAt: ts('closed_at'),
  },
  (t) => [primaryKey({ columns: [t.regNo, t.subflowNo] })],
);

/** Append-only (enforced by triggers in a migration): every decision and every refused attempt. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull(),
    round: integer('round').notNull(),
    stepIndex: integer('step_index').notNull(),
    role: text('role').notNull(),
    action: text('action', { enum: DECISION_ACTIONS }).notNull(),
    /** The lifecycle task decided, or null for the approval chain. */
    taskId: integer('task_id'),
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    reason: text('reason'),
    platform: text('platform').notNull(),
    at: ts('at').notNull(),
    /** The person `actor_id` acted for as their delegate (代理): "actor 代 on_behalf_of". */
    onBehalfOf: text('on_behalf_of'),
  },
  (t) => [index('audit_reg_no').on(t.regNo, t.id)],
);

/** Every card message sent for a project, so a decision can update every copy in place. */
export const cardMessages = sqliteTable(
  'card_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    regNo: text('reg_no').notNull(),
    platform: text('platform').notNull(),
    messageId: text('message_id').notNull(),
    viewerId: text('viewer_id'),
    /** Which card of the project this message shows: the project card or the documents checklist. */
    kind: text('kind', { enum: ['project', 'docs'] })
      .notNull()
      .default('project'),
    banner: text('banner'),
    renderedVersion: integer('rendered_version').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('card_messages_msg').on(t.platform, t.messageId), index('card_messages_reg').on(t.regNo)],
);

export const OUTBOX_STATUSES = ['pending', 'sent', 'dead'] as const;

/** Transactional outbox: written in the same transaction as the state change, delivered after commit. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Stable idempotency key (Feishu `uuid`), so a retried send never posts twice. */
    key: text('key').notNull().unique(),
    platform: text('platform').notNull(),
    payloadJson: text('payload_json').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: ts('created_at').notNull(),
    sentAt: ts('sent_at'),
    /** Rows of one conversation (`user:<id>`, `chat:<id>`, `msg:<id>`) are delivered strictly in id order. */
    conversation: text('conversation').notNull().default(''),
    /** `interactive` rows are sent before `bulk` ones (reminder sweeps, news, nudges). */
    lane: text('lane', { enum: LANES }).notNull().default('interactive'),
    /**
     * 1 on the lowest pending row of its conversation (the only one that may be sent), kept by the repo on every
     * insert and every row leaving `pending`: the engine's scan then reads heads only, however deep a backlog.
     */
    head: integer('head').notNull().default(0),
  },
  (t) => [
    index('outbox_due').on(t.status, t.nextAttemptAt),
    /**
     * A conversation's pending rows in order (is there one before this row? which one is next?). Pending rows only: a
     * sent row leaves it (one page written) instead of moving to the `sent` part of a full index (two), and the index
     * stays the size of the backlog.
     */
    index('outbox_pending_conversation').on(t.platform, t.conversation, t.id).where(sql`${t.status} = 'pending'`),
    /** The delivery engine's scan for conversation heads: per lane, oldest first, stopping at its limit. */
    index('outbox_heads').on(t.platform, t.lane, t.id).where(sql`${t.status} = 'pending' and ${t.head} = 1`),
  ],
);

/** Deliveries already handled, for exactly-once processing of platform retries. */
export const inboundEvents = sqliteTable(
  'inbound_events',
  {
    platform: text('platform').notNull(),
    eventId: text('event_id').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.eventId] })],
);

export const regCounters = sqliteTable('reg_counters', {
  year: integer('year').primaryKey(),
  last: integer('last').notNull(),
});

/** Key-value state owned by platform adapters (e.g. WeCom response codes), namespaced by platform. */
export const platformState = sqliteTable(
  'platform_state',
  {
    platform: text('platform').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    expiresAt: ts('expires_at'),
  },
  (t) => [primaryKey({ columns: [t.platform, t.key] })],
);

/**
 * One row per reminder or nudge sent: the unique key (who, what, day) makes the reminder job idempotent —
 * at most one per owner per day, across restarts and overlapping ticks.
 */
export const reminders = sqliteTable(
  'reminders',
  {
    key: text('key').primaryKey(),
    userId: text('user_id').notNull(),
    regNo: text('reg_no'),
    kind: text('kind').notNull(),
    sentAt: ts('sent_at').notNull(),
  },
  (t) => [index('reminders_user').on(t.userId)],
);

/** The local simulator's chat history (the embedded platform's own storage), so the page survives restarts. */
export const localMessages = sqliteTable(
  'local_messages',
  {
    id: text('id').primaryKey(),
    conversation: text('conversation').notNull(),
    from: text('from').notNull(),
    contentJson: text('content_json').notNull(),
    key: text('key').unique(),
    at: ts('at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('local_messages_at').on(t.at)],
);

/**
 * The directory cache: what each platform's contact API answered for an org user's e-mail or mobile (issue 12).
 * `status`: `found` (platform_user_id set), `not_found` (the platform knows no such active person), `failed` (the
 * lookup itself failed: `error` says why; a previously found id is kept). Keyed by what was asked, not by user, so
 * renaming a user id in the org file keeps the answer.
 */
export const directoryCache = sqliteTable(
  'directory_cache',
  {
    platform: text('platform').notNull(),
    kind: text('kind', { enum: ['email', 'mobile'] }).notNull(),
    value: text('value').notNull(),
    platformUserId: text('platform_user_id'),
    status: text('status', { enum: ['found', 'not_found', 'failed'] }).notNull(),
    error: text('error'),
    checkedAt: ts('checked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.kind, t.value] })],
);

/** People a holder copied (抄送) on a project: they get its card (read-only, updated in place) and may comment. */
export const projectCc = sqliteTable(
  'project_cc',
  {
    regNo: text('reg_no').notNull(),
    userId: text('user_id').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: ts('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.regNo, t.userId] }), index('project_cc_user').on(t.userId)],
);
