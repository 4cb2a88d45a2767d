import type { UserId } from './org';
import type { ProjectFacts } from './project';

/** Events on an existing project. Each carries who and when; the clock is never read inside the domain. */
export type WorkflowEvent =
  | { type: 'approve'; by: UserId; at: Date; comment?: string; outsourcing?: boolean }
  | { type: 'reject'; by: UserId; at: Date; reason: string }
  | { type: 'resubmit'; by: UserId; at: Date; changes?: Partial<ProjectFacts> }
  | { type: 'withdraw'; by: UserId; at: Date };

/** A new registration. `regNo` is allocated by the caller (it is a counter in storage). */
export interface RegisterEvent {
  type: 'register';
  by: UserId;
  at: Date;
  regNo: string;
  facts: ProjectFacts;
}
