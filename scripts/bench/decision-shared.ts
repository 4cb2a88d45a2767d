/** What the decision benchmark's server process and its load generator agree on. */
import type { OrgFile } from '../../src/config/org-file';

export const APP = { appId: 'cli_0000000000bench', appSecret: 'bench-secret' };
/** As test/helpers/feishu-chat.ts (which this file does not import, so the bare server loads none of the app). */
export const BENCH_ENCRYPT_KEY = 'handoff-test-encrypt-key';
export const BENCH_VERIFICATION_TOKEN = 'handoff-test-verification-token';
/** The commercial reviewer of the demo org: every seeded project waits for them. */
export const REVIEWER = 'zhao.biz';
export const REVIEWER_OPEN_ID = `ou_${REVIEWER.replace('.', '_')}`;
export const SUBMITTER = 'wang.sales';

export const benchFeishuOrg = async (): Promise<OrgFile> =>
  (await import('../../test/helpers/feishu-chat')).feishuOrg();
export const regNoOf = (i: number) => `HO-2026-${String(i + 1).padStart(6, '0')}`;
/** The Feishu message id of the reviewer's card of project i (recorded by the seed). */
export const cardIdOf = (i: number) => `om_bench_${i}`;
