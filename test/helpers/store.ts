import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { createPgSchema, PG_URL } from './servers.js';

/** A fresh, migrated SQLite store in a temp folder. */
export async function sqliteTestStore(): Promise<Store & { dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-test-'));
  const store = openStore({ sqlitePath: path.join(dir, 'opendms.db') });
  await migrateToLatest(store);
  return Object.assign(store, {
    dir,
    close: async () => {
      await store.db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** A fresh, migrated PostgreSQL store in its own schema. */
export async function postgresTestStore(): Promise<Store> {
  const { schema, drop } = await createPgSchema('opendms_store');
  const store = openStore({ databaseUrl: PG_URL, pgSchema: schema });
  await migrateToLatest(store);
  const close = store.close;
  return Object.assign(store, {
    close: async () => {
      await close();
      await drop();
    },
  });
}
