import type { UserId } from '../org';
import type { Hold } from './hold';

/** A form answer: text, link, date (YYYY-MM-DD), a choice, several choices or people, a yes/no or a tick. */
export type FieldValue = string | string[] | boolean;
export type Answers = Record<string, FieldValue>;

/** superseded = sent back: a later step's rejection made this one decide again (a new instance follows). */
export const TASK_STATES = ['open', 'done', 'rejected', 'skipped', 'cancelled', 'superseded'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** One instance of a task of the project's flow or of one of its subflows. A reopened task is a new instance. */
export interface TaskInstance {
  /** 1, 2, 3 … within the project (instances are never deleted). */
  no: number;
  /** The task's id in the definition (flow task, or subflow step). */
  defId: string;
  /** The subflow this task belongs to (its `no`), or null for the main flow. */
  subflow: number | null;
  /** Held by the members of `role` in `region` (null = not split) — unless `users` names the holders. */
  role: string | null;
  region: string | null;
  users: UserId[] | null;
  state: TaskState;
  answers: Answers;
  openedAt: Date;
  closedAt: Date | null;
  closedBy: UserId | null;
  /** The reason of a rejection, or the note of an approval. */
  note: string | null;
  /** Transferred, reassigned or signers added (加签): see hold.ts. */
  hold?: Hold;
  /**
   * The project's submitter, who may not decide this review (no self-approval, `barsSubmitter`): never one of its
   * holders, whatever the role, the team, a transfer or a delegation says. Fixed when the instance opens.
   */
  barred?: UserId;
}

export interface ProjectDocument {
  no: number;
  owner: UserId;
  due: Date;
  link: string | null;
  submittedAt: Date | null;
  submittedBy: UserId | null;
}

export const SUBFLOW_STATES = ['open', 'done', 'rejected'] as const;
export type SubflowState = (typeof SUBFLOW_STATES)[number];

/** One repeatable subflow instance: a defect, a support request, a cloud order, a change request. */
export interface Subflow {
  /** 1, 2, 3 … within the project, across kinds. */
  no: number;
  kind: string;
  state: SubflowState;
  raisedBy: UserId;
  answers: Answers;
  openedAt: Date;
  closedAt: Date | null;
}

export interface Team {
  pm: UserId | null;
  implementers: UserId[];
}

/** Everything the process interpreter keeps on a project besides its facts and the approval chain. */
export interface Delivery {
  /** The process definition version the project runs on (pinned at registration). */
  processVersion: number;
  team: Team;
  /** Answers of approval-chain step forms, by role (e.g. the commercial review's checklist and 外采). */
  approvalAnswers: Record<string, Answers>;
  tasks: TaskInstance[];
  /** Empty until the task that starts them is done. */
  documents: ProjectDocument[];
  subflows: Subflow[];
  closedAt: Date | null;
}

export const emptyDelivery = (processVersion: number): Delivery => ({
  processVersion,
  team: { pm: null, implementers: [] },
  approvalAnswers: {},
  tasks: [],
  documents: [],
  subflows: [],
  closedAt: null,
});

export const openTasks = (d: Delivery): TaskInstance[] => d.tasks.filter((t) => t.state === 'open');
export const missingDocuments = (d: Delivery): ProjectDocument[] => d.documents.filter((doc) => doc.link === null);
