import type { FormDraft } from '../../cards/draft';
import type { ActionValue } from '../../cards/model';

/**
 * What an outgoing message shows. Stored in the outbox and rendered when it is delivered, from the current state.
 * `draft`: a refused form submission re-rendered with what was typed; `full`: /status (every fact, history open).
 */
export type View =
  | { type: 'project'; regNo: string; banner?: string; full?: boolean; draft?: FormDraft }
  | { type: 'text'; text: string }
  | { type: 'registerForm'; draft?: FormDraft }
  | { type: 'mine' }
  | { type: 'docs'; regNo: string; draft?: FormDraft }
  | { type: 'raiseForm'; regNo: string; kind: string; draft?: FormDraft }
  /** The viewer's approval operations on a project (转交 / 加签 / 退回 / 撤销同意). */
  | { type: 'ops'; regNo: string }
  /** An older copy of a card, locked: it points to the newer copy the viewer received. */
  | { type: 'superseded'; regNo: string; kind: 'project' | 'docs' }
  | { type: 'news'; regNo: string }
  /** "确认撤回？" with one button that does it (platforms whose buttons cannot ask first). */
  | { type: 'confirm'; title: string; text: string; label: string; action: ActionValue }
  | { type: 'reminder'; title: string; lines: string[] };
