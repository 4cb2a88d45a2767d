/**
 * The neutral card model. Cards are built from workflow state by pure functions in `cards/`;
 * each platform renders a CardModel in `src/platforms/<p>/render-card.ts`. Nothing here knows a platform.
 */
export type CardColor = 'blue' | 'green' | 'red' | 'orange' | 'grey' | 'purple';

import type { ButtonValue } from '../src/domain/button-value';

/** The value a button carries: an intent in the shape of IntentSchema (`{ v: 1, type, ... }`), see ButtonValue. */
export type ActionValue = ButtonValue;

export interface CardButton {
  label: string;
  style: 'primary' | 'danger' | 'default';
  value: ActionValue;
  disabled?: boolean;
  /**
   * Final or dangerous actions (withdraw, reject) ask before they are sent: Feishu shows its native `confirm`
   * dialog, the simulator a second click; DingTalk and WeCom have no confirmation on a button (see README, Cards).
   */
  confirm?: { title: string; text: string };
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
  /** Why the value last submitted was refused, shown next to the field (the form is re-rendered with the values). */
  error?: string;
}

/** A form with inputs and one submit button; on submit the button's value is sent with the field values. */
export interface CardForm {
  name: string;
  fields: FormField[];
  submit: CardButton;
  /** A refusal not tied to one field, shown above the submit button. */
  error?: string;
}

/**
 * Inline text as the card places it. A plain string is literal text: every renderer escapes each markup character
 * in it (markdown, `<at …>` / `<@…>` mentions, HTML), so user input shows as typed and never becomes a mention,
 * a line break, emphasis or a link. Links and emphasis exist only as spans a card builder puts there (cards/rich.ts).
 */
export type Span = string | { strong: string } | { link: string; url: string };
export type Rich = string | readonly Span[];

/** A note on a history entry, labelled by what it is: 意见, 原因 (rejections only), 资料链接, 截止日期, 填写, 修改… */
export interface HistoryNote {
  label: string;
  text: Rich;
  /** A rejection's reason: renderers may set it apart (red). */
  rejection?: boolean;
}

export type CardBlock =
  /**
   * What the viewer is asked to do now (`todo`), or that nothing is asked and who holds the project now. The first
   * block of a project card; every platform shows it prominently.
   */
  | { type: 'ask'; text: Rich; todo: boolean }
  | { type: 'fields'; fields: { label: string; value: Rich }[] }
  /** Lines of inline text (one entry per line), e.g. a list of items. */
  | { type: 'rich'; lines: Rich[] }
  /** App-authored constant markdown only (passed through as is): never interpolate user text into it; use `rich`. */
  | { type: 'markdown'; text: string }
  | { type: 'checklist'; title: string; items: { text: Rich; checked: boolean | null }[] }
  /**
   * `omitted`: older entries left out to fit a size budget (cards/fit.ts); renderers then show a "…" line.
   * `folded`: the history is shown closed (Feishu `collapsible_panel`, the simulator's <details>); platforms that
   * cannot fold (DingTalk, WeCom) show the newest entry and `hint` (e.g. "发送 /status … 查看全部").
   */
  | {
      type: 'history';
      title: string;
      entries: { at: Date; who: string; what: string; note?: HistoryNote }[];
      omitted?: number;
      folded?: boolean;
      hint?: string;
    }
  | { type: 'note'; text: string }
  | { type: 'divider' };

export interface CardModel {
  header: { title: string; subtitle?: string; color: CardColor };
  blocks: CardBlock[];
  /** Buttons the viewer may use. Empty when nothing is left to do: the card is then read-only. */
  actions: CardButton[];
  forms: CardForm[];
}
