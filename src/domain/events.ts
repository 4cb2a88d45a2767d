import type { UserId } from './org';
import type { RawFields } from './process/forms';
import type { SignPosition } from './process/hold';
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
  | { type: 'raise'; by: UserId; at: Date; kind: string; fields: RawFields }
  | OperationEvent;

/**
 * The approval operations (issue 13) on the current approval step (`task: null`) or on an open task instance.
 * `authority`: holder = the step's holder (or their delegate) acts; manager = the project's PM or a director
 * reassigns (/reassign); system = the app itself (timeouts' auto-transfer, org changes).
 */
export type OperationEvent =
  | {
      type: 'transfer';
      by: UserId;
      at: Date;
      task: number | null;
      /** Several people: a transfer to a role's members (timeouts); any of them decides. */
      to: UserId | UserId[];
      note?: string;
      authority?: 'holder' | 'manager' | 'system';
    }
  | { type: 'addSigner'; by: UserId; at: Date; task: number | null; signer: UserId; position: SignPosition }
  | { type: 'removeSigner'; by: UserId; at: Date; task: number | null; signer: UserId }
  /** `to`: an earlier approval step (1-based number, name or role) or an earlier task (number, id or name). */
  | { type: 'sendBack'; by: UserId; at: Date; task: number | null; to: string; reason: string }
  | { type: 'revoke'; by: UserId; at: Date; task: number | null };

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
