import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './db.js';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Brings the store to the newest schema. Kysely's Migrator takes a lock (a row lock on PostgreSQL),
 * so when several processes start at once one migrates and the others wait, then find nothing to do.
 * A store that has migrations this build does not know is newer than us: refuse to run against it.
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const ctx = { dialect: store.dialect };
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of MIGRATIONS) out[name] = { up: (db) => m.up(db, ctx) };
      return out;
    },
  };
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: 'opendms_migration',
    migrationLockTableName: 'opendms_migration_lock',
  });
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const applied = await appliedMigrations(store);
  const unknown = applied.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `The metadata store has migrations this OpenDMS does not know (${unknown.join(', ')}): ` +
        'it was migrated by a newer version. Upgrade this process instead of starting it.',
    );
  }
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function appliedMigrations(store: Store): Promise<string[]> {
  try {
    const rows = await (store.db as unknown as import('kysely').Kysely<{ opendms_migration: { name: string } }>)
      .selectFrom('opendms_migration')
      .select('name')
      .execute();
    return rows.map((r) => r.name);
  } catch {
    return []; // a new store has no migration table yet
  }
}
