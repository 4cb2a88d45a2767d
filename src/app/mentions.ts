import type { Platform } from '../platforms/types';
import type { AppDeps } from './deps';

/** A mention token as platform normalizers write it: `@{<platform user id>}` (feishu/normalize.ts mentionToken). */
const TOKEN = /@\{([^{}\s]{1,128})\}/g;

/**
 * Replaces every mention token in a typed command by the org user id of the mentioned person (via the identities
 * of the org file), so `/due HO-2026-0001 3 2026-06-30 @郑工` names 郑工 whatever his display name on the platform.
 * A person who is not in the org file is written as `@未登记用户` (the command then says the owner is unknown).
 */
export function resolveMentions(deps: Pick<AppDeps, 'org'>, platform: Platform, text: string): string {
  return text.replace(TOKEN, (_all, id: string) => deps.org.userByIdentity(platform, id) ?? '@未登记用户');
}
