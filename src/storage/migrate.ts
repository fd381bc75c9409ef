import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import type { Store } from './db.js';
import { MIGRATIONS } from './migrations/index.js';

/** Arbitrary constant naming OpenDMS's migration lock among PostgreSQL advisory locks. */
const PG_MIGRATION_LOCK = 0x0d5_0001;

/**
 * Brings the store to the newest schema. When several processes start at once, one migrates and
 * the others wait, then find nothing to do: on PostgreSQL a session advisory lock held on one
 * connection serializes them (Kysely's own lock table cannot, since creating that table races);
 * SQLite has a single writer. A store that has migrations this build does not know is newer than
 * us: refuse to run against it.
 */
export async function migrateToLatest(store: Store): Promise<string[]> {
  if (store.dialect === 'sqlite') return migrateWith(store, store.db);
  // Kysely's migrator looks for its tables by introspecting every schema of the database; another
  // application dropping a schema at that moment fails the introspection ("schema … does not
  // exist", about a schema not ours). That is worth a retry, not a refusal to start.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migratePostgres(store);
    } catch (e) {
      const m = /(?:schema|relation) "([^"]+)" does not exist/.exec((e as Error).message ?? '');
      const ours = store.postgres!.schema;
      if (!m || m[1] === ours || m[1]!.startsWith(`${ours}.`) || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

function migratePostgres(store: Store): Promise<string[]> {
  return store.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${PG_MIGRATION_LOCK})`.execute(conn);
    try {
      return await migrateWith(store, conn);
    } finally {
      await sql`select pg_advisory_unlock(${PG_MIGRATION_LOCK})`.execute(conn);
    }
  });
}

async function migrateWith(store: Store, db: Kysely<Database>): Promise<string[]> {
  const ctx = { dialect: store.dialect };
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of MIGRATIONS) out[name] = { up: (db) => m.up(db, ctx) };
      return out;
    },
  };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'opendms_migration',
    migrationLockTableName: 'opendms_migration_lock',
    // Kysely looks for its tables across all schemas unless told which: name ours, or a second
    // OpenDMS store in another schema of the same database would hide it.
    ...(store.postgres ? { migrationTableSchema: store.postgres.schema } : {}),
  });
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const applied = await appliedMigrations(db);
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

/** Names of the migrations the store has applied; [] for a new store. */
export async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  try {
    const rows = await (db as unknown as Kysely<{ opendms_migration: { name: string } }>)
      .selectFrom('opendms_migration')
      .select('name')
      .execute();
    return rows.map((r) => r.name);
  } catch {
    return []; // a new store has no migration table yet
  }
}
