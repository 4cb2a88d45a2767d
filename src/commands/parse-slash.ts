import { type CommandName, HELP_TEXT, USAGE } from './help';
import { describeIssues, type Intent, IntentSchema, type Op } from './intents';

/** `field`: a card form's field the refusal is about (the form is re-rendered with the error next to it). */
export type ParseResult = { ok: true; intent: Intent } | { ok: false; error: string; field?: string };

const ALIASES: Record<string, CommandName> = {
  register: 'register',
  立项: 'register',
  登记: 'register',
  status: 'status',
  状态: 'status',
  查询: 'status',
  mine: 'mine',
  待办: 'mine',
  我的: 'mine',
  resubmit: 'resubmit',
  重新提交: 'resubmit',
  withdraw: 'withdraw',
  撤回: 'withdraw',
  approve: 'approve',
  同意: 'approve',
  通过: 'approve',
  reject: 'reject',
  驳回: 'reject',
  拒绝: 'reject',
  help: 'help',
  帮助: 'help',
  docs: 'docs',
  资料: 'docs',
  doc: 'doc',
  提交资料: 'doc',
  due: 'due',
  截止: 'due',
  handover: 'handover',
  移交: 'handover',
  remind: 'remind',
  催办: 'remind',
  submit: 'submit',
  提交: 'submit',
  stats: 'stats',
  统计: 'stats',
  transfer: 'transfer',
  转交: 'transfer',
  reassign: 'reassign',
  改派: 'reassign',
  addsign: 'addsign',
  加签: 'addsign',
  unsign: 'unsign',
  撤销加签: 'unsign',
  sendback: 'sendback',
  退回: 'sendback',
  revoke: 'revoke',
  撤销: 'revoke',
  撤销同意: 'revoke',
  delegate: 'delegate',
  代理: 'delegate',
  comment: 'comment',
  评论: 'comment',
  cc: 'cc',
  抄送: 'cc',
  urge: 'urge',
  催促: 'urge',
  'approve-all': 'approveAll',
  approveall: 'approveAll',
  批量同意: 'approveAll',
  全部同意: 'approveAll',
  who: 'who',
  谁审批: 'who',
  谁处理: 'who',
};

/** Fewest words after the registration number (an optional task number comes on top). */
const OP_MIN_WORDS: Record<Op, number> = { transfer: 1, reassign: 1, addsign: 2, unsign: 1, sendback: 2, revoke: 0 };
const OP_MISSING: Record<Op, string> = {
  transfer: '缺少转交对象（人员 id 或姓名）',
  reassign: '缺少改派对象（人员 id 或姓名）',
  addsign: '需要加签人员和方式（before 前加签 / after 后加签 / with 会签）',
  unsign: '缺少要撤销的加签人员',
  sendback: '需要退回到的步骤和原因',
  revoke: '',
};

/** A subflow command of the process definition (e.g. /defect, alias /缺陷). */
export interface SubflowCommand {
  id: string;
  command: string;
  aliases: string[];
  name: string;
}

/** Chinese keys accepted as aliases of the public keys. */
const KEY_ALIASES: Record<string, string> = {
  名称: 'name',
  项目名称: 'name',
  客户: 'customer',
  类型: 'kind',
  区域: 'region',
  合同: 'contract',
  合同编号: 'contract',
  签约: 'signed',
  已签约: 'signed',
  首付款: 'paid',
  需求表: 'req',
  方案: 'solution',
  登记表: 'form',
};

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '「': '」' };

/** Splits on white space; quotes group words (also inside key="a b"). Unclosed quotes are an error. */
export function tokenize(input: string): string[] | { error: string } {
  const tokens: string[] = [];
  let cur = '';
  let inToken = false;
  let close: string | null = null;
  for (const ch of input) {
    if (close !== null) {
      if (ch === close) close = null;
      else cur += ch;
    } else if (QUOTES[ch] !== undefined) {
      close = QUOTES[ch] ?? null;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (close !== null) return { error: `引号未闭合：缺少 ${close}` };
  if (inToken) tokens.push(cur);
  return tokens;
}

function keyValues(tokens: string[]): Record<string, string> | { error: string } {
  const out: Record<string, string> = {};
  for (const t of tokens) {
    const m = /^([^=＝]+)[=＝](.*)$/s.exec(t);
    if (!m?.[1]) return { error: `无法识别“${t}”：参数应写成 字段=值，如 customer=某集团` };
    const raw = m[1].trim();
    const key = KEY_ALIASES[raw] ?? raw.toLowerCase();
    if (key in out) return { error: `${key}= 写了两次，每个字段只写一次` };
    out[key] = m[2] ?? '';
  }
  return out;
}

const fail = (cmd: CommandName, problem: string): ParseResult => ({
  ok: false,
  error: `${problem}\n用法：${USAGE[cmd]}`,
});

/** Parses a slash command. Returns null when the text is not a command at all. */
export function parseSlash(text: string, subflows: readonly SubflowCommand[] = []): ParseResult | null {
  const trimmed = text.trim().replace(/^／/, '/');
  if (!trimmed.startsWith('/')) return null;
  const tokens = tokenize(trimmed.slice(1));
  const name = Array.isArray(tokens) ? tokens[0] : trimmed.slice(1).split(/\s+/)[0];
  const lower = (name ?? '').toLowerCase();
  const sub = subflows.find((s) => s.command === lower || s.aliases.includes(name ?? ''));
  if (sub) return parseRaise(sub, Array.isArray(tokens) ? tokens.slice(1) : tokens);
  const cmd = ALIASES[lower];
  if (!cmd) return { ok: false, error: `未知命令 /${[...(name ?? '')].slice(0, 40).join('')}。\n${HELP_TEXT}` };
  if (!Array.isArray(tokens)) return fail(cmd, tokens.error);
  const args = tokens.slice(1);

  let candidate: unknown;
  switch (cmd) {
    case 'help':
    case 'mine':
    case 'stats':
    case 'approveAll':
      if (cmd === 'approveAll' && args.length)
        return fail(cmd, '无需参数：/approve-all 处理我待办中所有无需表单的审批');
      candidate = { type: cmd };
      break;
    case 'urge':
      if (args.length !== 1) return fail(cmd, args.length === 0 ? '缺少登记号' : '参数过多：只需要一个登记号');
      candidate = { type: cmd, regNo: args[0] };
      break;
    case 'comment':
      if (args.length === 0) return fail(cmd, '缺少登记号');
      if (args.length === 1) return fail(cmd, '缺少评论内容');
      candidate = { type: 'comment', regNo: args[0], text: args.slice(1).join(' ') };
      break;
    case 'cc':
      if (args.length !== 2) return fail(cmd, args.length < 2 ? '需要登记号和抄送人（姓名或账号）' : '一次抄送一人');
      candidate = { type: 'cc', regNo: args[0], person: args[1] };
      break;
    case 'who': {
      if (args.length === 0) return fail(cmd, '缺少登记号或项目条件');
      if (args.length === 1 && !/[=＝]/.test(args[0] ?? '')) {
        candidate = { type: 'who', regNo: args[0] };
        break;
      }
      const sample = keyValues(args);
      if ('error' in sample) return fail(cmd, sample.error as string);
      candidate = { type: 'who', sample };
      break;
    }
    case 'register': {
      if (args.length === 0) {
        candidate = { type: 'registerForm' };
        break;
      }
      const fields = keyValues(args);
      if ('error' in fields) return fail(cmd, fields.error as string);
      candidate = { type: 'register', fields };
      break;
    }
    case 'status':
    case 'withdraw':
    case 'docs':
    case 'remind':
      if (args.length !== 1) return fail(cmd, args.length === 0 ? '缺少登记号' : '参数过多：只需要一个登记号');
      candidate = { type: cmd, regNo: args[0] };
      break;
    case 'resubmit': {
      if (args.length === 0) return fail(cmd, '缺少登记号');
      const changes = keyValues(args.slice(1));
      if ('error' in changes) return fail(cmd, changes.error as string);
      candidate = { type: 'resubmit', regNo: args[0], ...(args.length > 1 ? { changes } : {}) };
      break;
    }
    case 'approve': {
      if (args.length === 0) return fail(cmd, '缺少登记号');
      const rest = args.slice(1);
      const kv = keyValues(rest.filter((a) => /[=＝]/.test(a)));
      if ('error' in kv) return fail(cmd, kv.error as string);
      const comment = rest.filter((a) => !/[=＝]/.test(a)).join(' ');
      candidate = {
        type: 'approve',
        regNo: args[0],
        ...(comment ? { comment } : {}),
        ...(Object.keys(kv).length ? { fields: kv } : {}),
      };
      break;
    }
    case 'doc':
      if (args.length !== 3) return fail(cmd, '需要三个参数：登记号、资料编号、链接');
      candidate = { type: 'doc', regNo: args[0], doc: args[1], link: args[2] };
      break;
    case 'due':
      if (args.length !== 3 && args.length !== 4) return fail(cmd, '需要登记号、资料编号、截止日期，可选负责人');
      candidate = { type: 'due', regNo: args[0], doc: args[1], date: args[2], ...(args[3] ? { owner: args[3] } : {}) };
      break;
    case 'handover': {
      if (args.length === 0) return fail(cmd, '缺少登记号');
      const kv = keyValues(args.slice(1));
      if ('error' in kv) return fail(cmd, kv.error as string);
      const unknown = Object.keys(kv).filter((k) => k !== 'operated');
      if (unknown.length) return fail(cmd, `未知字段：${unknown.join(', ')}（可用：operated=yes|no）`);
      candidate = { type: 'handover', regNo: args[0], ...(kv.operated ? { operated: kv.operated } : {}) };
      break;
    }
    case 'submit': {
      if (args.length === 0) return fail(cmd, '缺少登记号');
      const rest = args.slice(1);
      const kv = keyValues(rest.filter((a) => /[=＝]/.test(a)));
      if ('error' in kv) return fail(cmd, kv.error as string);
      const task = rest.filter((a) => !/[=＝]/.test(a));
      if (task.length > 1) return fail(cmd, `无法识别 "${task.slice(1).join(' ')}"：参数应写成 字段=值`);
      const no = task[0] !== undefined && /^\d+$/.test(task[0]) ? Number(task[0]) : task[0];
      candidate = { type: 'submit', regNo: args[0], ...(no !== undefined ? { task: no } : {}), fields: kv };
      break;
    }
    case 'transfer':
    case 'reassign':
    case 'addsign':
    case 'unsign':
    case 'sendback':
    case 'revoke': {
      if (args.length === 0) return fail(cmd, '缺少登记号');
      // The words are read by the use case, which knows the project: a leading number may be a task or a step.
      const words = args.slice(1);
      if (words.length < OP_MIN_WORDS[cmd]) return fail(cmd, OP_MISSING[cmd]);
      if (cmd === 'revoke' && words.length > 1) return fail(cmd, '参数过多：只需要登记号，可选任务编号');
      candidate = { type: 'op', op: cmd, regNo: args[0], args: words };
      break;
    }
    case 'delegate':
      candidate = { type: 'delegate', args };
      break;
    case 'reject':
      if (args.length === 0) return fail(cmd, '缺少登记号');
      if (args.length === 1) return fail(cmd, '驳回必须填写原因');
      candidate = { type: 'reject', regNo: args[0], reason: args.slice(1).join(' ') };
      break;
  }
  const parsed = IntentSchema.safeParse(candidate);
  if (!parsed.success) return fail(cmd, describeIssues(parsed.error.issues).join('\n'));
  return { ok: true, intent: parsed.data };
}

/** `/defect <登记号> 描述 [key=value …]`: words that are not key=value pairs are the title. */
function parseRaise(sub: SubflowCommand, tokens: string[] | { error: string }): ParseResult {
  const usage = `/${sub.command} <登记号> <描述> [字段=值 …]（别名 ${sub.aliases.map((a) => `/${a}`).join(' ')}）— 发起${sub.name}`;
  const failRaise = (problem: string): ParseResult => ({ ok: false, error: `${problem}\n用法：${usage}` });
  if (!Array.isArray(tokens)) return failRaise(tokens.error);
  if (tokens.length === 0) return failRaise('缺少登记号');
  const rest = tokens.slice(1);
  const kv = keyValues(rest.filter((a) => /[=＝]/.test(a)));
  if ('error' in kv) return failRaise(kv.error as string);
  const title = rest.filter((a) => !/[=＝]/.test(a)).join(' ');
  const fields = { ...(title ? { title } : {}), ...kv };
  const parsed = IntentSchema.safeParse({ type: 'raise', regNo: tokens[0], kind: sub.id, fields });
  if (!parsed.success) return failRaise(describeIssues(parsed.error.issues).join('\n'));
  return { ok: true, intent: parsed.data };
}
