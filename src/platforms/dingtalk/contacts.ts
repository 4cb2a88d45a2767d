/**
 * DingTalk's contact lookup: `POST https://oapi.dingtalk.com/topapi/v2/user/getbymobile {mobile}` → `result.userid`,
 * one person per call; errcode 60121 (找不到该用户) or 40104 (not a mobile of the organisation) = not found. Only people in service can be found (DingTalk:
 * "如果员工离职，无法根据手机号获取用户的userId"). DingTalk's server API has no lookup by e-mail (its contact APIs
 * search by name, mobile or unionId), so `email` is not resolved on DingTalk. Permission:
 * 根据手机号获取成员基本信息权限 (`qyapi_get_member_by_mobile`).
 */
import { CONTACT_KINDS, type ContactLookup, PlatformApiError } from '../types';
import type { DingtalkApi } from './client';
import { isRecord } from './payloads';

export const NOT_FOUND_CODES: ReadonlySet<number | string | undefined> = new Set([60121, 40104]);

export function dingtalkContacts(api: DingtalkApi): ContactLookup {
  return {
    kinds: CONTACT_KINDS.dingtalk,
    batch: 1,
    perSecond: 10,
    async lookup(_kind, values) {
      const found = new Map<string, string>();
      for (const mobile of values) {
        try {
          const res = await api.callOapi('contact.getbymobile', '/topapi/v2/user/getbymobile', { mobile });
          const userid = isRecord(res.result) ? res.result.userid : undefined;
          if (typeof userid === 'string' && userid) found.set(mobile, userid);
        } catch (e) {
          if (e instanceof PlatformApiError && NOT_FOUND_CODES.has(e.opts.code)) continue;
          throw e;
        }
      }
      return found;
    },
  };
}
