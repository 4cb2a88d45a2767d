/**
 * Structured JSON-lines logger with secret redaction. Kept hand-written rather than pino: the whole bot logs through
 * this small `(msg, fields)` interface, output volume is a few lines per delivery (synchronous stderr writes are
 * fine), and pino's redaction works on paths declared up front, while secrets here can sit at any depth of an SDK
 * error or inside a URL's query string. Redaction is by field name (any depth) and by `name=value` in strings.
 */
export type LogFields = Record<string, unknown>;
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

export const REDACTED = '[REDACTED]';
/** Field names whose values are never logged: secrets, tokens, keys, signatures, credentials. */
const SECRET_NAME =
  /secret|token|passw|authorization|cookie|credential|signature|^sign$|aes_?key|encrypt_?key|api_?key|private_?key|ticket/i;
/** `access_token=…`, `key=…` (webhook URLs), `sign=…` in URLs, messages and stacks. */
const SECRET_IN_TEXT =
  /\b(access_token|tenant_access_token|app_access_token|token|secret|app_secret|client_secret|corpsecret|key|sign|signature|msg_signature|password)=([^&\s"',;]+)/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;

export function redactText(s: string): string {
  return s.replace(SECRET_IN_TEXT, `$1=${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`);
}

/** A copy of `v` safe to log: secret-named fields replaced, strings scrubbed, errors reduced to message and stack. */
export function redact(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v instanceof Error) return { message: redactText(v.message), stack: v.stack && redactText(v.stack) };
  if (v === null || typeof v !== 'object') return v;
  if (depth >= 6) return '[…]';
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_NAME.test(k) && x != null ? REDACTED : redact(x, depth + 1);
  return out;
}

export function createLogger(
  level: LogLevel = 'info',
  base: LogFields = {},
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const min = LEVELS[level];
  const log = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < min) return;
    const extra = redact({ ...base, ...fields }) as LogFields;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg: redactText(msg), ...extra }));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

export const silentLogger: Logger = createLogger('silent');
