import { z } from 'zod';
import { PROJECT_KINDS } from '../domain/project';

/** Registration numbers look like HO-2026-0001; typed ones are upper-cased and trimmed. */
export const RegNoSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{1,8}-\d{4}-\d{4,}$/, '登记号格式应为 HO-2026-0001 这样');

const YES = ['yes', 'y', 'true', '1', '是', '已签', '已付', '已回款'];
const NO = ['no', 'n', 'false', '0', '否', '未签', '未付', '未回款'];
const YesNo = z.union([z.boolean(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (YES.includes(s)) return true;
  if (NO.includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: '应为 是 或 否' });
  return z.NEVER;
});

/** Only absolute http(s) URLs with a host: `javascript:`, `data:`, `file:` … are refused at input. */
function isHttpLink(v: string): boolean {
  if (!/^https?:\/\/[^\s/?#]+\S*$/i.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

const Link = z
  .string()
  .trim()
  .max(2000, '链接过长（最多 2000 字符）')
  .refine(isHttpLink, '应为以 http:// 或 https:// 开头的文档链接，如 https://docs.example.com/…');

const Text = (max: number) => z.string().trim().min(1, '不能为空').max(max, `最多 ${max} 个字符`);
/** A one-line field (name, customer …): line breaks and runs of spaces become one space, so no text can add lines. */
const Line = (max: number) => Text(max).transform((v) => v.replace(/\s+/g, ' '));

/** The registration fields, shared by the typed command and the card form. Keys are the public command keys. */
export const RegisterFieldsSchema = z
  .object({
    name: Line(100),
    customer: Line(100),
    kind: z.enum(PROJECT_KINDS, { error: '应为 项目类 或 SaaS 类' }),
    region: Line(32),
    contract: Line(64),
    signed: YesNo,
    paid: YesNo,
    req: Link.optional(),
    solution: Link.optional(),
    form: Link,
    /** Includes parts that need operation (服务运营型); saas projects always do. */
    operated: YesNo.optional(),
    /** To be deployed on company cloud servers (3.8). */
    cloud: YesNo.optional(),
  })
  .strict();
export type RegisterFields = z.infer<typeof RegisterFieldsSchema>;
export const REGISTER_KEYS = Object.keys(RegisterFieldsSchema.shape) as (keyof RegisterFields)[];

/** Free-form fields of a form (validated by the workflow against the process definition's form). */
const Value = z.string().max(2000, '内容过长（最多 2000 字符）');
const Fields = z.record(z.string().max(64), z.union([Value, z.array(Value).max(50)]));
const TaskRef = z.union([z.number().int().positive(), z.string().trim().min(1).max(64)]);
const Kind = z.string().trim().min(1).max(64);

/** Acceptance documents are numbered 1–7 as in the process document. */
const DocNo = z.coerce
  .number({ error: '资料编号应为数字（如 1–7）' })
  .int('资料编号应为数字（如 1–7）')
  .min(1, '资料编号应为数字（如 1–7）')
  .max(99, '资料编号应为数字（如 1–7）');

/** The approval operations (issue 13). */
export const OPS = ['transfer', 'reassign', 'addsign', 'unsign', 'sendback', 'revoke'] as const;
export type Op = (typeof OPS)[number];
const Words = z.array(z.string().trim().min(1).max(500, '内容过长（最多 500 字符）')).max(40);

const StepRef = {
  round: z.number().int().positive().optional(),
  step: z.number().int().nonnegative().optional(),
};

/** The one schema for slash commands and card buttons: both produce the same Intent. */
export const IntentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('register'), fields: RegisterFieldsSchema }),
  z.object({ type: z.literal('registerForm') }),
  z.object({ type: z.literal('status'), regNo: RegNoSchema }),
  z.object({ type: z.literal('mine') }),
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('help') }),
  z.object({ type: z.literal('resubmit'), regNo: RegNoSchema, changes: RegisterFieldsSchema.partial().optional() }),
  z.object({ type: z.literal('withdraw'), regNo: RegNoSchema }),
  /** A button that asks first, on platforms without a native confirmation (cards/confirm.card.ts). Cards only. */
  z.object({
    type: z.literal('confirm'),
    action: z.string().max(2000),
    title: z.string().max(100),
    text: z.string().max(300),
    label: z.string().max(40),
  }),
  z.object({
    type: z.literal('approve'),
    regNo: RegNoSchema,
    ...StepRef,
    comment: z.string().trim().max(500, '意见最多 500 个字符').optional(),
    /** The step's form: the commercial review's checklist and 外采, the executing department's setup … */
    fields: Fields.optional(),
  }),
  z.object({
    type: z.literal('reject'),
    regNo: RegNoSchema,
    ...StepRef,
    reason: z.string().trim().min(1, '驳回必须填写原因').max(500, '原因最多 500 个字符'),
  }),
  z.object({
    type: z.literal('task'),
    regNo: RegNoSchema,
    task: z.number().int().positive(),
    action: z.enum(['approve', 'reject', 'submit']),
    reason: z.string().trim().max(500, '原因最多 500 个字符').optional(),
    fields: Fields.optional(),
  }),
  /** Submits a task the user holds by typing: the one open submit task, or the one named by id or number. */
  z.object({ type: z.literal('submit'), regNo: RegNoSchema, task: TaskRef.optional(), fields: Fields }),
  /** Starts a subflow of the process definition (a defect, a support request, a cloud order …). */
  z.object({ type: z.literal('raise'), regNo: RegNoSchema, kind: Kind, fields: Fields }),
  z.object({ type: z.literal('raiseForm'), regNo: RegNoSchema, kind: Kind }),
  z.object({ type: z.literal('docs'), regNo: RegNoSchema }),
  z.object({
    type: z.literal('doc'),
    regNo: RegNoSchema,
    doc: DocNo,
    link: z.string().trim().min(1, '缺少链接').max(2000),
  }),
  z.object({
    type: z.literal('due'),
    regNo: RegNoSchema,
    doc: DocNo,
    date: z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'),
    owner: z.string().trim().min(1).optional(),
  }),
  z.object({ type: z.literal('handover'), regNo: RegNoSchema, operated: YesNo.optional() }),
  z.object({ type: z.literal('remind'), regNo: RegNoSchema }),
  /**
   * An approval operation on the current step or a task (see app/operation-intents.ts for how the words are read):
   * transfer 转交, reassign 改派, addsign 加签, unsign 撤销加签, sendback 退回, revoke 撤销同意.
   */
  z.object({
    type: z.literal('op'),
    op: z.enum(OPS),
    regNo: RegNoSchema,
    task: z.number().int().positive().optional(),
    args: Words,
  }),
  /** The 更多操作 card: the viewer's transfer, add-signer, send-back and revoke forms. */
  z.object({ type: z.literal('opsForm'), regNo: RegNoSchema }),
  /** /delegate: show, set (for oneself, or by an admin for someone) or end a delegation (代理). */
  z.object({ type: z.literal('delegate'), args: Words }),
  /** Operations around a step: comment, copy someone (抄送), the submitter's urge, batch approve, who decides. */
  z.object({
    type: z.literal('comment'),
    regNo: RegNoSchema,
    text: z.string().trim().min(1, '评论内容不能为空').max(1000, '评论最多 1000 个字符'),
  }),
  z.object({ type: z.literal('cc'), regNo: RegNoSchema, person: z.string().trim().min(1, '请写明抄送给谁').max(64) }),
  z.object({ type: z.literal('urge'), regNo: RegNoSchema }),
  z.object({ type: z.literal('approveAll') }),
  z.object({ type: z.literal('who'), regNo: RegNoSchema.optional(), sample: Fields.optional() }),
]);
export type Intent = z.infer<typeof IntentSchema>;
export type IntentType = Intent['type'];

export const FIELD_LABELS: Record<string, string> = {
  name: '项目名称',
  customer: '客户',
  kind: '项目类型',
  region: '区域',
  contract: '合同编号',
  signed: '合同已签',
  paid: '首付款已到',
  req: '用户需求采集表',
  solution: '售前解决方案',
  form: '项目实施登记表',
  operated: '含需运营部分',
  cloud: '公司云服务器部署',
  regNo: '登记号',
  reason: '驳回原因',
  doc: '资料编号',
  link: '链接',
  date: '截止日期',
  task: '任务',
  comment: '意见',
  text: '评论内容',
  person: '抄送人',
};

/** Turns zod issues into one Chinese line per field, naming the field. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const key = String(i.path.filter((p) => p !== 'fields' && p !== 'changes').at(-1) ?? '');
    if (i.code === 'unrecognized_keys')
      return `未知字段：${i.keys.join('、')}。可填的字段：${REGISTER_KEYS.map((k) => `${k}=`).join(' ')}`;
    if (i.code === 'invalid_type' && i.input === undefined) return `缺少「${FIELD_LABELS[key] ?? key}」`;
    return `「${FIELD_LABELS[key] ?? key}」${i.message}`;
  });
}
