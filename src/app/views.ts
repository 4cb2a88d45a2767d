/** What an outgoing message shows. Stored in the outbox and rendered when it is delivered, from the current state. */
export type View =
  | { type: 'project'; regNo: string; banner?: string }
  | { type: 'text'; text: string }
  | { type: 'registerForm' }
  | { type: 'mine' }
  | { type: 'docs'; regNo: string }
  | { type: 'news'; regNo: string }
  | { type: 'reminder'; title: string; lines: string[] };
