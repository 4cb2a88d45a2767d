import type { Effect } from './effects';
import { type DomainError, domainError } from './errors';
import type { WorkflowEvent } from './events';
import {
  CUSTOMIZATIONS,
  type Customization,
  DOC_IDS,
  type DocId,
  type DocumentState,
  type Lifecycle,
  type LifecycleConfig,
  missingDocuments,
  openTasks,
  REVIEW_TASKS,
  type Task,
  type TaskKind,
} from './lifecycle';
import { holdsRole, membersOf, type OrgView, type Role, type UserId } from './org';
import type { Project } from './project';
import { err, ok, type Result } from './result';

type Out = Result<{ lifecycle: Lifecycle; effects: Effect[]; closed?: boolean }, DomainError>;
const DAY_MS = 86_400_000;
const LINK = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;

const invalid = (field: string, why: string): DomainError => domainError('INVALID_FIELD', { field, why });

function text(fields: Record<string, string>, key: string): string | null {
  const v = fields[key]?.trim();
  return v ? v : null;
}

function link(fields: Record<string, string>, key: string, required: boolean): Result<string | null, DomainError> {
  const v = text(fields, key);
  if (v === null) return required ? err(invalid(key, 'required')) : ok(null);
  return LINK.test(v) ? ok(v) : err(invalid(key, 'link'));
}

/** Resolves a user typed as id or display name, who must hold `role`. */
function resolveUser(org: OrgView, input: string, role: Role): UserId | null {
  const id = Object.keys(org.users).find((u) => u === input || org.users[u]?.name === input) ?? null;
  return id && holdsRole(org, id, role) ? id : null;
}

function open(l: Lifecycle, kind: TaskKind, role: Role, region: string | null, users: UserId[] | null, at: Date): Task {
  const task: Task = { id: l.tasks.length + 1, kind, role, region, users, state: 'open', openedAt: at, closedAt: null };
  l.tasks.push(task);
  return task;
}

export function canActOnTask(task: Task, user: UserId, org: OrgView): boolean {
  if (task.state !== 'open') return false;
  return task.users ? task.users.includes(user) : membersOf(org, task.role, task.region).includes(user);
}

const clone = (l: Lifecycle): Lifecycle => ({
  ...l,
  implementers: [...l.implementers],
  tasks: l.tasks.map((t) => ({ ...t })),
  documents: l.documents
    ? (Object.fromEntries(DOC_IDS.map((d) => [d, { ...l.documents?.[d] }])) as Lifecycle['documents'])
    : null,
});

/** The executing department accepted: the project director's setup (立项) or customer success's intake. */
export function startLifecycle(p: Project, fields: Record<string, string>, org: OrgView, at: Date): Out {
  const l = clone(p.lifecycle);
  const effects: Effect[] = [];
  if (p.facts.kind === 'project') {
    const pmInput = text(fields, 'pm');
    const pm = pmInput
      ? resolveUser(org, pmInput, 'regional_pm')
      : (membersOf(org, 'regional_pm', p.facts.region)[0] ?? null);
    if (!pm) return err(invalid('pm', pmInput ? 'not_pm' : 'required'));
    l.pm = pm;
    l.setupNotes = { feasibility: text(fields, 'feasibility'), risk: text(fields, 'risk') };
    const t = open(l, 'requirements', 'regional_pm', p.facts.region, [pm], at);
    effects.push({ type: 'notify.task', regNo: p.regNo, taskId: t.id });
  } else {
    const integration = yesNo(fields.integration);
    if (integration === undefined) return err(invalid('integration', 'yes_no'));
    l.integration = integration;
    const t = integration
      ? open(l, 'integration_setup', 'project_director', null, null, at)
      : open(l, 'handover', 'after_sales', null, null, at);
    effects.push({ type: 'notify.task', regNo: p.regNo, taskId: t.id });
  }
  return ok({ lifecycle: l, effects });
}

function yesNo(v: string | undefined): boolean | undefined {
  const s = v?.trim().toLowerCase();
  if (s === 'yes' || s === '是' || s === 'true') return true;
  if (s === 'no' || s === '否' || s === 'false') return false;
  return undefined;
}

export function lifecycleTransition(
  p: Project,
  ev: Extract<WorkflowEvent, { type: 'task' | 'doc' | 'due' | 'handover' }>,
  org: OrgView,
  cfg: LifecycleConfig,
): Out {
  if (p.state !== 'accepted') return err(domainError('NOT_IN_DELIVERY', { state: p.state }));
  const l = clone(p.lifecycle);
  switch (ev.type) {
    case 'task':
      return onTask(p, l, ev, org, cfg);
    case 'doc': {
      if (!l.documents) return err(domainError('NOT_IN_DELIVERY', { state: 'no_documents' }));
      const doc = l.documents[ev.doc];
      if (!isTeam(l, ev.by)) return err(domainError('NOT_TASK_HOLDER'));
      if (!LINK.test(ev.link.trim())) return err(invalid('link', 'link'));
      l.documents[ev.doc] = { ...doc, link: ev.link.trim(), submittedAt: ev.at };
      const effects: Effect[] = [{ type: 'card.refresh', regNo: p.regNo }];
      if (missingDocuments(l).length === 0) {
        effects.push({ type: 'notify.users', regNo: p.regNo, users: l.implementers, notice: 'docs_complete' });
      }
      return ok({ lifecycle: l, effects });
    }
    case 'due': {
      if (!l.documents) return err(domainError('NOT_IN_DELIVERY', { state: 'no_documents' }));
      if (ev.by !== l.pm) return err(domainError('NOT_TASK_HOLDER', { role: 'regional_pm' }));
      const current = l.documents[ev.doc];
      let owner = current.owner;
      if (ev.owner !== undefined) {
        const resolved = resolveUser(org, ev.owner, 'implementer') ?? (ev.owner === l.pm ? l.pm : null);
        if (!resolved) return err(invalid('owner', 'not_implementer'));
        owner = resolved;
      }
      l.documents[ev.doc] = { ...current, due: ev.due, owner };
      return ok({ lifecycle: l, effects: [{ type: 'card.refresh', regNo: p.regNo }] });
    }
    case 'handover': {
      if (!l.implementers.includes(ev.by)) return err(domainError('NOT_TASK_HOLDER', { role: 'implementer' }));
      if (openTasks(l).some((t) => t.kind === 'handover' || t.kind === 'handover_cs')) {
        return err(domainError('HANDOVER_PENDING'));
      }
      const missing = missingDocuments(l);
      if (missing.length) return err(domainError('DOCS_INCOMPLETE', { missing: missing.join(',') }));
      l.operated = ev.operated;
      const t = ev.operated
        ? open(l, 'handover_cs', 'customer_success', null, null, ev.at)
        : open(l, 'handover', 'after_sales', null, null, ev.at);
      return ok({
        lifecycle: l,
        effects: [
          { type: 'card.refresh', regNo: p.regNo },
          { type: 'notify.task', regNo: p.regNo, taskId: t.id },
        ],
      });
    }
  }
}

const isTeam = (l: Lifecycle, user: UserId) => l.implementers.includes(user) || l.pm === user;

function onTask(
  p: Project,
  l: Lifecycle,
  ev: Extract<WorkflowEvent, { type: 'task' }>,
  org: OrgView,
  cfg: LifecycleConfig,
): Out {
  const task = l.tasks.find((t) => t.id === ev.taskId);
  if (task?.state !== 'open') return err(domainError('TASK_NOT_OPEN', { task: ev.taskId }));
  if (!canActOnTask(task, ev.by, org)) return err(domainError('NOT_TASK_HOLDER', { task: task.id }));
  const isReview = REVIEW_TASKS.includes(task.kind);
  if (isReview === (ev.action === 'submit')) return err(invalid('action', isReview ? 'review' : 'submit'));
  const refresh: Effect = { type: 'card.refresh', regNo: p.regNo };
  const next = (kind: TaskKind, role: Role, region: string | null, users: UserId[] | null): Effect => ({
    type: 'notify.task',
    regNo: p.regNo,
    taskId: open(l, kind, role, region, users, ev.at).id,
  });
  const region = p.facts.region;
  const pmOnly = l.pm ? [l.pm] : null;

  if (ev.action === 'reject') {
    const reason = ev.reason?.trim();
    if (!reason) return err(domainError('REASON_REQUIRED'));
    task.state = 'rejected';
    task.closedAt = ev.at;
    // A rejected review goes back to whoever submitted the work it reviewed.
    const back: Partial<Record<TaskKind, [TaskKind, Role, UserId[] | null]>> = {
      req_review: ['requirements', 'regional_pm', pmOnly],
      custom_confirm: ['requirements', 'regional_pm', pmOnly],
      pickup_pm: ['pickup', 'implementer', l.implementers],
      pickup_commercial: ['pickup', 'implementer', l.implementers],
    };
    const target = back[task.kind];
    const effects: Effect[] = [refresh];
    if (target) effects.push(next(target[0], target[1], target[0] === 'requirements' ? region : null, target[2]));
    const notify = target?.[2] ?? l.implementers;
    effects.push({ type: 'notify.users', regNo: p.regNo, users: notify, notice: 'task_rejected', reason });
    return ok({ lifecycle: l, effects });
  }

  const f = ev.fields;
  const effects: Effect[] = [refresh];
  switch (task.kind) {
    case 'requirements': {
      const confirm = link(f, 'link', true);
      if (!confirm.ok) return confirm;
      const customization = f.customization as Customization;
      if (!CUSTOMIZATIONS.includes(customization)) return err(invalid('customization', 'choice'));
      const detail = link(f, 'detail', customization !== 'none');
      if (!detail.ok) return detail;
      l.requirements = { link: confirm.value ?? '', customization, detail: detail.value };
      if (customization === 'none') effects.push(next('assign', 'regional_pm', region, pmOnly));
      else if (customization === 'in_contract') effects.push(next('req_review', 'project_director', null, null));
      else effects.push(next('custom_confirm', 'sales', null, [p.submitter]));
      break;
    }
    case 'req_review':
      effects.push(next('assign', 'regional_pm', region, pmOnly));
      break;
    case 'custom_confirm':
      l.customWorkRequest = true;
      effects.push(next('assign', 'regional_pm', region, pmOnly));
      break;
    case 'integration_setup': {
      const input = text(f, 'pm');
      const pm = input ? resolveUser(org, input, 'regional_pm') : (membersOf(org, 'regional_pm', region)[0] ?? null);
      if (!pm) return err(invalid('pm', input ? 'not_pm' : 'required'));
      l.pm = pm;
      effects.push(next('assign', 'regional_pm', region, [pm]));
      break;
    }
    case 'assign': {
      const names = (text(f, 'implementers') ?? '').split(/[\s,，、;；]+/).filter(Boolean);
      if (names.length === 0) return err(invalid('implementers', 'required'));
      const ids: UserId[] = [];
      for (const n of names) {
        const id = resolveUser(org, n, 'implementer');
        if (!id) return err(invalid('implementers', `unknown:${n}`));
        if (!ids.includes(id)) ids.push(id);
      }
      l.implementers = ids;
      const due = new Date(ev.at.getTime() + cfg.docDueDays * DAY_MS);
      const owner = ids[0] as UserId;
      l.documents = Object.fromEntries(
        DOC_IDS.map((d) => [d, { owner, due, link: null, submittedAt: null } satisfies DocumentState]),
      ) as Record<DocId, DocumentState>;
      effects.push(next('pickup', 'implementer', null, ids));
      break;
    }
    case 'pickup': {
      const regNo = text(f, 'regNo')?.toUpperCase();
      if (!regNo) return err(invalid('regNo', 'required'));
      if (regNo !== p.regNo) return err(invalid('regNo', 'mismatch'));
      const svn = text(f, 'svn');
      if (!svn) return err(invalid('svn', 'required'));
      l.pickup = { svn, standard: null, custom: null, licence: null };
      effects.push(next('pickup_pm', 'regional_pm', region, pmOnly));
      break;
    }
    case 'pickup_pm':
      effects.push(next('pickup_commercial', 'commercial_reviewer', null, null));
      break;
    case 'pickup_commercial':
      effects.push(next('pickup_issue', 'product_manager', null, null));
      break;
    case 'pickup_issue': {
      const standard = link(f, 'standard', true);
      if (!standard.ok) return standard;
      const custom = link(f, 'custom', false);
      if (!custom.ok) return custom;
      const licence = link(f, 'licence', true);
      if (!licence.ok) return licence;
      l.pickup = { svn: l.pickup?.svn ?? '', standard: standard.value, custom: custom.value, licence: licence.value };
      // The pickup form itself is acceptance document 1 (产品领取单).
      if (l.documents) l.documents[1] = { ...l.documents[1], link: l.pickup.svn, submittedAt: ev.at };
      effects.push({ type: 'notify.users', regNo: p.regNo, users: l.implementers, notice: 'pickup_issued' });
      break;
    }
    case 'handover_cs':
      effects.push(next('handover', 'after_sales', null, null));
      break;
    case 'handover':
      task.state = 'done';
      task.closedAt = ev.at;
      l.closedAt = ev.at;
      for (const t of openTasks(l)) Object.assign(t, { state: 'cancelled', closedAt: ev.at });
      effects.push(
        { type: 'news.handover', regNo: p.regNo },
        { type: 'notify.users', regNo: p.regNo, users: [p.submitter, ...l.implementers], notice: 'closed' },
      );
      return ok({ lifecycle: l, effects, closed: true });
  }
  task.state = 'done';
  task.closedAt = ev.at;
  return ok({ lifecycle: l, effects });
}
