import { and, eq } from 'drizzle-orm';
import type { AdapterState, Platform } from '../platforms/types';
import type { DB } from './db';
import { platformState } from './schema';

/** AdapterState over SQLite, one namespace per platform. Expired values read as absent. */
export class SqliteAdapterState implements AdapterState {
  constructor(
    private readonly db: DB,
    private readonly platform: Platform,
    private readonly now: () => Date,
  ) {}

  get(key: string): string | null {
    const row = this.db
      .select()
      .from(platformState)
      .where(and(eq(platformState.platform, this.platform), eq(platformState.key, key)))
      .get();
    if (!row) return null;
    if (row.expiresAt && row.expiresAt.getTime() <= this.now().getTime()) {
      this.delete(key);
      return null;
    }
    return row.value;
  }

  set(key: string, value: string, expiresAt?: Date): void {
    this.db
      .insert(platformState)
      .values({ platform: this.platform, key, value, expiresAt: expiresAt ?? null })
      .onConflictDoUpdate({
        target: [platformState.platform, platformState.key],
        set: { value, expiresAt: expiresAt ?? null },
      })
      .run();
  }

  delete(key: string): void {
    this.db
      .delete(platformState)
      .where(and(eq(platformState.platform, this.platform), eq(platformState.key, key)))
      .run();
  }
}
