// The local simulator page: pick who you are, chat with the bot, click its cards. Live through server-sent events.
import { el, lines, renderCard, setPending } from './cards.js';

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
};

const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
const dm = (userId) => `dm:${userId}`;
const personById = (id) => state.people.find((p) => p.id === id);
const nameOf = (id) => personById(id)?.name ?? id;

// ── server ──────────────────────────────────────────────────────────────────────────────────────────────────────────

async function post(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return { toast: { type: 'error', text: '无法连接到 Handoff 服务，请确认它仍在运行。' }, failed: true };
  }
  const json = await res.json().catch(() => ({}));
  if (res.ok) return json;
  const text =
    res.status === 413 ? '内容过长（超过 64 KB），请缩短后再试。' : (json.error ?? `请求失败（HTTP ${res.status}）`);
  return { toast: { type: 'error', text }, failed: true };
}

function connect() {
  const source = new EventSource('/api/local/events');
  /** Events that arrive while the snapshot is loading; replayed on top of it, in order. */
  let buffer = null;
  const setConnection = (ok, text) => {
    const node = $('connection');
    node.dataset.state = ok ? 'open' : 'closed';
    node.textContent = text;
  };
  source.addEventListener('open', async () => {
    buffer = [];
    try {
      const res = await fetch('/api/local/bootstrap');
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      loadSnapshot(await res.json());
    } catch (e) {
      buffer = null;
      setConnection(false, '加载失败，正在重试…');
      source.close();
      setTimeout(connect, 2000);
      toast({ type: 'error', text: `无法加载模拟器数据：${e.message}` });
      return;
    }
    const pending = buffer;
    buffer = null;
    for (const e of pending) applyEvent(e, false);
    setConnection(true, '已连接 · 实时更新');
    renderAll();
  });
  source.addEventListener('message', (ev) => {
    const e = JSON.parse(ev.data);
    if (buffer) buffer.push(e);
    else applyEvent(e, true);
  });
  source.addEventListener('error', () => setConnection(false, '连接断开，正在重连…'));
}

// ── state ───────────────────────────────────────────────────────────────────────────────────────────────────────────

function loadSnapshot(snap) {
  state.people = snap.people;
  state.groups = snap.groups;
  state.commands = snap.commands;
  state.timeZone = snap.timeZone;
  state.conversations = new Map();
  for (const [id, messages] of Object.entries(snap.conversations)) {
    state.conversations.set(id, new Map(messages.map((m) => [m.id, m])));
  }
  // Message ids of a restarted server mean other messages: keep only the unread marks that still point somewhere.
  for (const [conv, ids] of state.unread) {
    const known = state.conversations.get(conv);
    for (const id of ids) if (!known?.has(id)) ids.delete(id);
  }
  const saved = localStorage.getItem(STORAGE_KEY);
  const me = personById(state.me) ?? personById(saved) ?? state.people[0];
  state.me = me?.id ?? null;
  const viewOk = state.view && (state.view === dm(state.me) || state.groups.some((g) => g.id === state.view));
  if (!viewOk) state.view = state.me ? dm(state.me) : null;
}

function applyEvent({ type, message }, live) {
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
  state.me = me;
  state.view = view;
  state.unread.delete(view);
  localStorage.setItem(STORAGE_KEY, me);
  renderAll();
  $('composer-input').focus();
}

// ── rendering ───────────────────────────────────────────────────────────────────────────────────────────────────────

function badge(convId) {
  const count = state.unread.get(convId)?.size ?? 0;
  return el('span', { class: 'badge', 'data-testid': 'unread-badge', hidden: count === 0 }, String(count));
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
          el('span', { class: 'entry-name', 'data-testid': 'person-name' }, p.name),
          el('span', { class: 'entry-sub', 'data-testid': 'person-roles' }, p.roles.join('、') || '（无角色）'),
        ),
        badge(dm(p.id)),
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
    ...(state.groups.length ? state.groups : []).map((g) => {
      const item = el(
        'button',
        { type: 'button', class: 'entry' },
        el('span', { class: 'avatar avatar-group' }, '群'),
        el(
          'span',
          { class: 'entry-main' },
          el('span', { class: 'entry-name' }, g.name),
          el('span', { class: 'entry-sub' }, g.id),
        ),
        badge(g.id),
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
}

function renderHeader() {
  const me = personById(state.me);
  const group = state.groups.find((g) => g.id === state.view);
  $('chat-title').textContent = group ? `群聊 · ${group.name}` : `${me?.name ?? ''} 与 Handoff 机器人的私聊`;
  const roles = me?.roles.length ? `（${me.roles.join('、')}）` : '';
  $('whoami').textContent = me ? `当前身份：${me.name}${roles}${group ? ' · 在群里发言' : ''}` : '';
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
    return renderCard(message, content.card, {
      timeZone: state.timeZone,
      onAction: (button, form) => void act(message.id, button, form),
    });
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

let toastSeq = 0;

function toast({ type, text }) {
  toastSeq += 1;
  const attrs = { class: `toast toast-${type}`, 'data-testid': 'toast', 'data-type': type, 'data-seq': toastSeq };
  const node = el('div', { ...attrs, role: 'status' }, lines(text));
  node.addEventListener('click', () => node.remove());
  $('toasts').append(node);
  setTimeout(() => node.remove(), type === 'error' || type === 'warning' ? 10_000 : 5_000);
}

async function act(messageId, button, form) {
  const cardEl = $('messages').querySelector(`[data-testid="card"][data-message-id="${CSS.escape(messageId)}"]`);
  if (cardEl) setPending(cardEl, true);
  const body = { userId: state.me, messageId, value: button.value };
  if (form) body.form = form;
  const reply = await post('/api/local/click', body);
  if (reply.toast) toast(reply.toast);
  // A changed card was re-rendered by its `update` event; one that did not change gets its controls (and inputs) back.
  if (cardEl?.isConnected) setPending(cardEl, false);
}

async function say(event) {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text || !state.me) return;
  input.value = '';
  const reply = await post('/api/local/say', { userId: state.me, text, conversation: state.view });
  if (reply.failed && !input.value) input.value = text;
  if (reply.toast) toast(reply.toast);
}

$('composer').addEventListener('submit', (e) => void say(e));
connect();
