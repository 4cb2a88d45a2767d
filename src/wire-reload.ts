import { reresolveLeavers } from './app/org-changes';
/**
 * Live reload of the org and process files (issue 12): both files are re-read together; a file that does not parse,
 * or an org that leaves a role of the process without members, is refused with its key paths in the log and the
 * previous one stays in force. A valid org takes effect at once (new holders of waiting steps and tasks get their
 * cards); a valid, changed process file becomes a new version for new projects.
 */

import { readFileSync } from 'node:fs';
import type { AppDeps } from './app/deps';
import { notifyNewHolders } from './app/new-holders';
import type { OrgHolder } from './app/org-holder';
import { type OrgFile, OrgFileError, parseOrgFile } from './config/org-file';
import { checkOrgAgainstProcess, WARNING } from './config/org-process';
import { loadProcessFile, ProcessFileError } from './config/process-file';
import type { StoredProcessRegistry } from './config/processes';
import type { ProcessDefinition } from './domain/process/definition';
import type { Logger } from './shared/logger';

export type ReloadOutcome = 'unchanged' | 'reloaded' | 'refused' | 'not watched';

export interface ReloadResult {
  org: ReloadOutcome;
  process: ReloadOutcome;
  /** What was wrong (key paths), when something was refused. */
  problems: string[];
  /** Cards queued for people who hold waiting work under the new org. */
  cards: number;
  /** The process version for new projects after the reload. */
  processVersion: number;
}

export interface ReloaderDeps {
  orgFile: string | undefined;
  processFile: string | undefined;
  holder: OrgHolder;
  processes: StoredProcessRegistry;
  deps: AppDeps;
  logger: Logger;
  /** After the org changed: deliver the queued cards, look up new people's contacts. */
  afterOrgChange: () => void;
}

export function createReloader(r: ReloaderDeps): (why?: string) => ReloadResult {
  return (why = 'reload') => {
    const problems: string[] = [];
    let org: OrgFile | null = null;
    let def: ProcessDefinition | null = null;
    let orgOutcome: ReloadOutcome = r.orgFile ? 'unchanged' : 'not watched';
    let processOutcome: ReloadOutcome = r.processFile ? 'unchanged' : 'not watched';
    if (r.orgFile) {
      try {
        const next = parseOrgFile(readFileSync(r.orgFile, 'utf8'), r.orgFile);
        if (JSON.stringify(next) !== JSON.stringify(r.holder.current())) org = next;
      } catch (e) {
        orgOutcome = 'refused';
        problems.push(e instanceof OrgFileError ? e.message : `cannot read ORG_FILE ${r.orgFile}: ${String(e)}`);
      }
    }
    if (r.processFile) {
      try {
        def = loadProcessFile(r.processFile);
      } catch (e) {
        processOutcome = 'refused';
        problems.push(e instanceof ProcessFileError ? e.message : String(e));
      }
    }
    if (org || def) {
      // The org in force must staff every role of the process for new projects, whichever of the two changed.
      const check = checkOrgAgainstProcess(org ?? r.holder.current(), [def ?? r.processes.current().def]);
      const errors = check.filter((p) => !p.startsWith(WARNING));
      if (errors.length) {
        problems.push(`the organisation does not fit the process:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
        if (org) orgOutcome = 'refused';
        if (def) processOutcome = 'refused';
        org = null;
        def = null;
      }
    }
    for (const p of problems)
      r.logger.error('config file refused; the previous one stays in force', { why, problems: p });
    const before = r.processes.current().version;
    if (def && r.processes.replace(def) !== before) {
      processOutcome = 'reloaded';
      r.logger.info('process file reloaded: new projects use the new version', {
        why,
        file: r.processFile,
        version: r.processes.current().version,
      });
    }
    let cards = 0;
    if (org) {
      const old = r.deps.org.view();
      r.holder.replace(org);
      cards = notifyNewHolders(r.deps, old);
      // Work bound to people no longer in the file goes to the role's current members (issue 10, finding 7).
      const reresolved = reresolveLeavers(r.deps);
      if (reresolved) r.logger.info('open work of people who left re-resolved', { projects: reresolved });
      orgOutcome = 'reloaded';
      r.logger.info('org file reloaded', { why, file: r.orgFile, users: org.users.length, cards });
      r.afterOrgChange();
    }
    return { org: orgOutcome, process: processOutcome, problems, cards, processVersion: r.processes.current().version };
  };
}
