/**
 * Composition-root glue for the directory (issue 12): one pass at a time over the org in force, the store reloaded
 * with what was found, the waiting cards sent to people just found, and one log line naming who is not reachable.
 */
import type { AppDeps } from './app/deps';
import { type Directory, describeUnresolved, type ResolveReport } from './app/directory';
import { notifyNewlyReachable, reachGained, reachOf } from './app/new-holders';
import type { OrgHolder } from './app/org-holder';
import type { Logger } from './shared/logger';

export interface DirectoryRunner {
  /** A pass now (only what has no answer yet, unless `refresh`); a caller during a pass shares it. */
  resolve(opts?: { refresh?: boolean }): Promise<ResolveReport>;
  /** In the background: after the start-up, or after a pass already running (its org may be the previous one). */
  resolveSoon(): void;
  /** Whether any running platform has a contact API (else there is nothing to resolve or schedule). */
  active: boolean;
}

export function createDirectoryRunner(r: {
  directory: Directory;
  org: OrgHolder;
  deps: AppDeps;
  logger: Logger;
  /** Deliver what was queued. */
  kick: () => void;
}): DirectoryRunner {
  let pass: Promise<ResolveReport> | null = null;
  const resolve = (o: { refresh?: boolean } = {}): Promise<ResolveReport> => {
    pass ??= (async () => {
      const report = await r.directory.resolve(r.org.current(), o);
      const before = reachOf(
        r.deps,
        r.org.current().users.map((u) => u.id),
      );
      r.org.apply();
      // People just found hold waiting work they never got a card for on that platform: send it now.
      if (notifyNewlyReachable(r.deps, reachGained(r.deps, before))) r.kick();
      const lines = describeUnresolved(report.unresolved, { maskMobiles: true });
      const fields = { asked: report.asked, found: report.found, notFound: report.notFound, failed: report.failed };
      if (lines.length) r.logger.warn(`directory: ${lines.length} not reachable\n  ${lines.join('\n  ')}`, fields);
      else if (report.asked) r.logger.info('directory: everyone resolved', fields);
      return report;
    })().finally(() => {
      pass = null;
    });
    return pass;
  };
  const active = r.directory.platforms().length > 0;
  return {
    resolve,
    active,
    resolveSoon() {
      if (!active) return;
      const running = pass?.catch(() => undefined) ?? Promise.resolve();
      void running
        .then(() => resolve())
        .catch((e) => r.logger.error('directory pass failed', { error: e instanceof Error ? e.message : String(e) }));
    },
  };
}
