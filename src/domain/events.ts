import type { UserId } from './org';
import type { RawFields } from './process/forms';
import type { ProjectFacts } from './project';

/** Events on an existing project. Each carries who and when; the clock is never read inside the domain. */
export type WorkflowEvent =
  | {
      type: 'approve';
      by: UserId;
      at: Date;
      comment?: string;
      /** The approval step's form (e.g. the commercial review's checklist and 外采), or the start task's form. */
      fields?: RawFields;
    }
  | { type: 'reject'; by: UserId; at: Date; reason: string }
  | { type: 'resubmit'; by: UserId; at: Date; changes?: Partial<ProjectFacts> }
  | { type: 'withdraw'; by: UserId; at: Date }
  | {
      type: 'task';
      by: UserId;
      at: Date;
      /** The task instance's `no`. */
      taskId: number;
      action: 'approve' | 'reject' | 'submit';
      reason?: string;
      fields: RawFields;
    }
  | { type: 'doc'; by: UserId; at: Date; doc: number; link: string }
  | { type: 'due'; by: UserId; at: Date; doc: number; due: Date; owner?: UserId }
  | { type: 'raise'; by: UserId; at: Date; kind: string; fields: RawFields };

/** A new registration. `regNo` is allocated by the caller (it is a counter in storage). */
export interface RegisterEvent {
  type: 'register';
  by: UserId;
  at: Date;
  regNo: string;
  facts: ProjectFacts;
  /** The process definition version the project is pinned to. */
  processVersion: number;
}
