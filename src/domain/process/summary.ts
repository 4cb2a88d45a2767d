import { displayName, type OrgView } from '../org';
import type { FormDef } from './definition';
import type { Answers, FieldValue } from './state';

/** One value in words: a choice's label, a person's name, 是/否. */
export function valueText(form: FormDef | undefined, id: string, v: FieldValue, org: OrgView): string {
  const f = form?.fields.find((x) => x.id === id);
  const one = (s: string) =>
    f?.kind === 'person' ? displayName(org, s) : (f?.options?.find((o) => o.value === s)?.label ?? s);
  if (typeof v === 'boolean') return f?.kind === 'check' ? (v ? '已核对' : '未核对') : v ? '是' : '否';
  if (Array.isArray(v)) return v.length ? v.map(one).join('、') : '无';
  return one(v);
}

/** The answers of a form in one line for the history: "确认方式：圆桌会议；《需求确认单》链接：https://…". */
export function summarize(form: FormDef | undefined, answers: Answers, org: OrgView): string {
  return (form?.fields ?? [])
    .filter((f) => answers[f.id] !== undefined && f.kind !== 'check')
    .map((f) => `${f.label}：${valueText(form, f.id, answers[f.id] as FieldValue, org)}`)
    .join('；');
}
