import { type DomainError, domainError } from '../errors';
import type { UserId } from '../org';
import { err, ok, type Result } from '../result';
import { advance, subflowScope, type Work } from './flow';
import { type RawFields, validateForm } from './forms';
import { matchesHolder } from './holders';
import type { Subflow } from './state';

/** Starts a repeatable subflow (a defect, a support request, a cloud order, a change request). */
export function startSubflow(w: Work, kind: string, by: UserId, raw: RawFields): Result<Subflow, DomainError> {
  const sd = w.def.subflows.find((s) => s.id === kind);
  if (!sd) return err(domainError('UNKNOWN_SUBFLOW', { kind }));
  const state = w.p.state;
  if (state !== 'accepted' && state !== 'closed') return err(domainError('NOT_IN_DELIVERY', { state }));
  if (!sd.when.includes(state)) return err(domainError('SUBFLOW_NOT_NOW', { kind: sd.name, state }));
  const project = { ...w.p, delivery: w.d };
  if (!sd.raise.some((h) => matchesHolder(h, by, project, w.def, w.org))) {
    return err(domainError('NOT_ALLOWED_TO_RAISE', { kind: sd.name }));
  }
  const answers = validateForm(sd.form, raw, w.org, project);
  if (!answers.ok) return answers;
  const s: Subflow = {
    no: w.d.subflows.reduce((m, x) => Math.max(m, x.no), 0) + 1,
    kind,
    state: 'open',
    raisedBy: by,
    answers: answers.value,
    openedAt: w.at,
    closedAt: null,
  };
  w.d.subflows.push(s);
  const stuck = advance(w, subflowScope(w.def, s));
  if (stuck.length) return err(domainError('NO_ASSIGNEE', { task: stuck.join(',') }));
  return ok(s);
}
