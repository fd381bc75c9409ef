/**
 * The metadata store on both engines: migrations, the schema snapshot, concurrent migration,
 * refusing a newer store, and the identity repository's contract (nonces included).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as repo from '../modules/identity/identity.repository.js';
import { describeWithServer, createPgSchema, PG_URL } from '../../test/helpers/servers.js';
import { postgresTestStore, sqliteTestStore } from '../../test/helpers/store.js';
import { openStore, type Store } from './db.js';
import { migrateToLatest } from './migrate.js';
import { describeSchema } from './schema-snapshot.js';

function storeSuite(name: 'sqlite' | 'postgres', open: () => Promise<Store>): void {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => store?.close());

  it('matches the committed schema snapshot (npm run schema:snapshot after adding a migration)', async () => {
    const file = path.resolve(import.meta.dirname, 'schema', `${name}.sql`);
    expect(await describeSchema(store)).toBe(fs.readFileSync(file, 'utf8'));
  });

  it('migrating again does nothing', async () => {
    expect(await migrateToLatest(store)).toEqual([]);
  });

  it('refuses a store migrated by a newer version', async () => {
    await store.db.insertInto('opendms_migration' as any).values({ name: '9999_from_the_future', timestamp: new Date().toISOString() } as any).execute();
    await expect(migrateToLatest(store)).rejects.toThrow(/newer version/);
    await store.db.deleteFrom('opendms_migration' as any).where('name' as any, '=', '9999_from_the_future').execute();
  });

  it('identity rows round-trip with numeric ids and times', async () => {
    const now = 1_795_000_000_123;
    const tid = await repo.insertTenant(store.db, 'acme', now);
    const uid = await repo.insertUser(store.db, { uid: `u-${name}`, nickName: 'Łukasz 王芳', activeTenantId: tid }, now);
    await repo.insertMembership(store.db, { tenantId: tid, userId: uid, roles: 'USER,DBA' }, now);
    expect(typeof tid).toBe('number');
    const m = await repo.findMember(store.db, tid, uid);
    expect(m).toMatchObject({ id: uid, nick_name: 'Łukasz 王芳', roles: 'USER,DBA', state: 'NORMAL' });
    const { rows, total } = await repo.listMembers(store.db, tid, { role: 'DBA' }, { offset: 0, limit: 10 });
    expect(total).toBe(1);
    expect(rows[0]!.id).toBe(uid);
    expect((await repo.listMembers(store.db, tid, { role: 'DB' }, { offset: 0, limit: 10 })).total).toBe(0);
    expect((await repo.findTenant(store.db, tid))!.created_at).toBe(now);
  });

  it('a nonce is accepted once; expired ones are purged', async () => {
    expect(await repo.insertNonce(store.db, 'AK1', 'n1', 1000)).toBe(true);
    expect(await repo.insertNonce(store.db, 'AK1', 'n1', 1000)).toBe(false);
    expect(await repo.insertNonce(store.db, 'AK2', 'n1', 1000)).toBe(true);
    const results = await Promise.all(Array.from({ length: 8 }, () => repo.insertNonce(store.db, 'AK3', 'race', 5000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repo.deleteExpiredNonces(store.db, 2000)).toBe(2);
    expect(await repo.insertNonce(store.db, 'AK3', 'race', 5000)).toBe(false);
  });
}

describe('SQLite store', () => storeSuite('sqlite', sqliteTestStore));

await describeWithServer('postgres', 'PostgreSQL store', () => {
  storeSuite('postgres', postgresTestStore);

  it('several processes migrating one store at once: one migrates, the others find it done', async () => {
    const { schema, drop } = await createPgSchema('opendms_race');
    const stores = Array.from({ length: 4 }, () => openStore({ databaseUrl: PG_URL, pgSchema: schema }));
    try {
      const applied = await Promise.all(stores.map((s) => migrateToLatest(s)));
      const total = applied.reduce((n, a) => n + a.length, 0);
      expect(total).toBe(applied.find((a) => a.length > 0)!.length);
      expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await drop();
    }
  });
});
