import { type DomainError, domainError } from '../errors';
import { holdsRole, membersOf, type OrgView, type UserId } from '../org';
import type { Project } from '../project';
import { err, ok, type Result } from '../result';
import type { FieldDef, FormDef } from './definition';
import type { Answers, FieldValue } from './state';

/** What arrives from a card form or typed key=value pairs: strings, or lists from multi-selects. */
export type RawFields = Record<string, string | string[]>;

const LINK = /^https?:\/\/[^\s<>"'`]+$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_TEXT = 2000;
const YES = new Set(['yes', 'y', 'true', '1', '是', 'on', '已核对', '需要']);
const NO = new Set(['no', 'n', 'false', '0', '否', 'off', '未核对', '不需要']);

export const isLink = (s: string): boolean => LINK.test(s);

const invalid = (f: FieldDef, why: string): DomainError =>
  domainError('INVALID_FIELD', { field: f.id, label: f.label, why });

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const list = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : (v ?? '').split(/[\s,，、;；]+/)).map((s) => s.trim()).filter(Boolean);

/** A person typed as id or display name, who must hold `role`. */
export function resolvePerson(org: OrgView, input: string, role: string | undefined): UserId | null {
  const id = org.users[input] ? input : (Object.keys(org.users).find((u) => org.users[u]?.name === input) ?? null);
  if (!id) return null;
  return role === undefined || holdsRole(org, id, role) ? id : null;
}

function option(f: FieldDef, v: string): string | null {
  const o = f.options?.find((x) => x.value === v || x.label === v);
  return o ? o.value : null;
}

/** The value a person field starts with: the region's member of its role (就近原则). */
export function defaultPerson(f: FieldDef, org: OrgView, p: Project): UserId | null {
  if (f.kind !== 'person' || !f.defaultRegionMember || !f.role) return null;
  return membersOf(org, f.role, p.facts.region)[0] ?? null;
}

function field(
  f: FieldDef,
  raw: string | string[] | undefined,
  org: OrgView,
  p: Project,
): Result<FieldValue | null, DomainError> {
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '').trim();
  const empty = Array.isArray(raw) ? raw.length === 0 : text === '';
  if (empty) {
    const fallback = defaultPerson(f, org, p);
    if (fallback) return ok(f.multiple ? [fallback] : fallback);
    if (f.kind === 'multiselect' && !f.required) return ok([]);
    return f.required ? err(invalid(f, 'required')) : ok(null);
  }
  switch (f.kind) {
    case 'text':
      return text.length > MAX_TEXT ? err(invalid(f, 'too_long')) : ok(text);
    case 'link':
      if (text.length > MAX_TEXT) return err(invalid(f, 'too_long'));
      return isLink(text) ? ok(text) : err(invalid(f, 'link'));
    case 'date':
      return validDate(text) ? ok(text) : err(invalid(f, 'date'));
    case 'regno':
      return text.toUpperCase() === p.regNo ? ok(p.regNo) : err(invalid(f, 'mismatch'));
    case 'select': {
      const v = option(f, text);
      return v === null ? err(invalid(f, 'choice')) : ok(v);
    }
    case 'multiselect': {
      const out: string[] = [];
      for (const item of list(raw)) {
        const v = option(f, item);
        if (v === null) return err(invalid(f, 'choice'));
        if (!out.includes(v)) out.push(v);
      }
      return ok(out);
    }
    case 'yesno':
    case 'check': {
      const s = text.toLowerCase();
      if (YES.has(s)) return ok(true);
      if (NO.has(s)) return f.kind === 'check' && f.required ? err(invalid(f, 'unchecked')) : ok(false);
      return err(invalid(f, 'yes_no'));
    }
    case 'person': {
      const out: UserId[] = [];
      for (const name of list(raw)) {
        const id = resolvePerson(org, name, f.role);
        if (!id) return err(invalid(f, `unknown:${name}`));
        if (!out.includes(id)) out.push(id);
      }
      if (!f.multiple && out.length > 1) return err(invalid(f, 'one_person'));
      return ok(f.multiple ? out : (out[0] as UserId));
    }
  }
}

/** Validates raw form input against a form definition. Unknown keys are refused so typos never vanish silently. */
export function validateForm(
  form: FormDef | undefined,
  raw: RawFields,
  org: OrgView,
  p: Project,
): Result<Answers, DomainError> {
  const fields = form?.fields ?? [];
  for (const key of Object.keys(raw)) {
    if (!fields.some((f) => f.id === key)) {
      return err(
        domainError('INVALID_FIELD', {
          field: key,
          label: key,
          why: 'unknown_field',
          known: fields.map((f) => f.id).join(', '),
        }),
      );
    }
  }
  const answers: Answers = {};
  for (const f of fields) {
    const v = field(f, raw[f.id], org, p);
    if (!v.ok) return v;
    if (v.value !== null) answers[f.id] = v.value;
  }
  for (const group of form?.oneOf ?? []) {
    if (!group.some((id) => answers[id] !== undefined && answers[id] !== '')) {
      const labels = group.map((id) => fields.find((f) => f.id === id)?.label ?? id).join(' / ');
      return err(domainError('INVALID_FIELD', { field: group[0] ?? '', label: labels, why: 'one_of' }));
    }
  }
  return ok(answers);
}
