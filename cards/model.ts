/**
 * The neutral card model. Cards are built from workflow state by pure functions in `cards/`;
 * each platform renders a CardModel in `src/platforms/<p>/render-card.ts`. Nothing here knows a platform.
 */
export type CardColor = 'blue' | 'green' | 'red' | 'orange' | 'grey' | 'purple';

/** The value a button carries: an intent in the shape of IntentSchema (`{ v: 1, type, ... }`). */
export type ActionValue = { v: 1; type: string } & Record<string, string | number | boolean>;

export interface CardButton {
  label: string;
  style: 'primary' | 'danger' | 'default';
  value: ActionValue;
  disabled?: boolean;
}

export interface FormField {
  name: string;
  label: string;
  kind: 'text' | 'select';
  required: boolean;
  placeholder?: string;
  options?: { value: string; label: string }[];
  /** select: several choices may be picked (platforms without a multi-select show a text input instead). */
  multiple?: boolean;
  initial?: string;
}

/** A form with inputs and one submit button; on submit the button's value is sent with the field values. */
export interface CardForm {
  name: string;
  fields: FormField[];
  submit: CardButton;
}

export type CardBlock =
  | { type: 'fields'; fields: { label: string; value: string }[] }
  | { type: 'markdown'; text: string }
  | { type: 'checklist'; title: string; items: { text: string; checked: boolean | null }[] }
  | { type: 'history'; title: string; entries: { at: Date; who: string; what: string; reason?: string }[] }
  | { type: 'note'; text: string }
  | { type: 'divider' };

export interface CardModel {
  header: { title: string; subtitle?: string; color: CardColor };
  blocks: CardBlock[];
  /** Buttons the viewer may use. Empty when nothing is left to do: the card is then read-only. */
  actions: CardButton[];
  forms: CardForm[];
}
