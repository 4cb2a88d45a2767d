import type { ProjectFacts } from '../project';
import type { Condition } from './definition';
import type { FieldValue } from './state';

/** What a condition may look at: the project's facts and the answers of earlier forms (by reference). */
export interface ConditionContext {
  facts: ProjectFacts;
  /** `taskId.fieldId` (the latest done instance in the same scope) or `approval.<role>.<field>`. */
  answer(ref: string): FieldValue | undefined;
}

const same = (value: FieldValue | undefined, expected: string | boolean): boolean => {
  if (value === undefined) return false;
  if (typeof expected === 'boolean') return value === expected;
  return Array.isArray(value) ? value.length === 1 && value[0] === expected : String(value) === expected;
};

/** Evaluates a condition; an unknown fact or a missing answer is false (never an error at run time). */
export function evaluate(c: Condition, ctx: ConditionContext): boolean {
  if ('all' in c) return c.all.every((x) => evaluate(x, ctx));
  if ('any' in c) return c.any.some((x) => evaluate(x, ctx));
  if ('not' in c) return !evaluate(c.not, ctx);
  if ('fact' in c) {
    const value = (ctx.facts as unknown as Record<string, FieldValue | undefined>)[c.fact];
    return same(value, c.is);
  }
  const value = ctx.answer(c.answer);
  if ('has' in c) return Array.isArray(value) ? value.includes(c.has) : value === c.has;
  return same(value, c.is);
}
