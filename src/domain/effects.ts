/** What a transition asks the outside world to do, as serialisable data. The app layer runs them after commit. */
export type Effect =
  /** Re-render every copy of this project's cards (decisions update cards in place). */
  | { type: 'card.refresh'; regNo: string }
  /** Send the approval card to everyone who holds the current step. */
  | { type: 'notify.assignees'; regNo: string }
  /** Tell the submitter what happened. */
  | { type: 'notify.submitter'; regNo: string; event: SubmitterNotice; reason?: string };

export type SubmitterNotice = 'registered' | 'advanced' | 'rejected' | 'accepted' | 'withdrawn' | 'resubmitted';
