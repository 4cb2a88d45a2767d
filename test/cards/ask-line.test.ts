import { describe, expect, it } from 'vitest';
import { stepLabel, taskName } from '../../cards/labels';
import type { CardBlock, CardModel } from '../../cards/model';
import { projectCard } from '../../cards/project.card';
import { plainRich } from '../../cards/rich';
import { canActOn } from '../../src/domain/process/holders';
import { openTasks } from '../../src/domain/process/state';
import type { Project } from '../../src/domain/project';
import { isCurrentApprover } from '../../src/domain/transition';
import { apply, approve, at, org, registered, reject, STANDARD } from '../helpers/process-fixture';
import { type Branch, walk } from '../helpers/process-walk';

const card = (p: Project, viewer: string | null): CardModel =>
  projectCard({ project: p, def: STANDARD, org, timeZone: 'Asia/Shanghai', viewer });

const ask = (c: CardModel) => c.blocks[0] as Extract<CardBlock, { type: 'ask' }>;
/** Work on a card: a form, or a button that is not a plain "look at it" (default-style) one. */
const hasWork = (c: CardModel) => c.forms.length > 0 || c.actions.some((a) => a.style !== 'default');

/** What is open now, by name: the approval step or every open task. */
function openNames(p: Project): string[] {
  if (p.state === 'in_approval') return [stepLabel(p, STANDARD, org)];
  return openTasks(p.delivery).map((t) => taskName(p, STANDARD, t));
}

/** The names of what `u` holds now (the approval step, or their open tasks). */
function heldNames(p: Project, u: string): string[] {
  if (p.state === 'in_approval') return [stepLabel(p, STANDARD, org)];
  if (p.state === 'rejected') return [];
  return openTasks(p.delivery)
    .filter((t) => canActOn(t, u, org))
    .map((t) => taskName(p, STANDARD, t));
}

function holds(p: Project, u: string): boolean {
  if (p.state === 'rejected') return u === p.submitter;
  return isCurrentApprover(p, u, org, STANDARD) || openTasks(p.delivery).some((t) => canActOn(t, u, org));
}

const BRANCHES: [string, Branch][] = [
  ['project, special chain, every question answered no', { yes: false }],
  [
    'project, signed and paid, operated, cloud, 外采, every question yes',
    { yes: true, facts: { signed: true, paid: true, operated: true, cloud: true } },
  ],
  ['SaaS without integration', { yes: false, facts: { kind: 'saas', signed: true, paid: true } }],
  ['SaaS with integration, south', { yes: true, facts: { kind: 'saas', region: 'south' } }],
];

describe('the ask line matches the current step, for every step of both kinds and every viewer', () => {
  it.each(BRANCHES)('%s', (_name, branch) => {
    const states = walk(branch);
    expect(states.at(-1)?.state).toBe('closed');
    for (const p of states) {
      const names = openNames(p);
      for (const u of [...Object.keys(org.users)]) {
        const c = card(p, u);
        const line = ask(c);
        const text = plainRich(line.text);
        const where = `${p.regNo} ${names.join('、')} as ${u}: ${text}`;
        expect(line.type, where).toBe('ask');
        expect(line.todo, where).toBe(holds(p, u));
        // The line is true: asked exactly when the card carries the work, and it names what is open.
        expect(hasWork(c), where).toBe(line.todo);
        if (line.todo) expect(text, where).toMatch(/^请处理：|^请修改后重新提交：/);
        else expect(text, where).toMatch(/^无需你操作。/);
        const named = line.todo ? heldNames(p, u) : names;
        for (const n of named) expect(text, where).toContain(n);
      }
      // A shared copy (a group) is never asked anything and carries no buttons.
      expect(ask(card(p, null)).todo).toBe(false);
      expect(card(p, null).actions).toEqual([]);
    }
  });

  it('covers every task of both flows across the branches', () => {
    const seen = new Set<string>();
    for (const [, b] of BRANCHES)
      for (const p of walk(b)) for (const t of p.delivery.tasks) seen.add(`${p.facts.kind}:${t.defId}`);
    const all = (['project', 'saas'] as const).flatMap((k) => STANDARD.flows[k].tasks.map((t) => `${k}:${t.id}`));
    const missed = all.filter((x) => !seen.has(x));
    // Tasks only a later subflow or an explicit choice reaches are listed here, by name, so a new one fails.
    expect(missed).toEqual([]);
  });

  it('rejected: sales is asked to amend and resubmit, with the reason; withdrawn: nobody is asked anything', () => {
    const p = apply(registered(), approve('lead'), reject('yang', '合同金额不符'));
    const sales = card(p, 's');
    expect(ask(sales)).toMatchObject({ todo: true });
    expect(plainRich(ask(sales).text)).toBe('请修改后重新提交：「特批领导审批（北方）」被 名yang 驳回');
    expect(sales.blocks[1]).toMatchObject({ type: 'fields' });
    const fields = sales.blocks[1]?.type === 'fields' ? sales.blocks[1].fields : [];
    expect(fields.find((f) => f.label === '驳回原因')?.value).toBe('合同金额不符');
    expect(plainRich(ask(card(p, 'yang')).text)).toBe('无需你操作。已驳回，等待 名s 修改后重新提交。');
    const gone = apply(p, { type: 'withdraw', by: 's', at });
    for (const u of Object.keys(org.users)) {
      expect(ask(card(gone, u)), u).toEqual({ type: 'ask', todo: false, text: '无需你操作。项目已撤回。' });
      expect(card(gone, u).actions, u).toEqual([]);
    }
  });

  it('a resubmitted project shows the approver what was amended, and asks sales nothing', () => {
    let p = apply(registered(), approve('lead'), reject('yang'));
    p = apply(p, { type: 'resubmit', by: 's', at, changes: { customer: 'C2', signed: true } });
    const lead = card(p, 'lead');
    expect(plainRich(ask(lead).text)).toBe('请处理：销售主管审批 · 第 2 轮');
    const fields = lead.blocks[1]?.type === 'fields' ? lead.blocks[1].fields : [];
    expect(fields.find((f) => f.label === '本轮修改')?.value).toBe('客户：C → C2；合同已签：否 → 是');
    const sales = card(p, 's');
    expect(ask(sales).todo).toBe(false);
    expect(sales.actions.map((a) => a.label)).toEqual(['撤回']);
  });
});
