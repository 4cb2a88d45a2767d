// The local simulator page: pick who you are, chat with the bot, click its cards. Live through server-sent events.
import { getJson, NeedTokenError, openStream, post, setToken } from './api.js';
import { el, lines, renderCard, setPending } from './cards.js';
import {
  draftOf,
  forgetForms,
  initDrawer,
  recordFormInput,
  restoreForms,
  saveDraft,
  setDrawer,
  showToastsOf,
  toast,
} from './shell.js';

const STORAGE_KEY = 'handoff.local.me';

const state = {
  people: [],
  groups: [],
  commands: [],
  timeZone: 'Asia/Shanghai',
  /** conversation id → Map(message id → message), in arrival order. */
  conversations: new Map(),
  /** The person acted as: typing and card clicks are theirs. */
  me: null,
  /** The conversation on screen: `dm:<me>` or a group chat id. */
  view: null,
  /** conversation id → Set of message ids the bot sent or changed while the pane was not on screen. */
  unread: new Map(),
  /** From the server: user id → what waits on them (steps, tasks, documents, resubmissions); `rev` orders updates. */
  pending: { rev: 0, pending: {} },
};

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const dm = (userId) => `dm:${userId}`;
const personById = (id) => state.people.find((p) => p.id === id);
const nameOf = (id) => personById(id)?.name ?? id;

// ── server ──────────────────────────────────────────────────────────────────────────────────────────────────────────

const setConnection = (ok, text) => {
  const node = $('connection');
  node.dataset.state = ok ? 'open' : 'closed';
  node.textContent = text;
};

/** Opens the event stream, then loads the snapshot; events that arrive meanwhile are replayed on top of it. */
async function connect() {
  let buffer = [];
  const abort = new AbortController();
  try {
    const stream = await openStream(
      '/api/local/events',
      (e) => {
        if (buffer) buffer.push(e);
        else applyEvent(e, true);
      },
      abort.signal,
    );
    loadSnapshot(await getJson('/api/local/bootstrap'));
    const pending = buffer;
    buffer = null;
    for (const e of pending) applyEvent(e, false);
    setConnection(true, '已连接 · 实时更新');
    renderAll();
    await stream.closed;
    setConnection(false, '连接断开，正在重连…');
  } catch (e) {
    abort.abort();
    if (e instanceof NeedTokenError) return askToken(e.message);
    setConnection(false, '连接断开，正在重连…');
    if (!(e instanceof TypeError)) toast({ type: 'error', text: `无法加载模拟器数据：${e.message}` });
  }
  setTimeout(() => void connect(), 2000);
}

/** The server wants the admin token (LOCAL_UI_TOKEN): ask once, then connect again. */
function askToken(message) {
  setConnection(false, '需要管理员令牌');
  const form = $('token-form');
  $('token-message').textContent = message;
  form.hidden = false;
  $('token-input').focus();
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('token-input').value.trim());
  $('token-input').value = '';
  $('token-form').hidden = true;
  void connect();
});

// ── state ───────────────────────────────────────────────────────────────────────────────────────────────────────────

function loadSnapshot(snap) {
  state.people = snap.people;
  state.groups = snap.groups;
  state.commands = snap.commands;
  state.timeZone = snap.timeZone;
  state.pending = snap.pending;
  state.conversations = new Map();
  for (const [id, messages] of Object.entries(snap.conversations)) {
    state.conversations.set(id, new Map(messages.map((m) => [m.id, m])));
  }
  // Message ids of a restarted server mean other messages: keep only the unread marks that still point somewhere.
  for (const [conv, ids] of state.unread) {
    const known = state.conversations.get(conv);
    for (const id of ids) if (!known?.has(id)) ids.delete(id);
  }
  const me = personById(state.me) ?? personById(localStorage.getItem(STORAGE_KEY)) ?? state.people[0];
  const first = state.me === null;
  state.me = me?.id ?? null;
  const viewOk = state.view && (state.view === dm(state.me) || state.groups.some((g) => g.id === state.view));
  if (!viewOk) state.view = state.me ? dm(state.me) : null;
  if (first) {
    $('composer-input').value = draftOf(state.me, state.view);
    showToastsOf(state.me);
  }
}

function applyEvent(e, live) {
  if (e.type === 'pending') {
    // A result computed before the snapshot (replayed from the buffer) is older than what the snapshot holds.
    if (e.rev <= state.pending.rev) return;
    state.pending = { rev: e.rev, pending: e.pending };
    if (live) {
      renderSidebar();
      renderHeader();
    }
    return;
  }
  const { type, message } = e;
  let conv = state.conversations.get(message.conversation);
  if (!conv) {
    conv = new Map();
    state.conversations.set(message.conversation, conv);
  }
  const isNew = !conv.has(message.id);
  conv.set(message.id, message);
  const onScreen = message.conversation === state.view;
  if (!onScreen && message.from === 'bot') {
    if (!state.unread.has(message.conversation)) state.unread.set(message.conversation, new Set());
    state.unread.get(message.conversation).add(message.id);
  }
  if (!live) return;
  if (onScreen) {
    if (isNew) appendMessage(message, type === 'message');
    else replaceMessage(message);
  }
  renderSidebar();
}

function select(view, me = state.me) {
  const input = $('composer-input');
  saveDraft(state.me, state.view, input.value);
  state.me = me;
  state.view = view;
  state.unread.delete(view);
  localStorage.setItem(STORAGE_KEY, me);
  input.value = draftOf(me, view);
  showToastsOf(me);
  setDrawer(false);
  renderAll();
  input.focus();
}

// ── rendering ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** The red badge: how many things wait on this person, from the server (so it survives a reload). */
function pendingBadge(userId) {
  const items = state.pending.pending[userId] ?? [];
  const title = items.map((i) => `${i.regNo} ${i.what}`).join('\n');
  const attrs = { class: 'badge', 'data-testid': 'pending-badge', hidden: items.length === 0, title };
  return el('span', { ...attrs, 'aria-label': `${items.length} 项待办` }, String(items.length));
}

/** A dot: the bot wrote here since the pane was last on screen. */
function unreadDot(convId) {
  const count = state.unread.get(convId)?.size ?? 0;
  return el('span', { class: 'dot', 'data-testid': 'unread-dot', hidden: count === 0, title: `${count} 条新消息` });
}

function renderSidebar() {
  $('people').replaceChildren(
    ...state.people.map((p) => {
      const selected = p.id === state.me;
      const item = el(
        'button',
        { type: 'button', class: 'entry', 'aria-pressed': String(selected) },
        el('span', { class: 'avatar' }, p.name.slice(0, 1)),
        el(
          'span',
          { class: 'entry-main' },
          el('span', { class: 'entry-name', 'data-testid': 'person-name', title: p.name }, p.name),
          el('span', { class: 'entry-sub', 'data-testid': 'person-roles' }, p.roles.join('、') || '（无角色）'),
        ),
        unreadDot(dm(p.id)),
        pendingBadge(p.id),
      );
      item.addEventListener('click', () => select(dm(p.id), p.id));
      const current = selected && state.view === dm(p.id);
      return el(
        'li',
        { 'data-testid': 'person', 'data-user-id': p.id, class: current ? 'current' : selected ? 'acting' : '' },
        item,
      );
    }),
  );
  $('groups').replaceChildren(
    ...state.groups.map((g) => {
      const item = el(
        'button',
        { type: 'button', class: 'entry' },
        el('span', { class: 'avatar avatar-group' }, '群'),
        el(
          'span',
          { class: 'entry-main' },
          el('span', { class: 'entry-name', title: g.name }, g.name),
          el('span', { class: 'entry-sub' }, g.id),
        ),
        unreadDot(g.id),
      );
      item.addEventListener('click', () => select(g.id));
      return el(
        'li',
        { 'data-testid': 'group', 'data-group-id': g.id, class: state.view === g.id ? 'current' : '' },
        item,
      );
    }),
  );
  if (!state.groups.length) $('groups').append(el('li', { class: 'empty' }, '（组织文件中没有配置群聊）'));
  // On a phone the list is hidden in the drawer: its button shows how many others have work waiting.
  const waiting = Object.keys(state.pending.pending).filter((id) => id !== state.me).length;
  const toggleBadge = $('drawer-badge');
  toggleBadge.hidden = waiting === 0;
  toggleBadge.textContent = String(waiting);
}

function renderHeader() {
  const me = personById(state.me);
  const group = state.groups.find((g) => g.id === state.view);
  const title = group ? `群聊 · ${group.name}` : `${me?.name ?? ''} 与 Handoff 机器人的私聊`;
  // "杨辉玉（杨总） · 特批领导（北方）": names and roles carry brackets of their own, so no brackets around the roles.
  const roles = me?.roles.length ? ` · ${me.roles.join('、')}` : '';
  const who = me ? `当前身份：${me.name}${roles}${group ? ' · 在群里发言' : ''}` : '';
  // One line each, cut with … on a narrow screen: the full text is the tooltip, the count of waiting work never cut.
  for (const [id, text] of [
    ['chat-title', title],
    ['whoami', who],
  ]) {
    $(id).textContent = text;
    $(id).title = text;
  }
  const waiting = state.pending.pending[state.me]?.length ?? 0;
  $('whoami-todo').hidden = waiting === 0;
  $('whoami-todo').textContent = `待办 ${waiting} 项`;
  $('hint').textContent = `命令：${state.commands.join('  ')} — 发送 /help 查看用法；只发 /register 会收到登记表单。`;
}

let clockFormat = null;

/** `HH:mm` of a message, in the company's time zone. */
function timeOf(iso) {
  if (clockFormat?.resolvedOptions().timeZone !== state.timeZone) {
    clockFormat = new Intl.DateTimeFormat('zh-CN', {
      timeZone: state.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }
  return clockFormat.format(new Date(iso));
}

function messageBody(message) {
  const { content } = message;
  if (content.kind === 'card') {
    const card = renderCard(message, content.card, {
      timeZone: state.timeZone,
      onAction: (button, form) => void act(message.id, button, form),
    });
    restoreForms(card);
    return card;
  }
  const text = content.kind === 'text' ? content.text : JSON.stringify(content);
  // Text messages are plain text on every platform (they echo user input): never read as markdown.
  return el('div', { class: 'bubble', 'data-testid': 'text' }, lines(text));
}

function messageNode(message) {
  const fromBot = message.from === 'bot';
  const mine = message.from === state.me;
  const who = fromBot ? 'Handoff 机器人' : nameOf(message.from);
  return el(
    'div',
    {
      class: `msg ${fromBot ? 'msg-bot' : 'msg-user'}${mine ? ' msg-mine' : ''}`,
      'data-testid': 'message',
      'data-message-id': message.id,
      'data-from': message.from,
      'data-kind': message.content.kind,
    },
    el('div', { class: 'msg-meta' }, `${who} · ${timeOf(message.at)}`),
    messageBody(message),
  );
}

function renderMessages() {
  const pane = $('messages');
  const messages = [...(state.conversations.get(state.view)?.values() ?? [])];
  pane.replaceChildren(...messages.map(messageNode));
  if (!messages.length) {
    pane.append(
      el('div', { class: 'empty-chat', 'data-testid': 'empty' }, '还没有消息。发送 /help 看看机器人能做什么。'),
    );
  }
  pane.scrollTop = pane.scrollHeight;
}

function appendMessage(message, scroll) {
  const pane = $('messages');
  pane.querySelector('[data-testid="empty"]')?.remove();
  pane.append(messageNode(message));
  if (scroll) pane.scrollTop = pane.scrollHeight;
}

/** A card changed: re-render it in place, where it is. */
function replaceMessage(message) {
  const old = $('messages').querySelector(`[data-testid="message"][data-message-id="${CSS.escape(message.id)}"]`);
  if (old) old.replaceWith(messageNode(message));
  else appendMessage(message, false);
}

function renderAll() {
  renderSidebar();
  renderHeader();
  renderMessages();
}

// ── actions ─────────────────────────────────────────────────────────────────────────────────────────────────────────

async function act(messageId, button, form) {
  const me = state.me;
  const cardEl = $('messages').querySelector(`[data-testid="card"][data-message-id="${CSS.escape(messageId)}"]`);
  if (cardEl) setPending(cardEl, true);
  const body = { userId: me, messageId, value: button.value };
  if (form) body.form = form;
  const reply = await post('/api/local/click', body);
  if (!reply.failed && reply.toast?.type !== 'error') forgetForms(messageId);
  if (reply.toast) toast(reply.toast, me);
  if (reply.needToken) askToken(reply.toast.text);
  // A changed card was re-rendered by its `update` event; one that did not change gets its controls (and inputs) back.
  if (cardEl?.isConnected) setPending(cardEl, false);
}

async function say(event) {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  const { me, view } = state;
  if (!text || !me) return;
  input.value = '';
  saveDraft(me, view, '');
  const reply = await post('/api/local/say', { userId: me, text, conversation: view });
  // Not sent: the text goes back where it was typed (the box, or that person's draft if someone else is on screen).
  if (reply.failed) {
    if (state.me === me && state.view === view && !input.value) input.value = text;
    else if (!draftOf(me, view)) saveDraft(me, view, text);
  }
  if (reply.toast) toast(reply.toast, me);
  if (reply.needToken) askToken(reply.toast.text);
}

$('composer').addEventListener('submit', (e) => void say(e));
$('composer-input').addEventListener('input', (e) => saveDraft(state.me, state.view, e.target.value));
$('messages').addEventListener('input', recordFormInput);
$('messages').addEventListener('change', recordFormInput);
initDrawer();
void connect();
