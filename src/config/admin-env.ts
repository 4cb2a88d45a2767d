import type { z } from 'zod';
import { baseUrl, optional } from './env-keys';

/** The admin console's environment keys (merged into EnvSchema; listed in .env.example). */
export const ADMIN_ENV = {
  /** Sign-in with a shared token (the local mode; a break-glass login beside a platform). 16+ characters. */
  ADMIN_TOKEN: optional.refine((t) => t === undefined || t.length >= 16, 'must be at least 16 characters'),
  /** HMAC key of the console's session cookies; unset = generated once and kept in the database. */
  ADMIN_SESSION_SECRET: optional.refine((t) => t === undefined || t.length >= 32, 'must be at least 32 characters'),
  /** Where the platforms' web login pages live (the browser is sent there). */
  FEISHU_LOGIN_URL: baseUrl('https://accounts.feishu.cn'),
  DINGTALK_LOGIN_URL: baseUrl('https://login.dingtalk.com'),
  /** DingTalk's older API host: unionId → staff userid (topapi/user/getbyunionid). */
  DINGTALK_OAPI_URL: baseUrl('https://oapi.dingtalk.com'),
  WECOM_LOGIN_URL: baseUrl('https://login.work.weixin.qq.com'),
};

export interface AdminConfig {
  token: string | null;
  sessionSecret: string | null;
  feishuLoginUrl: string;
  dingtalkLoginUrl: string;
  dingtalkOapiUrl: string;
  wecomLoginUrl: string;
}

type AdminEnv = { [K in keyof typeof ADMIN_ENV]: z.infer<(typeof ADMIN_ENV)[K]> };

export function adminConfig(e: AdminEnv): AdminConfig {
  return {
    token: e.ADMIN_TOKEN ?? null,
    sessionSecret: e.ADMIN_SESSION_SECRET ?? null,
    feishuLoginUrl: e.FEISHU_LOGIN_URL,
    dingtalkLoginUrl: e.DINGTALK_LOGIN_URL,
    dingtalkOapiUrl: e.DINGTALK_OAPI_URL,
    wecomLoginUrl: e.WECOM_LOGIN_URL,
  };
}
