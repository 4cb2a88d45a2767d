/**
 * vitest globalSetup: the tests load the Lark SDK as the bot does, from the compacted copy the build writes
 * (src/platforms/feishu/sdk-file.ts), so that copy is made before any test file runs.
 */
import { compactLarkSdk } from '../../scripts/compact-lark-sdk';

export function setup(): void {
  compactLarkSdk();
}
