import type { UserId } from '../org';
import type { Project } from '../project';
import type { WaitingItem } from './waiting';

/** Only the submitter urges (催办) their own project; the PM and director nudge with /remind. */
export const mayUrge = (p: Project, user: UserId): boolean => p.submitter === user;

/**
 * The rate-limit key of an urge: at most one per waiting step per local day. A step that opens again (a new round,
 * a send-back) waits since a new time, so it is a new step.
 */
export const urgeKey = (regNo: string, item: Pick<WaitingItem, 'key' | 'since'>, day: string): string =>
  `urge:${regNo}:${item.key}:${item.since.getTime()}:${day}`;
