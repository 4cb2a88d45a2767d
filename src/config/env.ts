import cron from 'node-cron';
import { z } from 'zod';
import { type PlatformLimits, parseLimits } from '../app/delivery/limiter';
import type { ReminderConfig } from '../app/reminders';
import { ADMIN_ENV, type AdminConfig, adminConfig } from './admin-env';
import { baseUrl, optional } from './env-keys';

/** Every key the bot reads. `.env.example` lists the same keys (a test checks it). */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().default('0.0.0.0'),
  DATABASE_PATH: z.string().trim().min(1).default('./data/handoff.db'),
  ORG_FILE: optional,
  /** The process definition (YAML); unset = processes/standard.yaml. */
  PROCESS_FILE: optional,
  TIMEZONE: z
    .string()
    .trim()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'not a valid IANA time zone, e.g. Asia/Shanghai'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  LOCAL_UI: z.enum(['auto', 'on', 'off']).default('auto'),
  LOCAL_UI_TOKEN: optional.refine((t) => t === undefined || t.length >= 16, 'must be at least 16 characters'),
  FEISHU_APP_ID: optional,
  FEISHU_APP_SECRET: optional,
  FEISHU_VERIFICATION_TOKEN: optional,
  FEISHU_ENCRYPT_KEY: optional,
  FEISHU_BASE_URL: baseUrl('https://open.feishu.cn'),
  FEISHU_MODE: z.enum(['webhook', 'ws']).default('webhook'),
  DINGTALK_CLIENT_ID: optional,
  DINGTALK_CLIENT_SECRET: optional,
  DINGTALK_ROBOT_CODE: optional,
  DINGTALK_CARD_TEMPLATE_ID: optional,
  DINGTALK_BASE_URL: baseUrl('https://api.dingtalk.com'),
  DINGTALK_OAPI_BASE_URL: baseUrl('https://oapi.dingtalk.com'),
  DINGTALK_MODE: z.enum(['stream', 'http']).default('stream'),
  DINGTALK_CARD_CALLBACK_ROUTE_KEY: optional,
  DINGTALK_CARD_CALLBACK_SECRET: optional.refine(
    (t) => t === undefined || t.length >= 16,
    'must be at least 16 characters',
  ),
  DINGTALK_CARD_CALLBACK_URL: optional.refine(
    (u) => u === undefined || /^https?:\/\/[^/\s]+\/\S*$/.test(u),
    'must be the public URL of /dingtalk/cards, e.g. https://bot.example.com/dingtalk/cards',
  ),
  WECOM_CORP_ID: optional,
  WECOM_AGENT_ID: optional,
  WECOM_SECRET: optional,
  WECOM_TOKEN: optional,
  WECOM_AES_KEY: optional,
  WECOM_BASE_URL: baseUrl('https://qyapi.weixin.qq.com'),
  WECOM_NEWS_WEBHOOK: optional,
  DOC_DUE_DAYS: z.coerce.number().int().min(1).max(365).optional(),
  REMINDER_CRON: z
    .string()
    .trim()
    .default('0 9-18 * * 1-5')
    .refine((e) => cron.validate(e), 'not a valid cron expression, e.g. "0 9-18 * * 1-5"'),
  DIRECTORY_CRON: z
    .string()
    .trim()
    .default('30 6 * * *')
    .refine((e) => cron.validate(e), 'not a valid cron expression, e.g. "30 6 * * *"'),
  CONFIG_WATCH: z.enum(['on', 'off']).default('on'),
  REMINDER_ESCALATE_PM_DAYS: z.coerce.number().int().min(0).default(3),
  REMINDER_ESCALATE_DIRECTOR_DAYS: z.coerce.number().int().min(0).default(7),
  APPROVAL_SLA_HOURS: z.coerce.number().int().min(1).default(24),
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  FEISHU_RATE_LIMITS: optional,
  DINGTALK_RATE_LIMITS: optional,
  WECOM_RATE_LIMITS: optional,
  METRICS_TOKEN: optional,
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  BACKUP_DIR: z.string().trim().min(1).default('./data/backups'),
  ...ADMIN_ENV,
});

export type Env = z.infer<typeof EnvSchema>;

export interface FeishuConfig {
  appId: string;
  appSecret: string;
  verificationToken: string | undefined;
  encryptKey: string | undefined;
  baseUrl: string;
  mode: 'webhook' | 'ws';
}

export interface DingtalkConfig {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  cardTemplateId: string;
  baseUrl: string;
  /** The topapi base URL (contact lookup by mobile). Default https://oapi.dingtalk.com. */
  oapiBaseUrl?: string;
  mode: 'stream' | 'http';
  cardCallbackRouteKey: string | undefined;
  /** The apiSecret HTTP card callbacks are signed with (required with the route key). */
  cardCallbackSecret?: string | undefined;
  /** When set, start-up registers it under the route key with the secret. */
  cardCallbackUrl?: string | undefined;
}

export interface WecomConfig {
  corpId: string;
  agentId: string;
  secret: string;
  token: string;
  aesKey: string;
  baseUrl: string;
  newsWebhook: string | undefined;
}

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  orgFile: string | undefined;
  /** The process file for new projects (undefined = the shipped processes/standard.yaml). */
  processFile: string | undefined;
  timeZone: string;
  logLevel: Env['LOG_LEVEL'];
  feishu: FeishuConfig | null;
  dingtalk: DingtalkConfig | null;
  wecom: WecomConfig | null;
  /** Serve the local simulator page (always when no platform is configured). */
  localUi: boolean;
  /** LOCAL_UI_TOKEN: when set, every simulator API call must carry it (see src/http/routes/local-guard.ts). */
  localUiToken: string | null;
  /** Overrides every acceptance document's due offset of the process file (unset: the file decides). */
  lifecycle: { docDueDays: number | null };
  reminders: ReminderConfig & { cron: string };
  /** Outbox delivery: calls in flight and rate limits per platform (defaults: DEFAULT_RATE_LIMITS). */
  delivery?: DeliveryConfig;
  /** Bearer token for `/metrics`; unset = loopback only. */
  metricsToken: string | undefined;
  /** On SIGTERM, how long in-flight deliveries and the outbox pass may take before they are cut. */
  shutdownGraceMs: number;
  /** Where `npm run backup` writes. */
  backupDir: string;
  /** The admin console's sign-in (src/http/admin); unset in tests = defaults, no token. */
  admin?: AdminConfig;
  /** When the directory re-resolves every e-mail/mobile (node-cron; default daily 06:30). */
  directoryCron?: string;
  /** Re-read ORG_FILE / PROCESS_FILE on change and on SIGHUP (default true). */
  watchConfig?: boolean;
}

export interface DeliveryConfig {
  concurrency: number;
  limits: Partial<Record<'feishu' | 'dingtalk' | 'wecom', PlatformLimits>>;
}

const perSecond = (count: number) => ({ count, windowMs: 1000 });
const perMinute = (count: number) => ({ count, windowMs: 60_000 });

/**
 * The platforms' documented send limits. Feishu im/v1/messages: 50/s and 1000/min per app (either one reached
 * answers 429), 5 QPS per user or chat, 5 QPS per message for PATCH. DingTalk: 20 QPS per app for server APIs (per-person limits are not documented: 5/s is a
 * conservative guess). WeCom: 20,000 person-times/min per corp, 200 messages/min per member from one app (excess is
 * dropped silently), 20 messages/min per group robot; card updates have no documented limit.
 */
export const DEFAULT_RATE_LIMITS: Record<'feishu' | 'dingtalk' | 'wecom', PlatformLimits> = {
  feishu: { app: [perSecond(50), perMinute(1000)], user: perSecond(5), chat: perSecond(5), message: perSecond(5) },
  dingtalk: { app: perSecond(20), user: perSecond(5), chat: perSecond(5), message: perSecond(5) },
  wecom: { app: perMinute(20_000), user: perMinute(200), chat: perMinute(20), message: null },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once. A half-configured platform fails with a message naming the missing key. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const feishuKeys = ['FEISHU_APP_ID', 'FEISHU_APP_SECRET', 'FEISHU_VERIFICATION_TOKEN', 'FEISHU_ENCRYPT_KEY'] as const;
  let feishu: FeishuConfig | null = null;
  if (feishuKeys.some((k) => e[k] !== undefined)) {
    const missing: string[] = [];
    if (!e.FEISHU_APP_ID) missing.push('FEISHU_APP_ID');
    if (!e.FEISHU_APP_SECRET) missing.push('FEISHU_APP_SECRET');
    // Webhook deliveries must be authenticated: by the verification token, or by the encrypt key's signature.
    if (e.FEISHU_MODE === 'webhook' && !e.FEISHU_VERIFICATION_TOKEN && !e.FEISHU_ENCRYPT_KEY) {
      missing.push('FEISHU_VERIFICATION_TOKEN (or FEISHU_ENCRYPT_KEY)');
    }
    if (missing.length) {
      throw new ConfigError(
        `Feishu is half-configured: missing ${missing.join(', ')}. Set it, or unset every FEISHU_* key.`,
      );
    }
    feishu = {
      appId: e.FEISHU_APP_ID as string,
      appSecret: e.FEISHU_APP_SECRET as string,
      verificationToken: e.FEISHU_VERIFICATION_TOKEN,
      encryptKey: e.FEISHU_ENCRYPT_KEY,
      baseUrl: e.FEISHU_BASE_URL,
      mode: e.FEISHU_MODE,
    };
  }
  const dingtalk = dingtalkBlock(e);
  const wecom = wecomBlock(e);
  const localUi =
    e.LOCAL_UI === 'on' || (e.LOCAL_UI === 'auto' && feishu === null && dingtalk === null && wecom === null);
  if (localUi && (feishu || dingtalk || wecom) && !e.LOCAL_UI_TOKEN && !isLoopback(e.HOST)) {
    throw new ConfigError(
      `LOCAL_UI=on beside a real platform lets whoever reaches the page act as anyone: set LOCAL_UI_TOKEN (16+ characters) or bind HOST=127.0.0.1 (now ${e.HOST}).`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    orgFile: e.ORG_FILE,
    processFile: e.PROCESS_FILE,
    timeZone: e.TIMEZONE,
    logLevel: e.LOG_LEVEL,
    feishu,
    dingtalk,
    wecom,
    localUi,
    localUiToken: e.LOCAL_UI_TOKEN ?? null,
    lifecycle: { docDueDays: e.DOC_DUE_DAYS ?? null },
    reminders: {
      cron: e.REMINDER_CRON,
      escalatePmDays: e.REMINDER_ESCALATE_PM_DAYS,
      escalateDirectorDays: e.REMINDER_ESCALATE_DIRECTOR_DAYS,
      approvalSlaHours: e.APPROVAL_SLA_HOURS,
    },
    delivery: {
      concurrency: e.OUTBOX_CONCURRENCY,
      limits: {
        feishu: limitsKey('FEISHU_RATE_LIMITS', e.FEISHU_RATE_LIMITS, DEFAULT_RATE_LIMITS.feishu),
        dingtalk: limitsKey('DINGTALK_RATE_LIMITS', e.DINGTALK_RATE_LIMITS, DEFAULT_RATE_LIMITS.dingtalk),
        wecom: limitsKey('WECOM_RATE_LIMITS', e.WECOM_RATE_LIMITS, DEFAULT_RATE_LIMITS.wecom),
      },
    },
    metricsToken: e.METRICS_TOKEN,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    backupDir: e.BACKUP_DIR,
    admin: adminConfig(e),
    directoryCron: e.DIRECTORY_CRON,
    watchConfig: e.CONFIG_WATCH === 'on',
  };
}

/** A bind address only this machine can reach. */
export const isLoopback = (host: string): boolean => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);

function limitsKey(key: string, spec: string | undefined, defaults: PlatformLimits): PlatformLimits {
  try {
    return parseLimits(spec, defaults);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  - ${key}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** All-or-nothing, like Feishu: any DINGTALK_* credential key switches DingTalk on and requires the others. */
function dingtalkBlock(e: Env): DingtalkConfig | null {
  const keys = [
    'DINGTALK_CLIENT_ID',
    'DINGTALK_CLIENT_SECRET',
    'DINGTALK_ROBOT_CODE',
    'DINGTALK_CARD_TEMPLATE_ID',
  ] as const;
  if (!keys.some((k) => e[k] !== undefined)) return null;
  const missing = keys.filter((k) => !e[k]);
  if (missing.length) {
    throw new ConfigError(
      `DingTalk is half-configured: missing ${missing.join(', ')}. Set it, or unset every DINGTALK_* key.`,
    );
  }
  const key = e.DINGTALK_CARD_CALLBACK_ROUTE_KEY;
  // Without an apiSecret DingTalk signs no card callback, and anyone could post clicks as anyone.
  if (key && !e.DINGTALK_CARD_CALLBACK_SECRET) {
    throw new ConfigError(
      'DINGTALK_CARD_CALLBACK_ROUTE_KEY needs DINGTALK_CARD_CALLBACK_SECRET (16+ characters): the apiSecret the route key is registered with, which signs every card callback.',
    );
  }
  // Without Stream, card clicks can only arrive by HTTP, which needs a registered route key.
  if (e.DINGTALK_MODE === 'http' && !key) {
    throw new ConfigError(
      'DINGTALK_MODE=http needs DINGTALK_CARD_CALLBACK_ROUTE_KEY and DINGTALK_CARD_CALLBACK_SECRET (card clicks then come to /dingtalk/cards); with Stream mode they come over the Stream connection.',
    );
  }
  if (!key && (e.DINGTALK_CARD_CALLBACK_SECRET || e.DINGTALK_CARD_CALLBACK_URL)) {
    throw new ConfigError(
      'DINGTALK_CARD_CALLBACK_SECRET / DINGTALK_CARD_CALLBACK_URL need DINGTALK_CARD_CALLBACK_ROUTE_KEY (or unset them: card clicks then come over Stream).',
    );
  }
  return {
    clientId: e.DINGTALK_CLIENT_ID as string,
    clientSecret: e.DINGTALK_CLIENT_SECRET as string,
    robotCode: e.DINGTALK_ROBOT_CODE as string,
    cardTemplateId: e.DINGTALK_CARD_TEMPLATE_ID as string,
    baseUrl: e.DINGTALK_BASE_URL,
    oapiBaseUrl: e.DINGTALK_OAPI_BASE_URL,
    mode: e.DINGTALK_MODE,
    cardCallbackRouteKey: key,
    cardCallbackSecret: e.DINGTALK_CARD_CALLBACK_SECRET,
    cardCallbackUrl: e.DINGTALK_CARD_CALLBACK_URL,
  };
}

/** All-or-nothing: any WECOM_* credential key switches WeCom on and requires the others. */
function wecomBlock(e: Env): WecomConfig | null {
  const keys = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_AES_KEY'] as const;
  if (!keys.some((k) => e[k] !== undefined)) return null;
  const missing = keys.filter((k) => !e[k]);
  if (missing.length) {
    throw new ConfigError(
      `WeCom is half-configured: missing ${missing.join(', ')}. Set it, or unset every WECOM_* key.`,
    );
  }
  if (!/^\d+$/.test(e.WECOM_AGENT_ID ?? '')) throw new ConfigError("WECOM_AGENT_ID must be the app's numeric AgentId.");
  if (!/^[A-Za-z0-9]{43}$/.test(e.WECOM_AES_KEY ?? '')) {
    throw new ConfigError('WECOM_AES_KEY must be the 43-character EncodingAESKey from the WeCom console.');
  }
  return {
    corpId: e.WECOM_CORP_ID as string,
    agentId: e.WECOM_AGENT_ID as string,
    secret: e.WECOM_SECRET as string,
    token: e.WECOM_TOKEN as string,
    aesKey: e.WECOM_AES_KEY as string,
    baseUrl: e.WECOM_BASE_URL,
    newsWebhook: e.WECOM_NEWS_WEBHOOK,
  };
}
