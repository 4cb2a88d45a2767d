/**
 * Feishu's contact lookup: `POST /open-apis/contact/v3/users/batch_get_id` through the SDK (`contact.v3.user.batchGetId`),
 * up to 50 e-mails or 50 mobiles per call, open_ids back (`user_id_type=open_id`). Feishu answers every value it was
 * asked; a person it does not know (or cannot show the app: the contact scope of the app) comes back without
 * `user_id`. Resigned people are left out (`include_resigned: false`). Limit: 50 calls/s, 1000/min per app.
 * Scope: 通过手机号或邮箱获取用户 ID (`contact:user.id:readonly`), and the people in the app's contact range (数据权限).
 */
import type * as lark from '@larksuiteoapi/node-sdk';
import { CONTACT_KINDS, type ContactKind, type ContactLookup } from '../types';

type BatchGetId = Awaited<ReturnType<lark.Client['contact']['v3']['user']['batchGetId']>>;
type Call = (op: string, fn: () => Promise<BatchGetId>) => Promise<BatchGetId>;

export const FEISHU_CONTACT_BATCH = 50;

export function feishuContacts(client: () => lark.Client, call: Call): ContactLookup {
  return {
    kinds: CONTACT_KINDS.feishu,
    batch: FEISHU_CONTACT_BATCH,
    perSecond: 20,
    async lookup(kind: ContactKind, values: string[]) {
      const data = kind === 'email' ? { emails: values } : { mobiles: values };
      const res = await call('contact.batch_get_id', () =>
        client().contact.v3.user.batchGetId({
          params: { user_id_type: 'open_id' },
          data: { ...data, include_resigned: false },
        }),
      );
      const found = new Map<string, string>();
      const asked = new Map(values.map((v) => [normal(kind, v), v]));
      for (const u of res.data?.user_list ?? []) {
        const echoed = kind === 'email' ? u.email : u.mobile;
        const value = echoed === undefined ? undefined : asked.get(normal(kind, echoed));
        if (value !== undefined && u.user_id) found.set(value, u.user_id);
      }
      return found;
    },
  };
}

const normal = (kind: ContactKind, v: string) => (kind === 'email' ? v.toLowerCase() : v.replace(/^\+86/, ''));
