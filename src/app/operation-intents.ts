import { taskName } from '../../cards/labels';
import type { Intent, Op } from '../commands/intents';
import { domainError } from '../domain/errors';
import type { OperationEvent } from '../domain/events';
import type { OrgView, UserId } from '../domain/org';
import type { ProcessDefinition } from '../domain/process/definition';
import { resolvePerson } from '../domain/process/forms';
import type { SignPosition } from '../domain/process/hold';
import { canActOn } from '../domain/process/holders';
import { openTasks, type TaskInstance } from '../domain/process/state';
import type { Project } from '../domain/project';
import { type Actor, applyEvent, notFound, type Outcome } from './commit';
import type { AppDeps } from './deps';
import { refusalText } from './messages';

type OpIntent = Extract<Intent, { type: 'op' }>;

const POSITIONS: Record<string, SignPosition> = {
  before: 'before',
  前: 'before',
  前加签: 'before',
  after: 'after',
  后: 'after',
  后加签: 'after',
  with: 'with',
  alongside: 'with',
  and: 'with',
  会签: 'with',
  并签: 'with',
};

/** Words needed after the task number for each operation (a leading number is a task only with these after it). */
const NEEDS: Record<Op, number> = { transfer: 1, reassign: 1, addsign: 2, unsign: 1, sendback: 2, revoke: 0 };

/** A person typed as id, display name or @mention (already resolved to the id). */
export function personIn(org: OrgView, text: string | undefined): UserId | null {
  const t = (text ?? '').trim().replace(/^[@＠]/, '');
  if (!t) return null;
  // 戴娟翔 names 戴娟翔（戴总）: a display name without its parenthesised note, when only one person has it.
  const short = Object.keys(org.users).filter((u) => org.users[u]?.name.replace(/（[^）]*）$/, '') === t);
  return resolvePerson(org, t, undefined) ?? (short.length === 1 ? (short[0] as UserId) : null);
}

const fail = (p: Project, text: string): Outcome => ({ ok: false, text, regNo: p.regNo });

/**
 * The approval operations typed or clicked (issue 13): the words are read with the project in hand. In delivery, a
 * leading number names the task (else the one task the user holds); on the approval chain there is no task.
 */
export function handleOperation(deps: AppDeps, intent: OpIntent, actor: Actor, at: Date): Outcome {
  const p = deps.projects.get(intent.regNo);
  if (!p) return notFound(intent.regNo);
  const org = deps.org.view();
  const def = deps.processes.get(p.delivery.processVersion);
  const words = [...intent.args];
  const picked = pickTask(p, def, org, intent, words, actor.user);
  if ('text' in picked) return fail(p, picked.text);
  const task = picked.task;
  const by = actor.user;
  const person = (i: number): UserId | Outcome => {
    const id = personIn(org, words[i]);
    return id ?? fail(p, refusalText(domainError('UNKNOWN_PERSON', { person: words[i] ?? '' }), org, p, def));
  };
  let ev: OperationEvent;
  switch (intent.op) {
    case 'transfer':
    case 'reassign': {
      const to = person(0);
      if (typeof to !== 'string') return to;
      const note = words.slice(1).join(' ');
      const authority = intent.op === 'reassign' ? 'manager' : 'holder';
      ev = { type: 'transfer', by, at, task, to, authority, ...(note ? { note } : {}) };
      break;
    }
    case 'addsign': {
      const signer = person(0);
      if (typeof signer !== 'string') return signer;
      const position = POSITIONS[(words[1] ?? '').toLowerCase()];
      if (!position) {
        return fail(p, `加签方式应为 before（前加签）、after（后加签）或 with（会签），而不是「${words[1] ?? ''}」。`);
      }
      ev = { type: 'addSigner', by, at, task, signer, position };
      break;
    }
    case 'unsign': {
      const signer = person(0);
      if (typeof signer !== 'string') return signer;
      ev = { type: 'removeSigner', by, at, task, signer };
      break;
    }
    case 'sendback': {
      const reason = words.slice(1).join(' ').trim();
      if (!words[0] || !reason)
        return fail(p, '退回需要写明退回到的步骤和原因，如 /sendback HO-2026-0001 1 合同附件不全。');
      ev = { type: 'sendBack', by, at, task, to: words[0], reason };
      break;
    }
    case 'revoke':
      ev = { type: 'revoke', by, at, task };
      break;
  }
  return applyEvent(deps, p, ev, actor, intent.op);
}

/** Which task an operation is on: named (card, or a leading number), or the one the user holds; null = the chain. */
function pickTask(
  p: Project,
  def: ProcessDefinition,
  org: OrgView,
  intent: OpIntent,
  words: string[],
  user: UserId,
): { task: number | null } | { text: string } {
  if (p.state !== 'accepted' && p.state !== 'closed') return { task: null };
  if (intent.task !== undefined) return { task: intent.task };
  const lead = words[0];
  if (lead !== undefined && /^\d+$/.test(lead) && words.length - 1 >= NEEDS[intent.op]) {
    if (p.delivery.tasks.some((t) => t.no === Number(lead))) {
      words.shift();
      return { task: Number(lead) };
    }
  }
  if (intent.op === 'revoke') {
    // My newest done task (the acceptance counts as the approval chain's last step).
    const mine = p.delivery.tasks
      .filter((t) => t.state === 'done' && t.closedBy === user)
      .sort((a, b) => (b.closedAt?.getTime() ?? 0) - (a.closedAt?.getTime() ?? 0))[0];
    const start = def.flows[p.facts.kind].start;
    if (!mine) return { text: refusalText(domainError('NOTHING_TO_REVOKE'), org, p, def) };
    return { task: mine.defId === start && mine.subflow === null ? null : mine.no };
  }
  if (intent.op === 'reassign') {
    const list = openTasks(p.delivery).map((t) => describe(p, def, t));
    return { text: `请写明要改派的任务编号：${list.join('、') || '（没有待处理的任务）'}。` };
  }
  const held = openTasks(p.delivery).filter((t) => canActOn(t, user, org));
  if (held.length === 1) return { task: (held[0] as TaskInstance).no };
  if (held.length === 0) return { text: refusalText(domainError('NOT_TASK_HOLDER'), org, p, def) };
  const list = held.map((t) => describe(p, def, t)).join('、');
  return { text: `你有多项待处理的任务：${list}。请在登记号后写明任务编号。` };
}

const describe = (p: Project, def: ProcessDefinition, t: TaskInstance) => `${t.no}「${taskName(p, def, t)}」`;
