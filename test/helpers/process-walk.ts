/**
 * Walks the standard process from registration to the end, taking whatever is open next and filling its form
 * with valid answers (a chosen branch: every yes/no the same way). Used by the card tests to look at the card of
 * every step of both kinds, as every viewer sees it.
 */

import { taskDefOf } from '../../cards/labels';
import type { FieldDef, FormDef } from '../../src/domain/process/definition';
import type { RawFields } from '../../src/domain/process/forms';
import { holdersOfTask } from '../../src/domain/process/holders';
import { missingDocuments, openTasks } from '../../src/domain/process/state';
import { currentStep, type Project, type ProjectFacts } from '../../src/domain/project';
import { approversOf, stepSpec } from '../../src/domain/routing';
import { stepForm, transition } from '../../src/domain/transition';
import { at, org, registered, STANDARD } from './process-fixture';

export interface Branch {
  facts?: Partial<ProjectFacts>;
  /** How yes/no questions and 外采 are answered. */
  yes: boolean;
}

function fill(form: FormDef | undefined, p: Project, b: Branch): RawFields {
  const out: RawFields = {};
  for (const f of form?.fields ?? []) {
    const v = value(f, p, b);
    if (v !== null) out[f.id] = v;
  }
  return out;
}

function value(f: FieldDef, p: Project, b: Branch): string | string[] | null {
  switch (f.kind) {
    case 'link':
      return `https://x/${f.id}`;
    case 'date':
      return '2026-02-01';
    case 'regno':
      return p.regNo;
    case 'check':
      return 'yes';
    case 'yesno':
      return b.yes ? 'yes' : 'no';
    case 'select':
      return f.options?.[0]?.value ?? null;
    case 'multiselect':
      return b.yes ? [f.options?.[0]?.value ?? ''] : [];
    case 'person': {
      const people = Object.values(org.members[f.role ?? ''] ?? {}).flat();
      if (!people[0]) return null;
      return f.multiple ? people.slice(0, 2) : people[0];
    }
    default:
      return f.required ? '已确认' : null;
  }
}

/** The project after each move, starting from the registration. Stops when nothing is open (or after 80 moves). */
export function walk(b: Branch): Project[] {
  let p = registered(b.facts ?? {});
  const seen = [p];
  for (let i = 0; i < 80; i++) {
    const next = move(p, b);
    if (!next) break;
    p = next;
    seen.push(p);
  }
  return seen;
}

function move(p: Project, b: Branch): Project | null {
  const step = currentStep(p);
  if (step) {
    const by = approversOf(p, step, org, STANDARD)[0] ?? '';
    const fields = fill(stepForm(stepSpec(p, p.stepIndex, STANDARD)), p, b);
    return run(p, { type: 'approve', by, at, fields });
  }
  const t = openTasks(p.delivery)[0];
  if (!t) return null;
  const td = taskDefOf(p, STANDARD, t);
  const by = holdersOfTask(t, org)[0] ?? '';
  if (td?.requiresDocuments && missingDocuments(p.delivery).length) {
    const doc = missingDocuments(p.delivery).find((d) => !STANDARD.documents.find((x) => x.no === d.no)?.filledBy);
    if (doc) return run(p, { type: 'doc', by: doc.owner, at, doc: doc.no, link: `https://x/doc${doc.no}` });
  }
  const action = td?.decide === 'review' ? 'approve' : 'submit';
  return run(p, { type: 'task', by, at, taskId: t.no, action, fields: fill(td?.form, p, b) });
}

function run(p: Project, ev: Parameters<typeof transition>[1]): Project {
  const r = transition(p, ev, STANDARD, org);
  if (!r.ok) throw new Error(`${ev.type} by ${ev.by} on ${p.regNo}: ${JSON.stringify(r.error)}`);
  return r.value.next;
}
