/**
 * Where a WeCom message goes. `{kind:'user'}` and `dm:<userid>` chats → the app's 1:1 conversation
 * (message/send); the chat id `news` → the group robot webhook configured as WECOM_NEWS_WEBHOOK; a chat id that is
 * itself a robot webhook URL (http(s)://…) → that robot; any other chat id → an app group chat (appchat/send,
 * chatid `[0-9a-zA-Z]`, ≤ 32 characters, created by this app).
 */
import { PlatformApiError, type SendTarget } from '../types';
import { type Json, userOfDmChat } from './payloads';

export const NEWS_CHAT_ID = 'news';

export type Destination = { user: string } | { chat: string } | { webhook: string };

export function resolveDestination(to: SendTarget, newsWebhook: string | undefined): Destination {
  if (to.kind === 'user') return { user: to.id };
  const user = userOfDmChat(to.id);
  if (user) return { user };
  if (to.id === NEWS_CHAT_ID) {
    if (!newsWebhook) {
      throw new PlatformApiError('wecom news chat: WECOM_NEWS_WEBHOOK is not configured', 'wecom', { permanent: true });
    }
    return { webhook: newsWebhook };
  }
  if (/^https?:\/\//i.test(to.id)) return { webhook: to.id };
  return { chat: to.id };
}

/** message/send answers errcode 0 with `invaliduser` listing recipients it could not reach. */
export function checkInvalidUser(res: Json, userId: string): void {
  const invalid = typeof res.invaliduser === 'string' ? res.invaliduser.split('|') : [];
  if (invalid.includes(userId)) {
    throw new PlatformApiError(
      `wecom send failed: user ${userId} is invalid or outside the app's visibility`,
      'wecom',
      {
        permanent: true,
      },
    );
  }
}
