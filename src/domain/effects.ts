/** What a transition asks the outside world to do, as serialisable data. The app layer runs them after commit. */
export type Effect =
  /** Re-render every copy of this project's cards (decisions update cards in place). */
  | { type: 'card.refresh'; regNo: string }
  /** Send the approval card to everyone who holds the current step (only those in `only` when given). */
  | { type: 'notify.assignees'; regNo: string; only?: string[] }
  /** Tell the submitter what happened. */
  | { type: 'notify.submitter'; regNo: string; event: SubmitterNotice; reason?: string }
  /** Send the project card to everyone who may act on a lifecycle task. */
  | { type: 'notify.task'; regNo: string; taskId: number; only?: string[] }
  /** A step or task moved away from these people (transfer, reassign): their live copies say so, read-only. */
  | { type: 'card.moved'; regNo: string; users: string[]; to: string[]; task: number | null; note: string | null }
  /** Tell named users something about the lifecycle (e.g. product download paths are out). */
  | {
      type: 'notify.users';
      regNo: string;
      users: string[];
      notice: LifecycleNotice;
      reason?: string;
      /** The task instance or subflow the notice is about. */
      task?: number;
      subflow?: number;
    }
  /** 项目已完成移交: the news post to the configured group chats. */
  | { type: 'news.handover'; regNo: string };

export type LifecycleNotice = 'task_rejected' | 'closed' | 'docs_complete' | 'subflow_done';

export type SubmitterNotice = 'registered' | 'advanced' | 'rejected' | 'accepted' | 'withdrawn' | 'resubmitted';
