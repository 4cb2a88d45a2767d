import type { ProcessRegistry } from '../app/ports';
import { applyOverrides } from '../app/process-registry';
import type { ProcessDefinition } from '../domain/process/definition';
import type { SqliteProcessVersions } from '../store/process-versions.repo';
import type { Config } from './env';
import { DEFAULT_PROCESS_FILE, LEGACY_PROCESS_FILE, loadProcessFile } from './process-file';
import { processHash } from './process-hash';

/**
 * The process versions of a deployment, kept in SQLite: version 1 is the v0.1 process (projects migrated from that
 * version run on it); the current file (PROCESS_FILE or the shipped standard process) gets a version by content
 * hash, so an unchanged file keeps its version and a changed one applies to new projects only. Every project runs
 * on the definition stored for its version, whatever the file says today.
 */
export class StoredProcessRegistry implements ProcessRegistry {
  private readonly cache = new Map<number, ProcessDefinition>();
  private currentVersion: number;

  constructor(
    private readonly store: SqliteProcessVersions,
    private readonly config: Config,
    current: ProcessDefinition,
  ) {
    const legacy = loadProcessFile(LEGACY_PROCESS_FILE);
    store.adoptLegacy(processHash(legacy), JSON.stringify(legacy));
    this.currentVersion = store.ensure(processHash(current), current.label, JSON.stringify(current));
    this.cache.set(this.currentVersion, this.withOverrides(current));
  }

  /**
   * Makes `def` the definition for new projects (live reload): stored by content hash, so an unchanged file keeps
   * its version and a changed one becomes a new version. Projects in flight stay on theirs. Returns the version.
   */
  replace(def: ProcessDefinition): number {
    const version = this.store.ensure(processHash(def), def.label, JSON.stringify(def));
    if (!this.cache.has(version)) this.cache.set(version, this.withOverrides(def));
    this.currentVersion = version;
    return version;
  }

  private withOverrides(def: ProcessDefinition): ProcessDefinition {
    return applyOverrides(def, { docDueDays: this.config.lifecycle.docDueDays });
  }

  current() {
    return { version: this.currentVersion, def: this.get(this.currentVersion) };
  }

  get(version: number): ProcessDefinition {
    const cached = this.cache.get(version);
    if (cached) return cached;
    const row = this.store.get(version);
    if (!row?.source) throw new Error(`process version ${version} is not stored`);
    const def = this.withOverrides(JSON.parse(row.source) as ProcessDefinition);
    this.cache.set(version, def);
    return def;
  }
}

export function loadCurrentProcess(config: Config, override?: ProcessDefinition): ProcessDefinition {
  return override ?? loadProcessFile(config.processFile ?? DEFAULT_PROCESS_FILE);
}
