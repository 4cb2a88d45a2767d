/**
 * WeCom's contact lookup, one person per call: `POST /cgi-bin/user/getuserid {mobile}` and
 * `POST /cgi-bin/user/get_userid_by_email {email, email_type}` → `userid`. An e-mail is tried as a corporate mailbox
 * (`email_type` 1) and then as a personal one (2). errcode 46004 (成员不存在) and 60103 (手机号码不合法) = not found.
 * WeCom blocks these calls for a day when too many lookups fail ("若出错的次数超过企业人数上限的20%"), which is
 * why answers — not-found ones included — are cached and re-asked only by the daily refresh.
 * Permission: the app must see the person (应用的可见范围 / 通讯录权限 covering them).
 */
import { CONTACT_KINDS, type ContactLookup, PlatformApiError } from '../types';
import type { WecomClient } from './client';

export const NOT_FOUND_CODES: ReadonlySet<number | string | undefined> = new Set([46004, 60103]);

export function wecomContacts(client: WecomClient): ContactLookup {
  const ask = async (op: string, path: string, body: Record<string, unknown>): Promise<string | null> => {
    try {
      const res = await client.post(op, path, body);
      return typeof res.userid === 'string' && res.userid ? res.userid : null;
    } catch (e) {
      if (e instanceof PlatformApiError && NOT_FOUND_CODES.has(e.opts.code)) return null;
      throw e;
    }
  };
  return {
    kinds: CONTACT_KINDS.wecom,
    batch: 1,
    perSecond: 10,
    async lookup(kind, values) {
      const found = new Map<string, string>();
      for (const value of values) {
        const id =
          kind === 'mobile'
            ? await ask('contact.getuserid', 'user/getuserid', { mobile: value })
            : ((await ask('contact.get_userid_by_email', 'user/get_userid_by_email', {
                email: value,
                email_type: 1,
              })) ??
              (await ask('contact.get_userid_by_email', 'user/get_userid_by_email', { email: value, email_type: 2 })));
        if (id) found.set(value, id);
      }
      return found;
    },
  };
}
