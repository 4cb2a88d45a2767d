import type { DocId } from './lifecycle';
import type { UserId } from './org';
import type { ProjectFacts } from './project';

/** Events on an existing project. Each carries who and when; the clock is never read inside the domain. */
export type WorkflowEvent =
  | {
      type: 'approve';
      by: UserId;
      at: Date;
      comment?: string;
      outsourcing?: boolean;
      /** Executing-department step: project → pm, feasibility, risk; saas → integration, operated. */
      fields?: Record<string, string>;
    }
  | { type: 'reject'; by: UserId; at: Date; reason: string }
  | { type: 'resubmit'; by: UserId; at: Date; changes?: Partial<ProjectFacts> }
  | { type: 'withdraw'; by: UserId; at: Date }
  | {
      type: 'task';
      by: UserId;
      at: Date;
      taskId: number;
      action: 'approve' | 'reject' | 'submit';
      reason?: string;
      fields: Record<string, string>;
    }
  | { type: 'doc'; by: UserId; at: Date; doc: DocId; link: string }
  | { type: 'due'; by: UserId; at: Date; doc: DocId; due: Date; owner?: UserId }
  | { type: 'handover'; by: UserId; at: Date; operated: boolean };

/** A new registration. `regNo` is allocated by the caller (it is a counter in storage). */
export interface RegisterEvent {
  type: 'register';
  by: UserId;
  at: Date;
  regNo: string;
  facts: ProjectFacts;
}
