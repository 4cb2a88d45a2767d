import type { WorkflowEvent } from '../../src/domain/events';
import { membersOf, type OrgView, type UserId } from '../../src/domain/org';
import type { HolderDef, ProcessDefinition } from '../../src/domain/process/definition';
import { holdersOfTask } from '../../src/domain/process/holders';
import { missingDocuments, openTasks, type TaskInstance } from '../../src/domain/process/state';
import { taskDef } from '../../src/domain/process/tasks';
import { currentStep, type Project } from '../../src/domain/project';
import { approversOf, stepSpec } from '../../src/domain/routing';
import { stepForm, transition } from '../../src/domain/transition';
import { type Choices, fillForm } from './answers';

const DAY = 86_400_000;

const REJECT_REASONS = ['资料不全，请补充后重新提交', '产品版本与合同不一致', '信息有误，请核对后重新提交'];
const STEP_REJECTS = ['合同信息不全', '首笔款项未到账，请走特批', '实施范围与合同产品清单不符'];

/**
 * One project played through the pure domain: every move is a WorkflowEvent run by `transition` (the function the
 * app's commit path runs), by a person who holds the step or task, with the form a person would send. The clock only
 * moves forward and never past `now`; `seen` keeps the project after every move (the domain never mutates one).
 */
export class Play {
  p: Project;
  at: number;
  readonly seen: Project[];

  constructor(
    start: Project,
    private readonly def: ProcessDefinition,
    private readonly org: OrgView,
    private readonly now: number,
    readonly c: Choices,
  ) {
    this.p = start;
    this.at = start.createdAt.getTime();
    this.seen = [start];
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.c.rnd() * xs.length)] as T;
  }

  /** Time passes (about `meanDays`); false when that would reach `now` (the project is caught where it is). */
  wait(meanDays: number): boolean {
    const next = this.at + (0.05 + -Math.log(1 - this.c.rnd() * 0.999)) * meanDays * DAY;
    if (next >= this.now) return false;
    this.at = next;
    return true;
  }

  private run(ev: WorkflowEvent): void {
    const r = transition(this.p, ev, this.def, this.org);
    if (!r.ok) throw new Error(`seed: ${ev.type} by ${ev.by} on ${this.p.regNo}: ${JSON.stringify(r.error)}`);
    this.p = r.value.next;
    this.seen.push(this.p);
  }

  private get date(): Date {
    return new Date(this.at);
  }

  /** The current approval step's holder approves with its form (checklist, 外采, or the start task's form). */
  approve(): void {
    const step = currentStep(this.p);
    const spec = stepSpec(this.p, this.p.stepIndex, this.def);
    if (!step || !spec) throw new Error(`seed: ${this.p.regNo} has no step to approve`);
    const scope = spec.kind === 'start' ? spec.task.id : step.role;
    const fields = fillForm(stepForm(spec), scope, this.p, this.org, this.date, this.c);
    this.run({ type: 'approve', by: this.pick(approversOf(this.p, step, this.org, this.def)), at: this.date, fields });
  }

  reject(): void {
    const step = currentStep(this.p);
    if (!step) throw new Error(`seed: ${this.p.regNo} has no step to reject`);
    const by = this.pick(approversOf(this.p, step, this.org, this.def));
    this.run({ type: 'reject', by, at: this.date, reason: this.pick(STEP_REJECTS) });
  }

  /** The submitter resubmits, with the first payment arrived now and then (which may change the route). */
  resubmit(): void {
    const changes = this.p.facts.signed && !this.p.facts.paid && this.c.rnd() < 0.5 ? { paid: true } : {};
    this.run({ type: 'resubmit', by: this.p.submitter, at: this.date, changes });
  }

  withdraw(): void {
    this.run({ type: 'withdraw', by: this.p.submitter, at: this.date });
  }

  /** Approves until the step `upTo` is current (or the project is accepted); false when time ran out first. */
  approveUpTo(upTo: number, meanDays: number): boolean {
    while (this.p.state === 'in_approval' && this.p.stepIndex < upTo) {
      if (!this.wait(meanDays)) return false;
      this.approve();
    }
    return true;
  }

  /**
   * One move of the delivery: now and then a subflow raised or an acceptance document submitted by hand, otherwise
   * one open task acted on by one of its holders (a review approved or, sometimes, rejected; a form submitted).
   * Returns false when nothing is left to do.
   */
  deliveryMove(opts: { raise: number; reject: number }): boolean {
    const d = this.p.delivery;
    if (this.c.rnd() < opts.raise && this.raise()) return true;
    const manual = missingDocuments(d).filter((x) => !this.def.documents.find((y) => y.no === x.no)?.filledBy);
    const open = openTasks(d);
    const needsDocs = open.some((t) => this.taskDefOf(t)?.requiresDocuments);
    if (this.p.state === 'accepted' && manual.length && (needsDocs || this.c.rnd() < 0.12)) {
      const doc = this.pick(manual);
      const link = `https://docs.example/${this.p.regNo}/doc-${doc.no}`;
      this.run({ type: 'doc', by: doc.owner, at: this.date, doc: doc.no, link });
      return true;
    }
    if (!open.length) return false;
    // Work that may stay open (the final payment, the cloud deployment) is picked less often.
    const weighted = open.flatMap((t) => (this.taskDefOf(t)?.keepOpen ? (this.c.rnd() < 0.25 ? [t] : []) : [t]));
    const t = this.pick(weighted.length ? weighted : open);
    this.act(t, opts.reject);
    return true;
  }

  private taskDefOf(t: TaskInstance) {
    const kind = t.subflow === null ? undefined : this.p.delivery.subflows.find((s) => s.no === t.subflow)?.kind;
    return taskDef(this.def, t, this.p.facts.kind, kind);
  }

  private act(t: TaskInstance, rejectRate: number): void {
    const td = this.taskDefOf(t);
    if (!td) throw new Error(`seed: no definition for task ${t.defId} of ${this.p.regNo}`);
    const by = this.pick(holdersOfTask(t, this.org));
    const base = { type: 'task' as const, by, at: this.date, taskId: t.no };
    if (td.decide === 'review') {
      // A review sends its task back (or, in a subflow without reject_to, ends the subflow) now and then.
      const mayReject = t.subflow === null ? td.rejectTo !== undefined && td.rejectTo !== 'submitter' : true;
      if (mayReject && this.c.rnd() < rejectRate) {
        this.run({ ...base, action: 'reject', reason: this.pick(REJECT_REASONS), fields: {} });
        return;
      }
      this.run({ ...base, action: 'approve', fields: fillForm(td.form, td.id, this.p, this.org, this.date, this.c) });
      return;
    }
    this.run({ ...base, action: 'submit', fields: fillForm(td.form, td.id, this.p, this.org, this.date, this.c) });
  }

  /** Raises a subflow the project's state allows, by someone the definition lets raise it. */
  raise(): boolean {
    const state = this.p.state;
    if (state !== 'accepted' && state !== 'closed') return false;
    const kinds = this.def.subflows.filter((s) => s.when.includes(state));
    if (!kinds.length) return false;
    const sd = this.pick(kinds);
    const raisers = sd.raise.flatMap((h) => this.holdersOf(h));
    if (!raisers.length) return false;
    const fields = fillForm(sd.form, sd.id, this.p, this.org, this.date, this.c);
    this.run({ type: 'raise', by: this.pick(raisers), at: this.date, kind: sd.id, fields });
    return true;
  }

  private holdersOf(h: HolderDef): UserId[] {
    const team = this.p.delivery.team;
    if ('role' in h) return membersOf(this.org, h.role, this.def.roles[h.role]?.byRegion ? this.p.facts.region : null);
    if ('answer' in h) return [];
    if (h.team === 'pm') return team.pm ? [team.pm] : [];
    if (h.team === 'implementers') return team.implementers;
    if (h.team === 'submitter') return [this.p.submitter];
    return [];
  }
}
