import { applyOverrides, MapProcessRegistry } from '../app/process-registry';
import type { ProcessDefinition } from '../domain/process/definition';
import type { Config } from './env';
import { DEFAULT_PROCESS_FILE, LEGACY_PROCESS_FILE, loadProcessFile } from './process-file';

/**
 * The process versions a deployment runs: version 1 is the v0.1 process (projects migrated from that version run on
 * it), version 2 the current file (PROCESS_FILE or the shipped standard process) for new projects.
 */
export function loadProcesses(config: Config, override?: ProcessDefinition): MapProcessRegistry {
  const overrides = { docDueDays: config.lifecycle.docDueDays };
  const legacy = applyOverrides(loadProcessFile(LEGACY_PROCESS_FILE), overrides);
  const current = applyOverrides(override ?? loadProcessFile(config.processFile ?? DEFAULT_PROCESS_FILE), overrides);
  return new MapProcessRegistry(
    new Map([
      [1, legacy],
      [2, current],
    ]),
    2,
  );
}
