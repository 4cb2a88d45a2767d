// CardModel (cards/model.ts) → DOM, the local platform's renderer. Text always goes in as text nodes: nothing from a
// message is ever parsed as HTML. Inline text (Rich) is a string (literal text, never parsed) or spans: plain,
// { strong }, { link, url } (a link only for http(s) URLs). Only app-authored `markdown` blocks are read as markdown
// (**bold**, [text](url), line breaks).

/** Creates an element with attributes (`class`, `data-*`, …) and children (nodes or strings, as text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

function safeUrl(url) {
  return /^https?:\/\//i.test(url) ? url : null;
}

/** One line of markdown → nodes. */
function inline(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) {
      out.push(el('strong', {}, inline(m[1])));
    } else {
      const href = safeUrl(m[3]);
      out.push(href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, m[2]) : m[0]);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Markdown text → a fragment, one line per line of the source. */
export function markdown(text) {
  const frag = document.createDocumentFragment();
  String(text)
    .split('\n')
    .forEach((line, i) => {
      if (i > 0) frag.append(el('br'));
      frag.append(...inline(line));
    });
  return frag;
}

/** Inline text (cards/model.ts Rich) → nodes: strings as text, emphasis as <strong>, http(s) links as <a>. */
export function rich(value) {
  const spans = Array.isArray(value) ? value : [String(value ?? '')];
  return spans.map((s) => {
    if (typeof s === 'string') return s;
    if (s && typeof s.strong === 'string') return el('strong', {}, s.strong);
    if (s && typeof s.link === 'string') {
      const href = typeof s.url === 'string' ? safeUrl(s.url) : null;
      return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, s.link) : s.link;
    }
    return '';
  });
}

/** Plain text with its line breaks kept. */
export function lines(text) {
  const frag = document.createDocumentFragment();
  String(text)
    .split('\n')
    .forEach((line, i) => {
      if (i > 0) frag.append(el('br'));
      frag.append(line);
    });
  return frag;
}

const timeFormats = new Map();

/** `YYYY-MM-DD HH:mm` in the company's time zone (Asia/Shanghai by default). */
export function formatTime(iso, timeZone) {
  let fmt = timeFormats.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(timeZone, fmt);
  }
  const parts = {};
  for (const p of fmt.formatToParts(new Date(iso))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** Checklist marks (Feishu shows ✅ ⬜ ➖), drawn with CSS so they do not depend on an emoji font. */
const CHECK_MARKS = {
  true: { text: '✓', label: '已满足' },
  false: { text: '', label: '未满足' },
  null: { text: '–', label: '需人工核对' },
};

function block(b, timeZone) {
  switch (b.type) {
    case 'fields':
      return el(
        'dl',
        { class: 'card-fields', 'data-testid': 'card-fields' },
        b.fields.map((f) =>
          el(
            'div',
            { class: 'card-field', 'data-label': f.label },
            el('dt', {}, f.label),
            el('dd', { 'data-testid': 'field-value' }, rich(f.value)),
          ),
        ),
      );
    case 'markdown':
      return el('div', { class: 'card-markdown', 'data-testid': 'card-markdown' }, markdown(b.text));
    case 'rich':
      return el(
        'div',
        { class: 'card-markdown', 'data-testid': 'card-markdown' },
        b.lines.flatMap((line, i) => (i > 0 ? [el('br'), ...rich(line)] : rich(line))),
      );
    case 'checklist':
      return el(
        'div',
        { class: 'card-checklist', 'data-testid': 'card-checklist' },
        el('div', { class: 'block-title' }, b.title),
        el(
          'ul',
          {},
          b.items.map((it) =>
            el(
              'li',
              { 'data-checked': String(it.checked) },
              el(
                'span',
                {
                  class: 'mark',
                  'aria-label': CHECK_MARKS[String(it.checked)].label,
                  title: CHECK_MARKS[String(it.checked)].label,
                },
                CHECK_MARKS[String(it.checked)].text,
              ),
              rich(it.text),
            ),
          ),
        ),
      );
    case 'ask':
      return el('div', { class: 'card-ask', 'data-testid': 'card-ask', 'data-todo': b.todo === true }, rich(b.text));
    case 'history': {
      const entries = el(
        'ol',
        {},
        [...b.entries]
          .sort((x, y) => Date.parse(x.at) - Date.parse(y.at))
          .map((e) =>
            el(
              'li',
              { 'data-testid': 'history-entry' },
              el('time', { datetime: e.at }, formatTime(e.at, timeZone)),
              el('span', { class: 'who' }, e.who),
              el('span', { class: 'what' }, e.what),
              e.note
                ? el('span', { class: e.note.rejection ? 'reason' : 'note' }, `${e.note.label}：`, rich(e.note.text))
                : null,
            ),
          ),
      );
      // A folded history opens with one tap (like Feishu's collapsible panel).
      return b.folded
        ? el(
            'details',
            { class: 'card-history', 'data-testid': 'card-history' },
            el('summary', { class: 'block-title' }, b.title),
            entries,
          )
        : el(
            'div',
            { class: 'card-history', 'data-testid': 'card-history' },
            el('div', { class: 'block-title' }, b.title),
            entries,
          );
    }
    case 'note':
      return el('div', { class: 'card-note', 'data-testid': 'card-note' }, lines(b.text));
    case 'divider':
      return el('hr', { class: 'card-divider' });
    default:
      return el('div', { class: 'card-unknown' }, `（不支持的内容：${b.type}）`);
  }
}

function button(b, type = 'button') {
  return el(
    'button',
    {
      type,
      class: `btn btn-${b.style}`,
      'data-testid': 'card-button',
      'data-label': b.label,
      'data-confirm': b.confirm ? 'true' : null,
      title: b.label,
      disabled: b.disabled === true,
    },
    b.label,
  );
}

let fieldSeq = 0;

function formField(f, formName) {
  fieldSeq += 1;
  const id = `${formName}-${f.name}-${fieldSeq}`;
  const label = el('label', { for: id }, f.label, f.required ? el('span', { class: 'required' }, ' *') : null);
  let input;
  if (f.kind === 'select') {
    const options = [el('option', { value: '' }, f.placeholder ?? '请选择…')];
    for (const o of f.options ?? []) options.push(el('option', { value: o.value }, o.label));
    input = el('select', { id, name: f.name, 'data-testid': `form-field-${f.name}`, 'data-kind': 'select' }, options);
  } else {
    input = el('input', {
      id,
      name: f.name,
      type: 'text',
      placeholder: f.placeholder ?? '',
      'data-testid': `form-field-${f.name}`,
      'data-kind': 'text',
    });
  }
  if (f.initial !== undefined) input.value = f.initial;
  const error = f.error
    ? el('div', { class: 'field-error', 'data-testid': 'field-error', role: 'alert' }, f.error)
    : null;
  if (error) input.classList.add('invalid');
  return el('div', { class: 'form-row', 'data-required': f.required }, label, input, error);
}

/** Client-side `required`: returns the values, or null after showing which fields are missing. */
function collect(formEl, form) {
  const values = {};
  const missing = [];
  for (const f of form.fields) {
    const input = formEl.elements.namedItem(f.name);
    const value = input ? input.value : '';
    values[f.name] = value;
    const empty = value.trim() === '';
    input?.classList.toggle('invalid', f.required && empty);
    if (f.required && empty) missing.push(`${f.kind === 'select' ? '请选择' : '请填写'}「${f.label}」`);
  }
  const error = formEl.querySelector('.form-error');
  error.textContent = missing.join('；');
  error.hidden = missing.length === 0;
  return missing.length ? null : values;
}

/**
 * A button with `confirm` (withdraw, reject) asks first: the first click turns it into "<title>再点一次确认", the
 * second sends. Returns true when the click may go on.
 */
function confirmed(node, b) {
  if (!b.confirm || node.dataset.armed === 'true') return true;
  node.dataset.armed = 'true';
  node.textContent = `${b.confirm.title}再点一次确认`;
  node.title = b.confirm.text;
  return false;
}

function renderForm(form, onAction) {
  const error = el(
    'div',
    { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: !form.error },
    form.error ?? '',
  );
  const formEl = el(
    'form',
    { class: 'card-form', 'data-testid': 'card-form', 'data-form': form.name, novalidate: true },
    form.fields.map((f) => formField(f, form.name)),
    error,
    el('div', { class: 'card-actions' }, button(form.submit, 'submit')),
  );
  formEl.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values = collect(formEl, form);
    if (values && confirmed(formEl.querySelector('button[type="submit"]'), form.submit)) onAction(form.submit, values);
  });
  formEl.addEventListener('input', (ev) => ev.target.classList?.remove('invalid'));
  return formEl;
}

/**
 * A card message → a DOM element. `onAction(button, formValues | undefined)` runs when a button is clicked or a
 * form submitted; the caller posts it as the selected person.
 */
export function renderCard(message, card, { timeZone, onAction }) {
  const closed = card.actions.length === 0 && card.forms.length === 0;
  const actions = card.actions.length
    ? el(
        'div',
        { class: 'card-actions', 'data-testid': 'card-actions' },
        card.actions.map((b) => {
          const node = button(b);
          node.addEventListener('click', () => {
            if (confirmed(node, b)) onAction(b, undefined);
          });
          return node;
        }),
      )
    : null;
  return el(
    'article',
    {
      class: `card card-${card.header.color}`,
      'data-testid': 'card',
      'data-message-id': message.id,
      'data-color': card.header.color,
      'data-closed': closed,
    },
    el(
      'header',
      { class: 'card-header', 'data-testid': 'card-header' },
      el('div', { class: 'card-title', 'data-testid': 'card-title' }, card.header.title),
      card.header.subtitle
        ? el('div', { class: 'card-subtitle', 'data-testid': 'card-subtitle' }, card.header.subtitle)
        : null,
    ),
    el(
      'div',
      { class: 'card-body' },
      card.blocks.map((b) => block(b, timeZone)),
      actions,
      card.forms.map((f) => renderForm(f, onAction)),
    ),
  );
}

/** Disables every control of a card while its click is on its way (a second click would be a duplicate). */
export function setPending(cardEl, pending) {
  cardEl.classList.toggle('pending', pending);
  for (const c of cardEl.querySelectorAll('button, input, select')) {
    if (pending) {
      c.dataset.wasDisabled = String(c.disabled);
      c.disabled = true;
    } else if (c.dataset.wasDisabled !== undefined) {
      c.disabled = c.dataset.wasDisabled === 'true';
      delete c.dataset.wasDisabled;
    }
  }
}
