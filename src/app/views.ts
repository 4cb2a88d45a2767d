/** What an outgoing message shows. Stored in the outbox and rendered when it is delivered, from the current state. */
export type View =
  | { type: 'project'; regNo: string; banner?: string }
  | { type: 'text'; text: string }
  | { type: 'registerForm' }
  | { type: 'mine' }
  | { type: 'docs'; regNo: string }
  | { type: 'raiseForm'; regNo: string; kind: string }
  /** The viewer's approval operations on a project (转交 / 加签 / 退回 / 撤销同意). */
  | { type: 'ops'; regNo: string }
  /** An older copy of a card, locked: it points to the newer copy the viewer received. */
  | { type: 'superseded'; regNo: string; kind: 'project' | 'docs' }
  | { type: 'news'; regNo: string }
  | { type: 'reminder'; title: string; lines: string[] };
