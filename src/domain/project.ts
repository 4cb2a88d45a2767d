import type { Role, UserId } from './org';
import type { Hold } from './process/hold';
import type { Delivery } from './process/state';

export const PROJECT_KINDS = ['project', 'saas'] as const;
export type ProjectKind = (typeof PROJECT_KINDS)[number];
export const KIND_LABELS: Record<ProjectKind, string> = { project: '项目类', saas: 'SaaS 类' };

/**
 * in_approval: a step of the chain is waiting; rejected: back with sales; withdrawn: closed by sales;
 * accepted: the executing department took it over and the delivery lifecycle runs (tasks, documents);
 * closed: handed over to after-sales (移交), the news is out.
 */
export const PROJECT_STATES = ['in_approval', 'rejected', 'withdrawn', 'accepted', 'closed'] as const;
export type ProjectState = (typeof PROJECT_STATES)[number];

export interface ProjectFacts {
  name: string;
  customer: string;
  kind: ProjectKind;
  region: string;
  contractNo: string;
  signed: boolean;
  paid: boolean;
  reqLink: string | null;
  solutionLink: string | null;
  formLink: string | null;
  /** Includes parts that need operation (服务运营型): always true for saas. */
  operated: boolean;
  /** To be deployed on company cloud servers (3.8). */
  cloud: boolean;
}

/** One step of the approval chain: who (a role, maybe per region) must decide. */
export interface Step {
  role: Role;
  region: string | null;
  /** Transferred to someone, or signers added (加签): see process/hold.ts. */
  hold?: Hold;
}

/**
 * Approval operations (issue 13): who holds a step, where the chain goes. `sign` = a signer's approval, or the
 * holder's decision kept until the signers after them approve.
 */
export const OPERATION_ACTIONS = ['transfer', 'reassign', 'addsign', 'unsign', 'sign', 'sendback', 'revoke'] as const;

/**
 * Audit lines around a step that decide nothing: a comment (its text in `reason`), a CC added by a holder, an urge
 * by the submitter, a timeout's escalation. They are shown in the history but are not part of `Project.history`,
 * so they never move what the workflow reads from it (when a step opened, who approved).
 */
export const ACTIVITY_ACTIONS = ['comment', 'cc', 'urge', 'escalate'] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export const DECISION_ACTIONS = [
  'register',
  'approve',
  'reject',
  'resubmit',
  'withdraw',
  'denied',
  'submit',
  'doc',
  'due',
  'handover',
  'raise',
  ...OPERATION_ACTIONS,
  /** A task re-bound to the role's current members because its holder left the organisation. */
  'reresolve',
  ...ACTIVITY_ACTIONS,
] as const;

/** Actions taken on an approval step (the history names the step). */
export const STEP_ACTIONS: ReadonlySet<string> = new Set(['approve', 'reject', ...OPERATION_ACTIONS]);
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** One line of the append-only audit log. */
export interface Decision {
  round: number;
  stepIndex: number;
  role: Role;
  action: DecisionAction;
  /** The task instance (its `no`) this decision acted on, or null for the approval chain. */
  task: number | null;
  by: UserId;
  at: Date;
  reason: string | null;
  /** Set when `by` acted as the delegate (代理) of this person: "by 代 onBehalfOf". */
  onBehalfOf?: UserId | null;
}

export interface Project {
  regNo: string;
  facts: ProjectFacts;
  submitter: UserId;
  state: ProjectState;
  /** Starts at 1; each resubmission opens a new round with a fresh chain. */
  round: number;
  chain: Step[];
  stepIndex: number;
  /** Optimistic-concurrency counter, bumped by every transition. */
  version: number;
  createdAt: Date;
  /** Everything after (and the answers of) the approval chain: team, tasks, documents, subflows. */
  delivery: Delivery;
  /** Decisions so far, oldest first (never includes `denied` attempts). */
  history: Decision[];
}

export const isOpen = (p: Project): boolean => p.state === 'in_approval';
export const currentStep = (p: Project): Step | undefined => (isOpen(p) ? p.chain[p.stepIndex] : undefined);
export const isLastStep = (p: Project): boolean => p.stepIndex === p.chain.length - 1;

/** The decision that closed step (round, stepIndex) last, if any (a step sent back decides again). */
export function decisionFor(p: Project, round: number, stepIndex: number): Decision | undefined {
  return p.history.findLast(
    (d) =>
      d.task === null &&
      d.round === round &&
      d.stepIndex === stepIndex &&
      (d.action === 'approve' || d.action === 'reject'),
  );
}

const FACT_LABELS: Record<keyof ProjectFacts, string> = {
  name: '项目名称',
  customer: '客户',
  kind: '项目类型',
  region: '区域',
  contractNo: '合同编号',
  signed: '合同已签',
  paid: '首付款已到',
  reqLink: '用户需求采集表',
  solutionLink: '售前解决方案',
  formLink: '项目实施登记表',
  operated: '含需运营部分',
  cloud: '公司云服务器部署',
};

const factText = (v: ProjectFacts[keyof ProjectFacts], regionNames: Record<string, string>): string =>
  v === null
    ? '无'
    : typeof v === 'boolean'
      ? v
        ? '是'
        : '否'
      : (KIND_LABELS[v as ProjectKind] ?? regionNames[v] ?? v);

/** What a resubmission changed, for the record and the approver's card: "客户：甲 → 乙；合同已签：否 → 是". */
export function factChanges(before: ProjectFacts, after: ProjectFacts, regionNames: Record<string, string>): string {
  return (Object.keys(FACT_LABELS) as (keyof ProjectFacts)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => `${FACT_LABELS[k]}：${factText(before[k], regionNames)} → ${factText(after[k], regionNames)}`)
    .join('；');
}
