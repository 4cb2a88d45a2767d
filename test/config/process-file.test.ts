import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEFAULT_PROCESS_FILE,
  LEGACY_PROCESS_FILE,
  loadProcessFile,
  ProcessFileError,
  parseProcessFile,
} from '../../src/config/process-file';

// biome-ignore lint/suspicious/noExplicitAny: tests edit the plain YAML tree freely
type Doc = any;
const standard = (): Doc => parse(readFileSync(DEFAULT_PROCESS_FILE, 'utf8'), { merge: true });
const task = (doc: Doc, kind: string, id: string) => doc.flows[kind].tasks.find((t: Doc) => t.id === id);
const index = (doc: Doc, kind: string, id: string) => doc.flows[kind].tasks.findIndex((t: Doc) => t.id === id);
const failure = (doc: Doc): string => {
  try {
    parseProcessFile(JSON.stringify(doc), 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ProcessFileError);
    return (e as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('the shipped process files', () => {
  it('standard.yaml parses into the camelCase definition', () => {
    const def = loadProcessFile(DEFAULT_PROCESS_FILE);
    expect(def.roles.special_approver).toEqual({ name: '特批领导', byRegion: true });
    expect(def.noSelfApproval).toBe(true);
    // Self-approval is off unless a file says otherwise (issue 10, finding 4): the key may be left out.
    const text = readFileSync(DEFAULT_PROCESS_FILE, 'utf8');
    expect(text).toContain('no_self_approval: true\n');
    expect(parseProcessFile(text.replace('no_self_approval: true\n', ''), 'p.yaml').noSelfApproval).toBe(true);
    expect(def.newsChat).toBe('handover_news');
    expect(def.approval.routes.map((r) => r.id)).toEqual(['regular', 'special']);
    const setup = def.flows.project.tasks.find((t) => t.id === 'setup');
    expect(setup?.rejectTo).toBe('submitter');
    expect(setup?.sets).toEqual({ pm: 'pm' });
    expect(setup?.form?.fields[2]).toMatchObject({ kind: 'person', role: 'regional_pm', defaultRegionMember: true });
    const issue = def.flows.project.tasks.find((t) => t.id === 'pickup_issue');
    expect(issue?.form?.oneOf).toEqual([['standard', 'custom']]);
    expect(issue?.fills).toEqual([
      { doc: 1, field: 'standard' },
      { doc: 1, field: 'custom' },
    ]);
    expect(def.flows.project.tasks.find((t) => t.id === 'handover_request')?.requiresDocuments).toBe(true);
    expect(def.flows.project.tasks.find((t) => t.id === 'platform_ops')?.keepOpen).toBe(true);
    expect(def.documents[0]).toEqual({
      no: 1,
      name: '产品领取单',
      owner: 'implementers',
      dueDays: 30,
      filledBy: 'pickup_issue',
    });
    expect(def.subflows.map((s) => s.command)).toEqual(['defect', 'support', 'cloud-order', 'change']);
    // The special route reuses the commercial step through a YAML anchor.
    expect(def.approval.routes[1]?.steps[2]).toEqual(def.approval.routes[0]?.steps[0]);
  });

  it('legacy.yaml parses: `- *delivery` is spliced into both flows, x- keys are ignored', () => {
    const def = loadProcessFile(LEGACY_PROCESS_FILE);
    expect(Object.keys(def)).not.toContain('x-delivery');
    const ids = def.flows.project.tasks.map((t) => t.id);
    expect(ids.slice(-8)).toEqual([
      'assign',
      'pickup',
      'pickup_pm',
      'pickup_commercial',
      'pickup_issue',
      'handover_request',
      'handover_cs',
      'handover',
    ]);
    const saas = def.flows.saas.tasks;
    expect(saas.find((t) => t.id === 'assign')?.if).toEqual({ answer: 'intake.integration', is: true });
    expect(saas.find((t) => t.id === 'handover')?.if).toBeUndefined();
    expect(def.subflows).toEqual([]);
  });

  it('an unreadable file names the path', () => {
    expect(() => loadProcessFile('/nonexistent/process.yaml')).toThrow(
      'cannot read process file /nonexistent/process.yaml',
    );
  });

  it('broken YAML is refused without a stack trace', () => {
    expect(() => parseProcessFile('label: [unclosed', 'p.yaml')).toThrow('p.yaml: not valid YAML');
  });
});

const pi = index(standard(), 'project', 'pickup_issue');
const cases: [string, (d: Doc) => void, string][] = [
  ['unknown top-level key', (d) => (d.stages = []), 'stages: unknown key'],
  [
    'a task without holder',
    (d) => delete task(d, 'project', 'pickup').holder,
    `flows.project.tasks.${index(standard(), 'project', 'pickup')}.holder: Invalid input`,
  ],
  [
    'a holder with two kinds',
    (d) => (task(d, 'project', 'pickup').holder = { role: 'sales', team: 'pm' }),
    'holder: a holder is exactly one of',
  ],
  ['a wrong decide', (d) => (task(d, 'project', 'pickup').decide = 'vote'), 'decide: Invalid option'],
  [
    'a wrong field kind',
    (d) => (task(d, 'project', 'pickup').form.fields[0].kind = 'number'),
    'form.fields.0.kind: Invalid option',
  ],
  [
    'a malformed condition',
    (d) => (task(d, 'project', 'outsourcing').if = { fact: 'cloud' }),
    'if: a condition is one of',
  ],
  ['registrar not a role', (d) => (d.registrar = 'clerk'), 'registrar: unknown role "clerk"'],
  ['duplicate task id', (d) => (task(d, 'project', 'training').id = 'trial_run'), 'duplicate id "trial_run"'],
  [
    'needs an unknown task',
    (d) => task(d, 'project', 'pickup').needs.push('nowhere'),
    'needs.1: no task "nowhere" here',
  ],
  [
    'a needs cycle',
    (d) => task(d, 'project', 'requirements').needs.push('assign'),
    'cycle: requirements → assign → requirements',
  ],
  [
    'reject_to an unknown task',
    (d) => (task(d, 'project', 'pickup_pm').reject_to = 'nowhere'),
    'reject_to: no task "nowhere" here',
  ],
  [
    'reject_to a later task',
    (d) => (task(d, 'project', 'pickup_pm').reject_to = 'acceptance'),
    'reject_to: "acceptance" is not among the tasks "pickup_pm" needs',
  ],
  [
    'reject_to submitter off the start task',
    (d) => (task(d, 'project', 'pickup_pm').reject_to = 'submitter'),
    'only the start task can reject to submitter',
  ],
  [
    'reject_to on a submit task',
    (d) => (task(d, 'project', 'pickup').reject_to = 'assign'),
    'reject_to: only a review task can reject',
  ],
  ['start is missing', (d) => (d.flows.saas.start = 'nowhere'), 'flows.saas.start: no task "nowhere" in this flow'],
  [
    'start has needs',
    (d) => (task(d, 'saas', 'intake').needs = ['takeover']),
    'flows.saas.tasks.0.needs: the start task cannot need other tasks',
  ],
  [
    'start held by a team',
    (d) => (task(d, 'saas', 'intake').holder = { team: 'pm' }),
    'flows.saas.tasks.0.holder: the start task is held by a role',
  ],
  [
    'holder role unknown',
    (d) => (task(d, 'project', 'pickup_issue').holder = { role: 'warehouse' }),
    `flows.project.tasks.${pi}.holder.role: unknown role "warehouse"`,
  ],
  [
    'person field role unknown',
    (d) => (task(d, 'project', 'setup').form.fields[2].role = 'pm_pool'),
    'flows.project.tasks.0.form.fields.2.role: unknown role "pm_pool"',
  ],
  [
    'approval step role unknown',
    (d) => (d.approval.routes[1].steps[0].role = 'boss'),
    'approval.routes.1.steps.0.role: unknown role "boss"',
  ],
  [
    'subflow raise role unknown',
    (d) => (d.subflows[0].raise[2] = { role: 'qa' }),
    'subflows.0.raise.2.role: unknown role "qa"',
  ],
  [
    'fills an unknown document',
    (d) => (task(d, 'project', 'pickup_issue').fills[0].doc = 9),
    `flows.project.tasks.${pi}.fills.0.doc: no document number 9`,
  ],
  [
    'fills from an unknown field',
    (d) => (task(d, 'project', 'pickup_issue').fills[0].field = 'path'),
    'fills.0.field: no field "path" in this task\'s form',
  ],
  [
    'sets.pm not a person field',
    (d) => (task(d, 'project', 'setup').sets.pm = 'risk'),
    'flows.project.tasks.0.sets.pm: "risk" is not a person field',
  ],
  [
    'unknown fact',
    (d) => (task(d, 'project', 'platform_ops').if = { fact: 'onprem', is: true }),
    'if.fact: unknown fact "onprem"',
  ],
  [
    'fact compared with the wrong type',
    (d) => (task(d, 'project', 'platform_ops').if = { fact: 'cloud', is: 'yes' }),
    'if.is: cloud is true or false',
  ],
  [
    'answer of an unknown task',
    (d) => (task(d, 'project', 'req_list').if = { answer: 'nowhere.x', is: true }),
    'if.answer: refer to an answer as taskId.fieldId',
  ],
  [
    'answer of an unknown field',
    (d) => (task(d, 'project', 'req_list').if = { answer: 'requirements.colour', is: 'red' }),
    'if.answer: task "requirements" has no field "colour"',
  ],
  [
    'answer of an unknown approval form',
    (d) => (task(d, 'project', 'outsourcing').if = { answer: 'approval.sales_lead.ok', is: true }),
    'if.answer: "approval.sales_lead.ok": no approval step of role "sales_lead" has a form',
  ],
  [
    'has on a yesno field',
    (d) => (task(d, 'project', 'integration').if = { answer: 'requirements.integration', has: 'yes' }),
    'if.has: has is for multiselect and multiple person fields',
  ],
  [
    'is on a multiselect',
    (d) => (task(d, 'project', 'req_list').if = { answer: 'requirements.customization', is: 'in_contract' }),
    'if.is: "requirements.customization" holds several values: use has',
  ],
  [
    'a text compared with a yesno',
    (d) => (task(d, 'project', 'integration').if = { answer: 'requirements.integration', is: 'yes' }),
    'if.is: "requirements.integration" is yesno: compare with true or false',
  ],
  [
    'has an unknown option',
    (d) => (task(d, 'project', 'req_list').if = { answer: 'requirements.customization', has: 'other' }),
    'if.has: "other" is not an option',
  ],
  [
    'select without options',
    (d) => delete task(d, 'project', 'requirements').form.fields[1].options,
    'form.fields.1.options: a select field needs options',
  ],
  ['duplicate document number', (d) => (d.documents[1].no = 1), 'documents.1.no: duplicate document number 1'],
  [
    'duplicate subflow command',
    (d) => (d.subflows[1].command = 'defect'),
    'subflows.1.command: "defect" is already used at subflows.0.command',
  ],
  [
    'a built-in command',
    (d) => (d.subflows[0].command = 'status'),
    'subflows.0.command: "status" is a built-in command',
  ],
  ['a built-in alias', (d) => (d.subflows[0].aliases = ['移交']), 'subflows.0.aliases.0: "移交" is a built-in command'],
  [
    'duplicate subflow step id',
    (d) => (d.subflows[0].steps[1].id = 'confirm'),
    'subflows.0.steps.1.id: duplicate id "confirm"',
  ],
  [
    'subflow step needs an unknown step',
    (d) => (d.subflows[0].steps[1].needs = ['triage']),
    'subflows.0.steps.1.needs.0: no task "triage" here',
  ],
  [
    'subflow holder answer not a person',
    (d) => (d.subflows[1].steps[1].holder = { answer: 'assign.note' }),
    'subflows.1.steps.1.holder.answer: "assign.note" is not a person field',
  ],
  [
    'routing on an answer',
    (d) => (d.approval.routes[0].when = { answer: 'setup.pm', is: 'x' }),
    'approval.routes.0.when.answer: answers are not known during the approval routing',
  ],
  [
    'a conditional last route',
    (d) => (d.approval.routes[1].when = { fact: 'signed', is: false }),
    'approval.routes.1.when: the last route is the fallback',
  ],
  [
    'a CC of an unknown role',
    (d) => (task(d, 'project', 'setup').cc = [{ role: 'warehouse' }]),
    `flows.project.tasks.${index(standard(), 'project', 'setup')}.cc.0.role: unknown role "warehouse"`,
  ],
  [
    'an approval step copying the PM (not chosen yet)',
    (d) => (d.approval.routes[0].steps[0].cc = [{ team: 'pm' }]),
    'approval.routes.0.steps.0.cc.0: an approval step copies roles or the submitter',
  ],
  [
    'a timeout escalating to an unknown role',
    (d) => (d.approval.routes[1].steps[1].timeout = { hours: 8, escalate: 'boss' }),
    'approval.routes.1.steps.1.timeout.escalate: unknown role "boss"',
  ],
  [
    'a timeout with both escalate and transfer',
    (d) => (task(d, 'project', 'setup').timeout = { hours: 8, escalate: 'sales_lead', transfer: 'sales_lead' }),
    'timeout: a timeout names exactly one of escalate: <role> or transfer: <role>',
  ],
  [
    'a timeout of zero hours',
    (d) => (task(d, 'project', 'setup').timeout = { hours: 0, escalate: 'sales_lead' }),
    'timeout.hours',
  ],
  [
    'self_approval with another value',
    (d) => (task(d, 'project', 'pickup_commercial').self_approval = 'yes'),
    `flows.project.tasks.${index(standard(), 'project', 'pickup_commercial')}.self_approval: the only value is allowed`,
  ],
  [
    'self_approval on a submit task (work, not a decision)',
    (d) => (task(d, 'project', 'pickup').self_approval = 'allowed'),
    `flows.project.tasks.${index(standard(), 'project', 'pickup')}.self_approval: only a review task is a decision`,
  ],
  [
    'self_approval on a review the submitter holds by design',
    (d) => (task(d, 'project', 'custom_confirm').self_approval = 'allowed'),
    `flows.project.tasks.${index(standard(), 'project', 'custom_confirm')}.self_approval: held by the submitter by design`,
  ],
  [
    'self_approval on the start task (the approval chain decides it)',
    (d) => (task(d, 'saas', 'intake').self_approval = 'allowed'),
    "flows.saas.tasks.0.self_approval: the start task is the approval chain's last step",
  ],
  [
    'self_approval with no_self_approval off',
    (d) => {
      d.no_self_approval = false;
      task(d, 'project', 'pickup_commercial').self_approval = 'allowed';
    },
    'self_approval: no_self_approval is false: every review allows self-approval already',
  ],
  [
    'self_approval on a subflow step held by the raiser',
    (d) => {
      d.subflows[0].steps[0].holder = { team: 'raiser' };
      d.subflows[0].steps[0].self_approval = 'allowed';
    },
    'subflows.0.steps.0.self_approval: held by the raiser by design',
  ],
];

describe('self_approval: allowed (a review the submitter may decide)', () => {
  it('opts a review out of no_self_approval; absent, the process-level rule applies', () => {
    const doc = standard();
    task(doc, 'project', 'pickup_commercial').self_approval = 'allowed';
    const def = parseProcessFile(JSON.stringify(doc), 'p.yaml');
    expect(def.flows.project.tasks.find((t) => t.id === 'pickup_commercial')?.selfApproval).toBe('allowed');
    expect(def.flows.project.tasks.find((t) => t.id === 'pickup_pm')).not.toHaveProperty('selfApproval');
  });
});

describe('a broken process file names the key path and what is wrong', () => {
  it.each(cases)('%s', (_name, mutate, message) => {
    const doc = standard();
    mutate(doc);
    expect(failure(doc)).toContain(message);
  });

  it('lists every problem at once', () => {
    const doc = standard();
    doc.registrar = 'clerk';
    doc.documents[1].no = 1;
    const message = failure(doc);
    expect(message).toContain('registrar: unknown role');
    expect(message).toContain('documents.1.no: duplicate');
  });
});
