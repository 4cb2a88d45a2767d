import { type DomainError, domainError } from './errors';
import { membersOf, type OrgView, type Role } from './org';
import type { ProjectFacts, ProjectKind, Step } from './project';
import { err, ok, type Result } from './result';

/** The executing department by project kind (PROCESS.md §1). */
export const executingRole = (kind: ProjectKind): Role =>
  kind === 'project' ? 'project_director' : 'customer_success';

/**
 * PROCESS.md §2: signed and paid → commercial review → executing department;
 * otherwise special approval: sales lead → the region's special approver → commercial reviewer → executing department.
 * The submitter (sales) is step 1 of the special chain: registering is that submission.
 */
export function planChain(facts: ProjectFacts): Step[] {
  const exec: Step = { role: executingRole(facts.kind), region: null };
  const commercial: Step = { role: 'commercial_reviewer', region: null };
  if (facts.signed && facts.paid) return [commercial, exec];
  return [
    { role: 'sales_lead', region: facts.region },
    { role: 'special_approver', region: facts.region },
    commercial,
    exec,
  ];
}

/** Whether the facts are acceptable for registration, and every step of the chain has someone to act on it. */
export function checkRegistration(facts: ProjectFacts, org: OrgView): Result<Step[], DomainError> {
  if (!org.regions.includes(facts.region)) {
    return err(domainError('UNKNOWN_REGION', { region: facts.region, known: org.regions.join(', ') }));
  }
  if (facts.kind === 'project' && !facts.reqLink && !facts.solutionLink) {
    return err(domainError('MISSING_DOCUMENT', { need: 'req|solution' }));
  }
  if (facts.kind === 'saas' && !facts.reqLink) return err(domainError('MISSING_DOCUMENT', { need: 'req' }));
  const chain = planChain(facts);
  for (const step of chain) {
    if (membersOf(org, step.role, step.region).length === 0) {
      return err(domainError('NO_ASSIGNEE', { role: step.role, region: step.region ?? '' }));
    }
  }
  return ok(chain);
}
