import { type DomainError, domainError } from './errors';
import { membersOf, type OrgView, type UserId, withDelegates } from './org';
import { evaluate } from './process/conditions';
import type { ApprovalStepDef, ProcessDefinition, RouteDef, TaskDef } from './process/definition';
import { holdersNow } from './process/hold';
import type { Project, ProjectFacts, Step } from './project';
import { err, ok, type Result } from './result';

/** The first route whose condition holds for these facts (the last route is the fallback). */
export function routeFor(facts: ProjectFacts, def: ProcessDefinition): RouteDef {
  const routes = def.approval.routes;
  const noAnswers = () => undefined;
  return (
    routes.find((r) => r.when === undefined || evaluate(r.when, { facts, answer: noAnswers })) ??
    (routes.at(-1) as RouteDef)
  );
}

/** The executing department's task: the start of the project kind's flow. */
export function startTask(kind: ProjectFacts['kind'], def: ProcessDefinition): TaskDef {
  const flow = def.flows[kind];
  return flow.tasks.find((t) => t.id === flow.start) as TaskDef;
}

const startRole = (t: TaskDef): string => ('role' in t.holder ? t.holder.role : '');

/** PROCESS.md §2: the route's steps, then the executing department (the flow's start task). */
export function planChain(facts: ProjectFacts, def: ProcessDefinition): Step[] {
  const region = (role: string) => (def.roles[role]?.byRegion ? facts.region : null);
  const steps = routeFor(facts, def).steps.map((s) => ({ role: s.role, region: region(s.role) }));
  const exec = startRole(startTask(facts.kind, def));
  return [...steps, { role: exec, region: region(exec) }];
}

/** What the current step asks: an approval step of the route, or the start task (the last step). */
export type StepSpec = { kind: 'approval'; step: ApprovalStepDef } | { kind: 'start'; task: TaskDef };

export function stepSpec(p: Project, index: number, def: ProcessDefinition): StepSpec | undefined {
  const route = routeFor(p.facts, def);
  if (index < route.steps.length) {
    const step = route.steps[index];
    return step ? { kind: 'approval', step } : undefined;
  }
  return index === route.steps.length ? { kind: 'start', task: startTask(p.facts.kind, def) } : undefined;
}

/** The definition's approvers of a step: its role's members, less the submitter when self-approval is not allowed. */
export function baseApproversOf(
  p: Pick<Project, 'submitter'>,
  step: Step,
  org: OrgView,
  def: ProcessDefinition,
): UserId[] {
  const members = membersOf(org, step.role, step.region);
  return def.noSelfApproval ? members.filter((u) => u !== p.submitter) : members;
}

/** Who holds a step now, before delegation: the definition's approvers through the step's hold (transfer, 加签). */
export function stepHoldersNow(p: Pick<Project, 'submitter'>, step: Step, org: OrgView, def: ProcessDefinition) {
  const held = holdersNow(baseApproversOf(p, step, org, def), step.hold);
  return def.noSelfApproval ? held.filter((u) => u !== p.submitter) : held;
}

/** Who may decide a step now: its holders, each replaced by their delegate while a delegation runs. */
export function approversOf(p: Pick<Project, 'submitter'>, step: Step, org: OrgView, def: ProcessDefinition): UserId[] {
  const users = withDelegates(org, stepHoldersNow(p, step, org, def));
  // A holder who delegated to the submitter does not make the submitter an approver of their own project.
  return def.noSelfApproval ? users.filter((u) => u !== p.submitter) : users;
}

/** Whether the facts are acceptable for registration, and every step of the chain has someone to act on it. */
export function checkRegistration(
  facts: ProjectFacts,
  org: OrgView,
  def: ProcessDefinition,
  submitter: UserId,
): Result<Step[], DomainError> {
  if (!org.regions.includes(facts.region)) {
    return err(domainError('UNKNOWN_REGION', { region: facts.region, known: org.regions.join(', ') }));
  }
  if (facts.kind === 'project' && !facts.reqLink && !facts.solutionLink) {
    return err(domainError('MISSING_DOCUMENT', { need: 'req|solution' }));
  }
  if (facts.kind === 'saas' && !facts.reqLink) return err(domainError('MISSING_DOCUMENT', { need: 'req' }));
  const chain = planChain(facts, def);
  for (const step of chain) {
    if (membersOf(org, step.role, step.region).length === 0) {
      return err(domainError('NO_ASSIGNEE', { role: step.role, region: step.region ?? '' }));
    }
    if (baseApproversOf({ submitter }, step, org, def).length === 0) {
      return err(domainError('SELF_APPROVAL', { role: step.role, region: step.region ?? '' }));
    }
  }
  return ok(chain);
}
