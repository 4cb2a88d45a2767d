import type { ActionValue, CardModel } from './model';

/**
 * What a person typed into a card form that was refused: the submitted values, and the refusal placed next to the
 * field it is about (`field`) or above the submit button. Re-rendering the card with it keeps every typed value.
 */
export interface FormDraft {
  /** The submit button's value of the form that was sent (identifies the form on the re-rendered card). */
  action: Record<string, unknown>;
  values: Record<string, string | string[]>;
  error: string;
  field?: string;
}

const sameAction = (a: ActionValue, b: Record<string, unknown>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The card with the draft's values typed into its form and the error shown; unchanged when the form is gone. */
export function withDraft(card: CardModel, draft: FormDraft | undefined): CardModel {
  if (!draft) return card;
  const i = card.forms.findIndex((f) => sameAction(f.submit.value, draft.action));
  const form = card.forms[i];
  if (!form) return card;
  const onField = form.fields.some((f) => f.name === draft.field);
  const fields = form.fields.map((f) => {
    const typed = draft.values[f.name];
    const initial = typed === undefined ? f.initial : Array.isArray(typed) ? typed.join(',') : typed;
    return {
      ...f,
      ...(initial !== undefined ? { initial } : {}),
      ...(onField && f.name === draft.field ? { error: draft.error } : {}),
    };
  });
  const forms = [...card.forms];
  forms[i] = { ...form, fields, ...(onField ? {} : { error: draft.error }) };
  return { ...card, forms };
}
