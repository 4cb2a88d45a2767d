import { type DomainError, domainError } from '../errors';
import type { UserId } from '../org';
import { err, ok, type Result } from '../result';
import type { Work } from './flow';
import { isLink, resolvePerson } from './forms';
import { missingDocuments } from './state';

const onTeam = (w: Work, user: UserId) => w.d.team.implementers.includes(user) || w.d.team.pm === user;

/** An acceptance document submitted by hand (documents a task fills are refused: that task's form fills them). */
export function submitDocument(w: Work, no: number, link: string, by: UserId): Result<void, DomainError> {
  if (w.p.state !== 'accepted') return err(domainError('NOT_IN_DELIVERY', { state: w.p.state }));
  const doc = w.d.documents.find((d) => d.no === no);
  const def = w.def.documents.find((d) => d.no === no);
  if (!doc || !def) return err(domainError('NOT_IN_DELIVERY', { state: 'no_documents' }));
  if (!onTeam(w, by)) return err(domainError('NOT_TASK_HOLDER', { role: 'team' }));
  if (def.filledBy) {
    const task = w.def.flows[w.p.facts.kind].tasks.find((t) => t.id === def.filledBy);
    return err(domainError('FILLED_BY_TASK', { doc: def.name, task: task?.name ?? def.filledBy }));
  }
  const v = link.trim();
  if (!isLink(v))
    return err(domainError('INVALID_FIELD', { field: 'link', label: `《${def.name}》链接`, why: 'link' }));
  Object.assign(doc, { link: v, submittedAt: w.at, submittedBy: by });
  w.effects.push({ type: 'card.refresh', regNo: w.p.regNo });
  if (missingDocuments(w.d).length === 0) {
    w.effects.push({ type: 'notify.users', regNo: w.p.regNo, users: w.d.team.implementers, notice: 'docs_complete' });
  }
  return ok(undefined);
}

/** The PM moves a document's due date, optionally to another owner (an implementer of the project or the PM). */
export function moveDue(
  w: Work,
  no: number,
  due: Date,
  owner: string | undefined,
  by: UserId,
): Result<void, DomainError> {
  if (w.p.state !== 'accepted') return err(domainError('NOT_IN_DELIVERY', { state: w.p.state }));
  const doc = w.d.documents.find((d) => d.no === no);
  if (!doc) return err(domainError('NOT_IN_DELIVERY', { state: 'no_documents' }));
  if (by !== w.d.team.pm) return err(domainError('NOT_TASK_HOLDER', { role: 'regional_pm' }));
  if (owner !== undefined) {
    const id = resolvePerson(w.org, owner, undefined);
    if (!id || !onTeam(w, id)) {
      return err(domainError('INVALID_FIELD', { field: 'owner', label: '负责人', why: 'not_team' }));
    }
    doc.owner = id;
  }
  doc.due = due;
  w.effects.push({ type: 'card.refresh', regNo: w.p.regNo });
  return ok(undefined);
}
