import type { ProcessDefinition } from '../domain/process/definition';
import type { ProcessRegistry } from './ports';

/** Deployment knobs applied on top of every definition (they are not part of its version). */
export interface ProcessOverrides {
  docDueDays: number | null;
}

export const applyOverrides = (def: ProcessDefinition, o: ProcessOverrides): ProcessDefinition =>
  o.docDueDays === null
    ? def
    : { ...def, documents: def.documents.map((d) => ({ ...d, dueDays: o.docDueDays as number })) };

/** A registry over definitions already loaded (from the process_versions table, or in tests). */
export class MapProcessRegistry implements ProcessRegistry {
  constructor(
    private readonly versions: ReadonlyMap<number, ProcessDefinition>,
    private readonly currentVersion: number,
  ) {
    if (!versions.has(currentVersion)) throw new Error(`process version ${currentVersion} is not loaded`);
  }

  current() {
    return { version: this.currentVersion, def: this.get(this.currentVersion) };
  }

  get(version: number): ProcessDefinition {
    const def = this.versions.get(version);
    if (!def) throw new Error(`process version ${version} is unknown`);
    return def;
  }
}
