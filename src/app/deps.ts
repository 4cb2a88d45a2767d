import type { Platform } from '../platforms/types';
import type { Logger } from '../shared/logger';
import type { ConsoleReader } from './console-ports';
import type {
  ActivityRepo,
  AuditRepo,
  CardMessageRepo,
  Clock,
  DelegationRepo,
  GroupedTransactor,
  InboundLog,
  OrgRepo,
  OutboxRepo,
  ProcessRegistry,
  ProjectRepo,
  ReminderRepo,
  Transactor,
  WorkQueries,
} from './ports';
import type { ReminderConfig } from './reminders';

/** Everything the use cases need, wired once in main.ts (and in tests with a fake clock). */
export interface AppDeps {
  tx: Transactor;
  /** The inbound pipeline's transaction: grouped with the deliveries that arrive together, one commit for all. */
  txGrouped: GroupedTransactor;
  projects: ProjectRepo;
  audit: AuditRepo;
  /** CC added by holders; comments, urges and escalations as audit lines. */
  activity: ActivityRepo;
  org: OrgRepo;
  inbound: InboundLog;
  outbox: OutboxRepo;
  cardMessages: CardMessageRepo;
  clock: Clock;
  logger: Logger;
  /** IANA zone for registration-number years and displayed times. */
  timeZone: string;
  /** Platforms with a running adapter: messages are fanned out to these only. */
  platforms: readonly Platform[];
  reminders: ReminderRepo;
  processes: ProcessRegistry;
  /** The light lists of /mine and the reminder sweeps. */
  work: WorkQueries;
  reminderConfig: ReminderConfig;
  /** The console's numbers (/stats, /admin); absent in unit tests that do not need them. */
  console?: ConsoleReader;
  /** Delivers what was just queued outside an inbound event (the /stats report that follows its reply). */
  afterCommit?: () => void;
  delegations: DelegationRepo;
}
