// The page's side of the simulator API: JSON calls and the live event stream, with the admin token when the server
// asks for one (LOCAL_UI_TOKEN). The stream is read with fetch rather than EventSource, so it carries the token in a
// header like every other call (never in a URL, where it would end up in logs and history).

const TOKEN_KEY = 'handoff.local.token';

/** The token for this tab: from the address (`#token=…`, then removed from it) or entered when asked. */
function initialToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

let token = initialToken();

export function setToken(value) {
  token = value || null;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra = {}) {
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

/** Raised when the server wants the admin token: the page asks for it, then retries. */
export class NeedTokenError extends Error {}

async function failure(res) {
  const json = await res.json().catch(() => ({}));
  if (json.needToken) return new NeedTokenError(json.error ?? '需要管理员令牌');
  const text =
    res.status === 413 ? '内容过长（超过 64 KB），请缩短后再试。' : (json.error ?? `请求失败（HTTP ${res.status}）`);
  return new Error(text);
}

/** POSTs JSON; resolves to the server's answer, or to `{ toast, failed: true }` (and `needToken`) on any failure. */
export async function post(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
  } catch {
    return { toast: { type: 'error', text: '无法连接到 Handoff 服务，请确认它仍在运行。' }, failed: true };
  }
  if (res.ok) return res.json().catch(() => ({}));
  const e = await failure(res);
  return { toast: { type: 'error', text: e.message }, failed: true, needToken: e instanceof NeedTokenError };
}

export async function getJson(path) {
  const res = await fetch(path, { headers: headers(), cache: 'no-store' });
  if (!res.ok) throw await failure(res);
  return res.json();
}

/**
 * Opens the server-sent event stream: resolves once it is open (so nothing sent after that is missed) with a promise
 * that settles when the stream ends. Each `data:` event is parsed and passed to `onEvent`.
 */
export async function openStream(path, onEvent, signal) {
  const res = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), cache: 'no-store', signal });
  if (!res.ok || !res.body) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const pump = async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        buffer = buffer.slice(end + 2);
        if (data) onEvent(JSON.parse(data));
      }
    }
  };
  return { closed: pump() };
}
