import type Database from 'better-sqlite3';
import type { DB } from './db';

export interface ProcessVersionRow {
  id: number;
  hash: string;
  label: string;
  /** The definition as JSON ('' for version 1 until adoptLegacy filled it). */
  source: string;
  createdAt: Date;
}

/** Hash of the placeholder row 1 the lifecycle migration writes for processes/legacy.yaml. */
export const LEGACY_PLACEHOLDER_HASH = 'legacy';

/** Every process definition projects were started on, by content hash: a project keeps its version for life. */
export class SqliteProcessVersions {
  private readonly byHash: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly fillLegacy: Database.Statement;

  constructor(
    db: DB,
    private readonly now: () => Date = () => new Date(),
  ) {
    const c = db.$client;
    this.byHash = c.prepare('select id from process_versions where hash = ?');
    this.byId = c.prepare('select id, hash, label, source, created_at from process_versions where id = ?');
    this.insert = c.prepare('insert into process_versions (hash, label, source, created_at) values (?, ?, ?, ?)');
    this.fillLegacy = c.prepare(
      `update process_versions set hash = ?, source = ? where id = 1 and hash = '${LEGACY_PLACEHOLDER_HASH}'`,
    );
  }

  /** The version id of this definition, inserted the first time its hash is seen. */
  ensure(hash: string, label: string, sourceJson: string): number {
    const found = this.byHash.get(hash) as { id: number } | undefined;
    if (found) return found.id;
    return Number(this.insert.run(hash, label, sourceJson, this.now().getTime()).lastInsertRowid);
  }

  /**
   * Version 1 is processes/legacy.yaml (every migrated project runs on it). The migration cannot parse YAML, so
   * start-up fills its hash and source once; later calls change nothing. Returns 1.
   */
  adoptLegacy(hash: string, sourceJson: string): number {
    this.fillLegacy.run(hash, sourceJson);
    return 1;
  }

  get(id: number): ProcessVersionRow | null {
    const r = this.byId.get(id) as
      | { id: number; hash: string; label: string; source: string; created_at: number }
      | undefined;
    return r ? { id: r.id, hash: r.hash, label: r.label, source: r.source, createdAt: new Date(r.created_at) } : null;
  }
}
