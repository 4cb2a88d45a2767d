import { reresolve, resettle } from '../domain/operations';
import { commit } from './commit';
import type { AppDeps } from './deps';

/**
 * After the org file is loaded (start-up): open work bound to people no longer in it is re-bound to the role's current
 * members, one project per transaction, audit-logged as `reresolve`; the new holders get the card. Returns how many
 * projects changed. Must NOT run inside `deps.tx`.
 */
export function reresolveLeavers(deps: AppDeps): number {
  let changed = 0;
  for (const regNo of deps.tx(() => deps.work.orphaned())) {
    changed += deps.tx(() => {
      const p = deps.projects.get(regNo);
      if (!p) return 0;
      const at = deps.clock.now();
      const res = reresolve(p, deps.processes.get(p.delivery.processVersion), deps.org.view(), at);
      if (!res.ok) return 0;
      if (!deps.projects.update(res.value.next, p)) return 0;
      commit(deps, res.value, { user: 'system', platform: 'local' }, p.regNo, at, res.value.effects);
      deps.logger.info('work of people who left re-resolved', { regNo, reason: res.value.record.reason });
      return 1;
    });
  }
  // Holds list who holds a step now (for /mine and the nudges): members who joined or left a role are reflected.
  for (const regNo of deps.tx(() => deps.work.heldProjects())) {
    deps.tx(() => {
      const p = deps.projects.get(regNo);
      const next = p && resettle(p, deps.processes.get(p.delivery.processVersion), deps.org.view());
      if (p && next) deps.projects.update(next, p);
    });
  }
  return changed;
}
