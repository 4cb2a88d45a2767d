import cron from 'node-cron';
import { z } from 'zod';
import type { ReminderConfig } from '../app/reminders';
import type { LifecycleConfig } from '../domain/lifecycle';

const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** Every key the bot reads. `.env.example` lists the same keys (a test checks it). */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().default('0.0.0.0'),
  DATABASE_PATH: z.string().trim().min(1).default('./data/handoff.db'),
  ORG_FILE: optional,
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
  FEISHU_APP_ID: optional,
  FEISHU_APP_SECRET: optional,
  FEISHU_VERIFICATION_TOKEN: optional,
  FEISHU_ENCRYPT_KEY: optional,
  FEISHU_BASE_URL: z
    .string()
    .trim()
    .default('https://open.feishu.cn')
    .refine((u) => /^https?:\/\/[^/]+$/.test(u.replace(/\/+$/, '')), 'must be a base URL like https://open.feishu.cn')
    .transform((u) => u.replace(/\/+$/, '')),
  FEISHU_MODE: z.enum(['webhook', 'ws']).default('webhook'),
  DOC_DUE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  REMINDER_CRON: z
    .string()
    .trim()
    .default('0 9-18 * * 1-5')
    .refine((e) => cron.validate(e), 'not a valid cron expression, e.g. "0 9-18 * * 1-5"'),
  REMINDER_ESCALATE_PM_DAYS: z.coerce.number().int().min(0).default(3),
  REMINDER_ESCALATE_DIRECTOR_DAYS: z.coerce.number().int().min(0).default(7),
  APPROVAL_SLA_HOURS: z.coerce.number().int().min(1).default(24),
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

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  orgFile: string | undefined;
  timeZone: string;
  logLevel: Env['LOG_LEVEL'];
  feishu: FeishuConfig | null;
  /** Serve the local simulator page (always when no platform is configured). */
  localUi: boolean;
  lifecycle: LifecycleConfig;
  reminders: ReminderConfig & { cron: string };
}

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
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    orgFile: e.ORG_FILE,
    timeZone: e.TIMEZONE,
    logLevel: e.LOG_LEVEL,
    feishu,
    localUi: e.LOCAL_UI === 'on' || (e.LOCAL_UI === 'auto' && feishu === null),
    lifecycle: { docDueDays: e.DOC_DUE_DAYS },
    reminders: {
      cron: e.REMINDER_CRON,
      escalatePmDays: e.REMINDER_ESCALATE_PM_DAYS,
      escalateDirectorDays: e.REMINDER_ESCALATE_DIRECTOR_DAYS,
      approvalSlaHours: e.APPROVAL_SLA_HOURS,
    },
  };
}
