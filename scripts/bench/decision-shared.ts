/** What the decision benchmark's server process and its load generator agree on. */
import type { OrgFile } from '../../src/config/org-file';
import { ENCRYPT_KEY, feishuOrg, openIdOf, VERIFICATION_TOKEN } from '../../test/helpers/feishu-chat';

export const APP = { appId: 'cli_0000000000bench', appSecret: 'bench-secret' };
export const BENCH_ENCRYPT_KEY = ENCRYPT_KEY;
export const BENCH_VERIFICATION_TOKEN = VERIFICATION_TOKEN;
/** The commercial reviewer of the demo org: every seeded project waits for them. */
export const REVIEWER = 'zhao.biz';
export const REVIEWER_OPEN_ID = openIdOf(REVIEWER);
export const SUBMITTER = 'wang.sales';

export const benchFeishuOrg = (): OrgFile => feishuOrg();
export const regNoOf = (i: number) => `HO-2026-${String(i + 1).padStart(6, '0')}`;
/** The Feishu message id of the reviewer's card of project i (recorded by the seed). */
export const cardIdOf = (i: number) => `om_bench_${i}`;
