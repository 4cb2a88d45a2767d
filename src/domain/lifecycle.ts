import type { Role, UserId } from './org';

/** PROCESS.md §4: the seven acceptance documents, in the order of the process document. */
export const DOCUMENTS = [
  '产品领取单',
  '客户服务单',
  '用户验收报告',
  '项目实施方案',
  '新增需求清单',
  '项目问题处理汇总表',
  '实施基本信息登记表',
] as const;
export const DOC_IDS = [1, 2, 3, 4, 5, 6, 7] as const;
export type DocId = (typeof DOC_IDS)[number];
export const isDocId = (n: number): n is DocId => Number.isInteger(n) && n >= 1 && n <= DOCUMENTS.length;

/** Work items of the delivery lifecycle (PROCESS.md §3–5), each held by a role or by named users. */
export const TASK_KINDS = [
  'requirements',
  'req_review',
  'custom_confirm',
  'integration_setup',
  'assign',
  'pickup',
  'pickup_pm',
  'pickup_commercial',
  'pickup_issue',
  'handover_cs',
  'handover',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Tasks decided by approve/reject; the others are submitted with fields. */
export const REVIEW_TASKS: readonly TaskKind[] = [
  'req_review',
  'custom_confirm',
  'pickup_pm',
  'pickup_commercial',
  'handover_cs',
  'handover',
];

export const TASK_LABELS: Record<TaskKind, string> = {
  requirements: '需求确认',
  req_review: '需求清单及跟进表审核',
  custom_confirm: '合同外定制工作量确认',
  integration_setup: '集成立项（指派区域项目经理）',
  assign: '指派实施人员',
  pickup: '提交产品领取单',
  pickup_pm: '产品领取单审核（区域项目经理）',
  pickup_commercial: '产品领取单审核（商务）',
  pickup_issue: '发放产品与授权',
  handover_cs: '运营项目交接（客户成功部）',
  handover: '移交审核（售后运维部）',
};

export interface Task {
  id: number;
  kind: TaskKind;
  role: Role;
  region: string | null;
  /** When set, only these users may act (the assigned PM, the implementers, the submitter). */
  users: UserId[] | null;
  /** cancelled = still open when the project closed (e.g. a pickup filed outside the bot). */
  state: 'open' | 'done' | 'rejected' | 'cancelled';
  openedAt: Date;
  closedAt: Date | null;
}

export interface DocumentState {
  owner: UserId;
  due: Date;
  link: string | null;
  submittedAt: Date | null;
}

export const CUSTOMIZATIONS = ['none', 'in_contract', 'out_of_contract'] as const;
export type Customization = (typeof CUSTOMIZATIONS)[number];
export const CUSTOMIZATION_LABELS: Record<Customization, string> = {
  none: '无定制',
  in_contract: '合同内定制（需求清单及跟进表）',
  out_of_contract: '合同外定制（工作量评估）',
};

export interface Lifecycle {
  pm: UserId | null;
  implementers: UserId[];
  setupNotes: { feasibility: string | null; risk: string | null };
  requirements: { link: string; customization: Customization; detail: string | null } | null;
  /** Out-of-contract custom work confirmed by sales: a custom-work request is on record. */
  customWorkRequest: boolean;
  /** SaaS: whether customer success asked the project department for integration. */
  integration: boolean | null;
  /** Operated projects are handed to customer success before formal operation. */
  operated: boolean | null;
  pickup: { svn: string; standard: string | null; custom: string | null; licence: string | null } | null;
  /** Null until implementers are assigned; then the seven documents with owner and due date. */
  documents: Record<DocId, DocumentState> | null;
  tasks: Task[];
  closedAt: Date | null;
}

export const emptyLifecycle = (): Lifecycle => ({
  pm: null,
  implementers: [],
  setupNotes: { feasibility: null, risk: null },
  requirements: null,
  customWorkRequest: false,
  integration: null,
  operated: null,
  pickup: null,
  documents: null,
  tasks: [],
  closedAt: null,
});

export const openTasks = (l: Lifecycle): Task[] => l.tasks.filter((t) => t.state === 'open');

export const missingDocuments = (l: Lifecycle): DocId[] =>
  l.documents ? DOC_IDS.filter((d) => l.documents?.[d].link === null) : [...DOC_IDS];

/** Knobs of the lifecycle that come from configuration, passed in as data. */
export interface LifecycleConfig {
  /** Default due date of each acceptance document: days after the implementers are assigned. */
  docDueDays: number;
}
