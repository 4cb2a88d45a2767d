// The page's shell around the chat: the people drawer on narrow screens, toasts that belong to the person who acted,
// and each person's unsent text (chat box and card forms), so switching person never shows someone else's.
import { el, lines } from './cards.js';

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);

// ── drawer (≤ 760 px: the people list slides in over the chat) ─────────────────────────────────────────────────────

export function setDrawer(open) {
  document.body.dataset.drawer = open ? 'open' : 'closed';
  $('drawer-toggle').setAttribute('aria-expanded', String(open));
  // Opened: the person acted as is in view (the list is longer than a phone screen).
  if (open)
    document
      .querySelector('[data-testid="person"].acting, [data-testid="person"].current')
      ?.scrollIntoView({ block: 'nearest' });
}

export function initDrawer() {
  setDrawer(false);
  $('drawer-toggle').addEventListener('click', () => setDrawer(document.body.dataset.drawer !== 'open'));
  $('drawer-backdrop').addEventListener('click', () => setDrawer(false));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') setDrawer(false);
  });
}

// ── toasts ─────────────────────────────────────────────────────────────────────────────────────────────────────────

let toastSeq = 0;
let shownFor = null;

/**
 * Shows a toast. `owner` is the person whose action it answers: it is shown only while they are the one acted as
 * (and again when you switch back, until it times out). `null` = about the page itself, shown to everyone.
 */
export function toast({ type, text }, owner = null) {
  toastSeq += 1;
  const node = el(
    'div',
    {
      class: `toast toast-${type}`,
      'data-testid': 'toast',
      'data-type': type,
      'data-seq': toastSeq,
      'data-owner': owner ?? '',
      role: 'status',
      hidden: owner !== null && owner !== shownFor,
    },
    lines(text),
  );
  node.addEventListener('click', () => node.remove());
  $('toasts').dataset.seq = String(toastSeq);
  $('toasts').append(node);
  setTimeout(() => node.remove(), type === 'error' || type === 'warning' ? 10_000 : 5_000);
}

/** The person acted as changed: show only their toasts (and the page's own). */
export function showToastsOf(userId) {
  shownFor = userId;
  for (const node of $('toasts').children) node.hidden = node.dataset.owner !== '' && node.dataset.owner !== userId;
}

// ── drafts ─────────────────────────────────────────────────────────────────────────────────────────────────────────

const DRAFTS_KEY = 'handoff.local.drafts';
/** `<person>\u0000<conversation>` → unsent chat text; kept for the tab's life (sessionStorage). */
const drafts = new Map(Object.entries(JSON.parse(sessionStorage.getItem(DRAFTS_KEY) ?? '{}')));
/** message id → field name → typed value, for card forms not yet sent. Memory only: cards change after a restart. */
const formDrafts = new Map();
const draftKey = (me, view) => `${me}\u0000${view}`;

function saveDrafts() {
  sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(Object.fromEntries(drafts)));
}

export function saveDraft(me, view, text) {
  if (!me || !view) return;
  if (text) drafts.set(draftKey(me, view), text);
  else drafts.delete(draftKey(me, view));
  saveDrafts();
}

export function draftOf(me, view) {
  return drafts.get(draftKey(me, view)) ?? '';
}

/** Records what is typed into a card's form (an `input`/`change` event anywhere in the chat pane). */
export function recordFormInput(event) {
  const field = event.target;
  const card = field.closest?.('[data-testid="card"]');
  const form = field.closest?.('[data-testid="card-form"]');
  if (!card || !form || !field.name) return;
  const id = card.dataset.messageId;
  if (!formDrafts.has(id)) formDrafts.set(id, {});
  formDrafts.get(id)[`${form.dataset.form}.${field.name}`] = field.value;
}

/** Puts typed values back into a freshly drawn card (after switching person, or when the card was updated). */
export function restoreForms(cardEl) {
  const typed = formDrafts.get(cardEl.dataset.messageId);
  if (!typed) return;
  for (const form of cardEl.querySelectorAll('[data-testid="card-form"]')) {
    for (const field of form.elements) {
      const key = `${form.dataset.form}.${field.name}`;
      if (field.name && Object.hasOwn(typed, key)) field.value = typed[key];
    }
  }
}

/** The card's action went through: what was typed into it is spent. */
export function forgetForms(messageId) {
  formDrafts.delete(messageId);
}
