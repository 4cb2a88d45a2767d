/**
 * The values card buttons carry: each is an intent (the shape IntentSchema reads, `v: 1` for the format), minus the
 * parts a form adds when it is submitted (reasons, answers, links, dates). Card builders (cards/) may only put
 * these on a button, and the card-action parser (src/commands/parse-card-action.ts) accepts exactly these types:
 * one union for both sides, checked against IntentSchema in parse-card-action.ts.
 */
type On = { regNo: string };
/** The approval operations a button can start (IntentSchema's OPS; the check in parse-card-action.ts keeps them in step). */
export type ButtonOp = 'transfer' | 'reassign' | 'addsign' | 'unsign' | 'sendback' | 'revoke';
type StepRef = On & { round?: number; step?: number };

export type ButtonValue = { v: 1 } & (
  | { type: 'register' }
  | { type: 'registerForm' }
  | { type: 'mine' }
  | { type: 'help' }
  | ({ type: 'status' } & On)
  | ({ type: 'resubmit' } & On)
  | ({ type: 'withdraw' } & On)
  | ({ type: 'approve' } & StepRef)
  | ({ type: 'reject' } & StepRef)
  | ({ type: 'task'; task: number; action: 'approve' | 'reject' | 'submit' } & On)
  | ({ type: 'raise'; kind: string } & On)
  | ({ type: 'raiseForm'; kind: string } & On)
  | ({ type: 'docs' } & On)
  | ({ type: 'doc'; doc: number } & On)
  | ({ type: 'due'; doc?: number } & On)
  | ({ type: 'handover' } & On)
  | ({ type: 'remind' } & On)
  | ({ type: 'op'; op: ButtonOp; task?: number } & On)
  | ({ type: 'opsForm' } & On)
  | { type: 'delegate' }
  | ({ type: 'comment' } & On)
  | ({ type: 'cc' } & On)
  | ({ type: 'urge' } & On)
  | { type: 'approveAll' }
  | ({ type: 'who' } & Partial<On>)
  /** Asks first (DingTalk, WeCom): `action` is the JSON of the button value it stands for (cards/confirm.card.ts). */
  | { type: 'confirm'; action: string; title: string; text: string; label: string }
);

export type ButtonType = ButtonValue['type'];

/** Every button type, for the parser's check (the `satisfies` in parse-card-action.ts keeps it complete). */
export const BUTTON_TYPES = [
  'register',
  'registerForm',
  'mine',
  'help',
  'status',
  'resubmit',
  'withdraw',
  'approve',
  'reject',
  'task',
  'raise',
  'raiseForm',
  'docs',
  'doc',
  'due',
  'handover',
  'remind',
  'op',
  'opsForm',
  'delegate',
  'comment',
  'cc',
  'urge',
  'approveAll',
  'who',
  'confirm',
] as const satisfies readonly ButtonType[];
