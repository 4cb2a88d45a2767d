/**
 * The delivery process as data (issue: the process is data). A ProcessDefinition is what a process file declares,
 * already validated (src/config/process-file.ts owns the zod schema and the YAML). The pure interpreter in this folder
 * runs projects on it; nothing here knows YAML, zod or storage.
 *
 * Vocabulary, kept small on purpose:
 * - roles: an open set; each has a display name and is split by region or not.
 * - approval.routes: the first route whose `when` holds gives the approval chain (a list of role steps); the
 *   executing department's step is the flow's start task, appended as the chain's last step.
 * - flows (one per project kind): tasks with `needs` (like GitHub Actions jobs) and an optional `if`. A task opens
 *   when every task it needs is done or skipped; a task whose `if` is false is skipped. Reviews are decided by
 *   approve/reject; a rejection reopens `rejectTo` (the tasks after it decide again).
 * - documents: the acceptance documents, with owner and due offset; `filledBy` names the task whose form fills one.
 * - subflows: repeatable sequences (defects, support requests, cloud orders, change requests) started by a command.
 * Conditions compare project facts or form answers; there is no expression language.
 */

export type FieldKind = 'text' | 'link' | 'date' | 'select' | 'multiselect' | 'person' | 'regno' | 'yesno' | 'check';

export interface FieldOption {
  value: string;
  label: string;
}

export interface FieldDef {
  id: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  /** select / multiselect choices. */
  options?: FieldOption[];
  /** person: the role the chosen people must hold. */
  role?: string;
  /** person: several people (comma separated when typed). */
  multiple?: boolean;
  /** person: preselect the project region's member of `role` (就近原则). */
  defaultRegionMember?: boolean;
  /** A hint under the field, e.g. what a good answer contains. */
  hint?: string;
}

export interface FormDef {
  fields: FieldDef[];
  /** Groups of field ids of which at least one must be answered (e.g. standard and/or custom download path). */
  oneOf?: string[][];
}

/** Who holds a task: a role (the project's region member when the role is split by region), or the project's team. */
export type HolderDef =
  | { role: string }
  | { team: 'pm' | 'implementers' | 'submitter' | 'raiser' }
  /** The person chosen in an earlier form: `taskId.fieldId` (e.g. a support request's assigned PM). */
  | { answer: string };

/** A fact of the project or an answer of an earlier form (`taskId.fieldId`, or `approval.<role>.<field>`). */
export type Condition =
  | { fact: string; is: string | boolean }
  | { answer: string; is: string | boolean }
  | { answer: string; has: string }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/**
 * What happens when a step or task waits longer than `hours` working hours (Mon–Fri 09:00–18:00 in TIMEZONE):
 * `escalate` sends the members of that role the project card (notify only; the holders stay), `transfer` hands the
 * step to that role's members. Without a timeout the daily nudges (APPROVAL_SLA_HOURS, `sla_hours`) are all.
 */
export interface TimeoutDef {
  hours: number;
  escalate?: string;
  transfer?: string;
}

export interface TaskDef {
  id: string;
  name: string;
  holder: HolderDef;
  /** submit: the holder fills the form; review: approve or reject with a reason. */
  decide: 'submit' | 'review';
  needs: string[];
  if?: Condition;
  form?: FormDef;
  /** review only: the task reopened on rejection; `submitter` sends the whole project back to sales. */
  rejectTo?: string;
  /** Answers that become the project's team: the PM, the implementers. */
  sets?: { pm?: string; implementers?: string };
  /** Documents this task's form fills (document number ← field id). */
  fills?: { doc: number; field: string }[];
  /** Submitting needs every acceptance document in. */
  requiresDocuments?: boolean;
  /** Opening the acceptance documents (owners and due dates) when this task is done. */
  startsDocuments?: boolean;
  /** Done = the project is handed over and closed; `news` posts the hand-over news. */
  closes?: boolean;
  news?: boolean;
  /** Stays open after the project closes (e.g. the final payment); other open tasks are cancelled then. */
  keepOpen?: boolean;
  /** The button label (default 提交 / 通过). */
  action?: string;
  /** Overrides the approval SLA for nudges, in hours. */
  slaHours?: number;
  /** Who is copied (抄送) when the task opens: they get a read-only card that updates in place. */
  cc?: HolderDef[];
  timeout?: TimeoutDef;
  /**
   * review only: `allowed` lets the project's submitter decide this review even under the process's `noSelfApproval`
   * (see `barsSubmitter`). Absent = the process-level rule.
   */
  selfApproval?: 'allowed';
}

export interface FlowDef {
  /** The task held by the executing department: its approval is the last step of the approval chain. */
  start: string;
  tasks: TaskDef[];
}

export interface ApprovalStepDef {
  role: string;
  /** Shown as the step's name, e.g. 商务审核. */
  name: string;
  form?: FormDef;
  /** The commercial review's checklist: items the approver ticks (each is a required `check`). */
  checklist?: string[];
  action?: string;
  /** Who is copied (抄送) when the step opens. */
  cc?: HolderDef[];
  timeout?: TimeoutDef;
}

export interface RouteDef {
  id: string;
  name: string;
  when?: Condition;
  steps: ApprovalStepDef[];
}

export interface DocumentDef {
  no: number;
  name: string;
  owner: 'implementers' | 'pm';
  dueDays: number;
  /** Filled by this task's form instead of by hand (e.g. 产品领取单 by the product issue). */
  filledBy?: string;
}

export interface SubflowDef {
  id: string;
  name: string;
  /** Command name (e.g. defect) and its Chinese aliases. */
  command: string;
  aliases: string[];
  /** Who may start one: roles and/or the project's team. */
  raise: HolderDef[];
  /** Project states in which one may be started. */
  when: ('accepted' | 'closed')[];
  form: FormDef;
  /** Sequential steps; a rejected review goes back to `rejectTo` or, without it, ends the subflow as rejected. */
  steps: TaskDef[];
}

export interface ProcessDefinition {
  /** A free label shown in /status and process:check, e.g. "2026.12 标准流程". */
  label: string;
  roles: Record<string, { name: string; byRegion: boolean }>;
  /** The role that may register projects. */
  registrar: string;
  approval: { routes: RouteDef[] };
  flows: Record<'project' | 'saas', FlowDef>;
  documents: DocumentDef[];
  subflows: SubflowDef[];
  /** Group chats (org file `chats:` purpose) that receive the hand-over news. */
  newsChat: string;
  /**
   * A person never approves a step of a project they submitted (another member of the role decides): every step of
   * the approval chain and every review task of the delivery, unless the task is held by the submitter (or a
   * subflow's raiser) by design or says `selfApproval: 'allowed'`. Submit tasks (forms that are work) are not decisions.
   */
  noSelfApproval: boolean;
}

/**
 * Whether the project's submitter is barred from deciding this task: a review (approve/reject) under the process's
 * `noSelfApproval`, not opted out, and not held by the submitter or the raiser by design (确认定制工作量（责任销售）).
 */
export const barsSubmitter = (def: Pick<ProcessDefinition, 'noSelfApproval'>, t: TaskDef): boolean =>
  def.noSelfApproval &&
  t.decide === 'review' &&
  t.selfApproval !== 'allowed' &&
  !('team' in t.holder && (t.holder.team === 'submitter' || t.holder.team === 'raiser'));

export const findTask = (flow: FlowDef, id: string): TaskDef | undefined => flow.tasks.find((t) => t.id === id);
