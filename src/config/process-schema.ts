import { z } from 'zod';
import type {
  ApprovalStepDef,
  Condition,
  DocumentDef,
  FieldDef,
  FlowDef,
  FormDef,
  HolderDef,
  ProcessDefinition,
  RouteDef,
  SubflowDef,
  TaskDef,
  TimeoutDef,
} from '../domain/process/definition';

/**
 * The zod schema of a process file (YAML keys in snake_case) and its conversion to the camelCase ProcessDefinition.
 * Shapes only; references between parts are checked in process-rules.ts.
 */

const Id = z.string().trim().min(1, 'must not be empty');
const Text = z.string().trim().min(1, 'must not be empty');

export const FIELD_KINDS = [
  'text',
  'link',
  'date',
  'select',
  'multiselect',
  'person',
  'regno',
  'yesno',
  'check',
] as const;

/** `- *anchor` of a list inside a list is spliced in place (one level), so shared task lists can be reused. */
const spliced = <T extends z.ZodType>(list: T) =>
  z.preprocess((v) => (Array.isArray(v) ? v.flatMap((x) => (Array.isArray(x) ? x : [x])) : v), list);

const Field = z.strictObject({
  id: Id,
  label: Text,
  kind: z.enum(FIELD_KINDS),
  required: z.boolean().default(false),
  options: z.array(z.strictObject({ value: Id, label: Text })).optional(),
  role: Id.optional(),
  multiple: z.boolean().optional(),
  default_region_member: z.boolean().optional(),
  hint: Text.optional(),
});

const Form = z.strictObject({
  fields: z.array(Field).min(1, 'a form needs at least one field'),
  one_of: z.array(z.array(Id).min(2, 'a one_of group names at least two fields')).optional(),
});

export const TEAMS = ['pm', 'implementers', 'submitter', 'raiser'] as const;

const Holder = z
  .strictObject({ role: Id.optional(), team: z.enum(TEAMS).optional(), answer: Id.optional() })
  .refine((h) => [h.role, h.team, h.answer].filter((x) => x !== undefined).length === 1, {
    message: 'a holder is exactly one of { role: … }, { team: … }, { answer: taskId.fieldId }',
  });

interface RawCondition {
  fact?: string | undefined;
  answer?: string | undefined;
  is?: string | boolean | undefined;
  has?: string | undefined;
  all?: RawCondition[] | undefined;
  any?: RawCondition[] | undefined;
  not?: RawCondition | undefined;
}

const SHAPES = ['fact,is', 'answer,is', 'answer,has', 'all', 'any', 'not'];
const ConditionSchema: z.ZodType<RawCondition> = z.lazy(() =>
  z
    .strictObject({
      fact: Id.optional(),
      answer: Id.optional(),
      is: z.union([z.string().trim().min(1), z.boolean()]).optional(),
      has: Id.optional(),
      all: z.array(ConditionSchema).min(1).optional(),
      any: z.array(ConditionSchema).min(1).optional(),
      not: ConditionSchema.optional(),
    })
    .refine(
      (c) =>
        SHAPES.includes(
          Object.keys(c)
            .filter((k) => c[k as keyof RawCondition] !== undefined)
            .join(','),
        ),
      { message: 'a condition is one of {fact, is}, {answer, is}, {answer, has}, {all: […]}, {any: […]}, {not: …}' },
    ),
);

const Timeout = z
  .strictObject({ hours: z.number().positive(), escalate: Id.optional(), transfer: Id.optional() })
  .refine((t) => (t.escalate === undefined) !== (t.transfer === undefined), {
    message: 'a timeout names exactly one of escalate: <role> or transfer: <role>',
  });

const Task = z.strictObject({
  id: Id,
  name: Text,
  holder: Holder,
  decide: z.enum(['submit', 'review']),
  needs: z.array(Id).default([]),
  if: ConditionSchema.optional(),
  form: Form.optional(),
  reject_to: Id.optional(),
  sets: z.strictObject({ pm: Id.optional(), implementers: Id.optional() }).optional(),
  fills: z.array(z.strictObject({ doc: z.number().int().positive(), field: Id })).optional(),
  requires_documents: z.boolean().optional(),
  starts_documents: z.boolean().optional(),
  closes: z.boolean().optional(),
  news: z.boolean().optional(),
  keep_open: z.boolean().optional(),
  action: Text.optional(),
  sla_hours: z.number().positive().optional(),
  cc: z.array(Holder).min(1).optional(),
  timeout: Timeout.optional(),
  self_approval: z
    .literal('allowed', { error: 'the only value is allowed (the submitter may decide this review)' })
    .optional(),
});

const ApprovalStep = z.strictObject({
  role: Id,
  name: Text,
  form: Form.optional(),
  checklist: z.array(Text).optional(),
  action: Text.optional(),
  cc: z.array(Holder).min(1).optional(),
  timeout: Timeout.optional(),
});

const Route = z.strictObject({
  id: Id,
  name: Text,
  when: ConditionSchema.optional(),
  steps: z.array(ApprovalStep).min(1, 'a route needs at least one step'),
});

const Flow = z.strictObject({ start: Id, tasks: spliced(z.array(Task).min(1, 'a flow needs tasks')) });

const Subflow = z.strictObject({
  id: Id,
  name: Text,
  command: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]*$/, 'a command is lower-case latin letters, digits and "-", e.g. cloud-order'),
  aliases: z.array(Text).default([]),
  raise: z.array(Holder).min(1, 'name who may raise it'),
  when: z.array(z.enum(['accepted', 'closed'])).min(1, 'name the project states (accepted, closed)'),
  form: Form,
  steps: spliced(z.array(Task).min(1, 'a subflow needs steps')),
});

export const ProcessFileSchema = z.strictObject({
  label: Text,
  registrar: Id,
  no_self_approval: z.boolean().default(true),
  news_chat: Id,
  roles: z
    .record(Id, z.strictObject({ name: Text, by_region: z.boolean().default(false) }))
    .refine((r) => Object.keys(r).length > 0, 'at least one role is required'),
  approval: z.strictObject({ routes: z.array(Route).min(1, 'at least one route is required') }),
  documents: z.array(
    z.strictObject({
      no: z.number().int().positive(),
      name: Text,
      owner: z.enum(['implementers', 'pm']),
      due_days: z.number().int().min(0),
      filled_by: Id.optional(),
    }),
  ),
  flows: z.strictObject({ project: Flow, saas: Flow }),
  subflows: z.array(Subflow).default([]),
});

export type ProcessFile = z.infer<typeof ProcessFileSchema>;
type RawTask = z.infer<typeof Task>;
type RawForm = z.infer<typeof Form>;

/** Adds `key: value` only when value is defined (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function condition(c: RawCondition): Condition {
  if (c.all) return { all: c.all.map(condition) };
  if (c.any) return { any: c.any.map(condition) };
  if (c.not) return { not: condition(c.not) };
  if (c.fact !== undefined) return { fact: c.fact, is: c.is as string | boolean };
  if (c.has !== undefined) return { answer: c.answer as string, has: c.has };
  return { answer: c.answer as string, is: c.is as string | boolean };
}

function holder(h: z.infer<typeof Holder>): HolderDef {
  if (h.role !== undefined) return { role: h.role };
  if (h.team !== undefined) return { team: h.team };
  return { answer: h.answer as string };
}

function form(f: RawForm): FormDef {
  const fields = f.fields.map(
    (x): FieldDef => ({
      id: x.id,
      label: x.label,
      kind: x.kind,
      required: x.required,
      ...opt('options', x.options),
      ...opt('role', x.role),
      ...opt('multiple', x.multiple),
      ...opt('defaultRegionMember', x.default_region_member),
      ...opt('hint', x.hint),
    }),
  );
  return { fields, ...opt('oneOf', f.one_of) };
}

function task(t: RawTask): TaskDef {
  return {
    id: t.id,
    name: t.name,
    holder: holder(t.holder),
    decide: t.decide,
    needs: t.needs,
    ...opt('if', t.if && condition(t.if)),
    ...opt('form', t.form && form(t.form)),
    ...opt('rejectTo', t.reject_to),
    ...opt('sets', t.sets && { ...opt('pm', t.sets.pm), ...opt('implementers', t.sets.implementers) }),
    ...opt('fills', t.fills),
    ...opt('requiresDocuments', t.requires_documents),
    ...opt('startsDocuments', t.starts_documents),
    ...opt('closes', t.closes),
    ...opt('news', t.news),
    ...opt('keepOpen', t.keep_open),
    ...opt('action', t.action),
    ...opt('slaHours', t.sla_hours),
    ...opt('cc', t.cc?.map(holder)),
    ...opt('timeout', t.timeout && timeout(t.timeout)),
    ...opt('selfApproval', t.self_approval),
  };
}

function timeout(t: z.infer<typeof Timeout>): TimeoutDef {
  return { hours: t.hours, ...opt('escalate', t.escalate), ...opt('transfer', t.transfer) };
}

const flow = (f: z.infer<typeof Flow>): FlowDef => ({ start: f.start, tasks: f.tasks.map(task) });

/** The validated file as the domain's ProcessDefinition (snake_case keys → camelCase). */
export function toDefinition(p: ProcessFile): ProcessDefinition {
  const routes = p.approval.routes.map(
    (r): RouteDef => ({
      id: r.id,
      name: r.name,
      ...opt('when', r.when && condition(r.when)),
      steps: r.steps.map(
        (s): ApprovalStepDef => ({
          role: s.role,
          name: s.name,
          ...opt('form', s.form && form(s.form)),
          ...opt('checklist', s.checklist),
          ...opt('action', s.action),
          ...opt('cc', s.cc?.map(holder)),
          ...opt('timeout', s.timeout && timeout(s.timeout)),
        }),
      ),
    }),
  );
  const documents = p.documents.map(
    (d): DocumentDef => ({
      no: d.no,
      name: d.name,
      owner: d.owner,
      dueDays: d.due_days,
      ...opt('filledBy', d.filled_by),
    }),
  );
  const subflows = p.subflows.map(
    (s): SubflowDef => ({
      id: s.id,
      name: s.name,
      command: s.command,
      aliases: s.aliases,
      raise: s.raise.map(holder),
      when: s.when,
      form: form(s.form),
      steps: s.steps.map(task),
    }),
  );
  const roles: ProcessDefinition['roles'] = {};
  for (const [id, r] of Object.entries(p.roles)) roles[id] = { name: r.name, byRegion: r.by_region };
  return {
    label: p.label,
    roles,
    registrar: p.registrar,
    approval: { routes },
    flows: { project: flow(p.flows.project), saas: flow(p.flows.saas) },
    documents,
    subflows,
    newsChat: p.news_chat,
    noSelfApproval: p.no_self_approval,
  };
}
