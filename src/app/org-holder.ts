import type { OrgFile } from '../config/org-file';
import type { Directory } from './directory';

/**
 * The organisation in force, swappable at run time (live reload) and read through one accessor. What the store
 * holds (users, identities, roles — what every use case reads through `OrgRepo`) is always `current()` with the
 * directory's resolved platform ids filled in; `apply()` rewrites it after a directory pass.
 */
export class OrgHolder {
  constructor(
    private file: OrgFile,
    private readonly load: (org: OrgFile) => void,
    private readonly directory: Directory | null,
  ) {
    this.apply();
  }

  current(): OrgFile {
    return this.file;
  }

  /** Puts a validated org file in force at once (if loading it fails, the previous one stays). */
  replace(next: OrgFile): void {
    this.load(this.filled(next));
    this.file = next;
  }

  /** Loads the current file (plus the resolved ids) into the store. */
  apply(): void {
    this.load(this.filled(this.file));
  }

  private filled(org: OrgFile): OrgFile {
    return this.directory ? this.directory.fill(org) : org;
  }
}
