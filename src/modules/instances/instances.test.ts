/**
 * The instances module against both metadata stores (SQLite, and PostgreSQL when its test server
 * answers): discovery bookkeeping, stable table and column ids, keyword search, delete cascade,
 * and the helpers later ticket types use (resolveTargetDatabase, databaseStakeholders).
 * Targets are SQLite files, or an unreachable address registered with skipTest.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTestStore, sqliteTestStore } from '../../../test/helpers/store.js';
import { describeWithServer } from '../../../test/helpers/servers.js';
import { loadConfig } from '../../config.js';
import { createJobQueue } from '../../jobs/queue.js';
import { SecretBox } from '../../lib/secret-box.js';
import type { Store } from '../../storage/db.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveActor } from '../identity/authentication.js';
import { bootstrap } from '../identity/bootstrap.js';
import { registerUser } from '../identity/users.js';
import { searchDatabases } from './databases.js';
import { applyDiscovery } from './discovery.js';
import * as repo from './instance.repository.js';
import { deleteInstance, registerInstance } from './instances.js';
import { createLogicDatabase, getLogicDatabase } from './logic-databases.js';
import * as metaRepo from './meta.repository.js';
import { listColumns, listTables } from './metadata.js';
import { resolveTargetDatabase, setOwners } from './owners.js';
import { Metrics } from '../../lib/metrics.js';
import { LocalFileStore } from '../../storage/files/local-file-store.js';
import { databaseStakeholders } from './stakeholders.js';

const BASE = { source: 'PUBLIC_OWN', queryTimeoutSeconds: 45, exportTimeoutSeconds: 900 } as const;

function suite(name: string, open: () => Promise<Store>) {
  describe(name, () => {
    let store: Store;
    let deps: Deps;
    let admin: Actor;
    let dataDir: string;

    beforeAll(async () => {
      store = await open();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-inst-'));
      const config = loadConfig({ dataDir }, {});
      const jobs = createJobQueue(store);
      deps = { store, db: store.db, secrets: new SecretBox(crypto.randomBytes(32)), config, now: Date.now, jobs, files: new LocalFileStore(config.filesDir), metrics: new Metrics({ queue: () => jobs.stats(), storePool: () => store.poolUse() }) };
      const boot = await bootstrap(deps, {});
      admin = await resolveActor(deps, boot.userId, boot.tenantId);
      fs.mkdirSync(config.sqliteInstanceDir, { recursive: true });
    });
    afterAll(async () => {
      await store?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    function sqliteTarget(file: string, ddl: string): string {
      const full = path.join(deps.config.sqliteInstanceDir, file);
      const db = new Database(full);
      db.exec(ddl);
      db.close();
      return full;
    }

    it('discovery keeps ids: a vanished database turns NOT_EXIST and comes back NORMAL under the same id', async () => {
      const i = await registerInstance(deps, admin, {
        ...BASE,
        engine: 'PostgreSQL',
        alias: 'unreachable',
        host: '127.0.0.1',
        port: 1,
        envType: 'test',
        databaseUser: 'u',
        databasePassword: 'secret-pw',
        skipTest: true,
      });
      const row = (await repo.findInstanceById(store.db, admin.tenantId, i.instanceId))!;
      expect(row.db_password_enc).not.toContain('secret-pw');
      expect(deps.secrets.decrypt(row.db_password_enc)).toBe('secret-pw');
      expect(await repo.listDbsOfInstance(store.db, i.instanceId)).toEqual([]);

      const discover = (names: string[]) =>
        inTransaction(deps, (tx) => applyDiscovery(tx, row, names.map((n) => ({ name: n, encoding: 'UTF8' }))));
      expect(await discover(['sales_1', 'sales_2'])).toBe(2);
      const first = await repo.listDbsOfInstance(store.db, i.instanceId);
      expect(await discover(['sales_1'])).toBe(0);
      const afterDrop = await repo.listDbsOfInstance(store.db, i.instanceId);
      expect(afterDrop.map((d) => [d.id, d.state])).toEqual([
        [first[0]!.id, 'NORMAL'],
        [first[1]!.id, 'NOT_EXIST'],
      ]);
      expect(await discover(['sales_1', 'sales_2', 'sales_3'])).toBe(1);
      const back = await repo.listDbsOfInstance(store.db, i.instanceId);
      expect(back.map((d) => d.state)).toEqual(['NORMAL', 'NORMAL', 'NORMAL']);
      expect(back[1]!.id).toBe(first[1]!.id);
      expect(back.every((d) => d.catalog_name === d.schema_name && d.env_type === 'test')).toBe(true);
    });

    it('keyword search is case-insensitive and takes % and _ literally', async () => {
      const search = async (s: string) =>
        (await repo.listDbs(store.db, admin.tenantId, { search: s }, { offset: 0, limit: 50 })).rows.map((r) => r.schema_name).sort();
      expect(await search('SALES_')).toEqual(['sales_1', 'sales_2', 'sales_3']);
      expect(await search('%')).toEqual([]);
      expect(await search('les\\_')).toEqual([]);
      expect((await repo.listInstances(store.db, admin.tenantId, { search: '127.0' }, { offset: 0, limit: 10 })).total).toBe(1);

      // A logical database over sales_1 and sales_2 is named after their common stem.
      const rows = (await repo.listDbs(store.db, admin.tenantId, { search: 'sales_' }, { offset: 0, limit: 2 })).rows;
      const logicId = await createLogicDatabase(deps, admin, { alias: 'sales-all', dbIds: rows.map((r) => r.id) });
      expect(await getLogicDatabase(deps, admin, logicId)).toMatchObject({ schemaName: 'sales', engine: 'postgresql', envType: 'test' });
    });

    it('tables and columns keep their ids across listings', async () => {
      const file = sqliteTarget('meta.db', 'create table a (x integer, y text); create table b (z integer);');
      const i = await registerInstance(deps, admin, { ...BASE, engine: 'sqlite', host: file, alias: 'meta', envType: 'dev' });
      const [db] = await repo.listDbsOfInstance(store.db, i.instanceId);
      const page = { number: 1, size: 10 };
      const first = await listTables(deps, admin, db!.id, {}, page);
      expect(first.tables.map((t) => t.name)).toEqual(['a', 'b']);
      const again = await listTables(deps, admin, db!.id, {}, page);
      expect(again.tables.map((t) => t.tableId)).toEqual(first.tables.map((t) => t.tableId));

      const cols = await listColumns(deps, admin, first.tables[0]!.tableId);
      expect(cols.map((c) => c.name)).toEqual(['x', 'y']);
      const more = await metaRepo.upsertColumns(store.db, first.tables[0]!.tableId, ['w', 'x', 'y'], deps.now());
      expect(more.get('x')).toBe(cols[0]!.columnId);
      expect(new Set(more.values()).size).toBe(3);

      // More tables than one multi-row insert holds.
      const many = Array.from({ length: 450 }, (_, n) => ({ schema: 'main', name: `t${n}` }));
      const ids = await metaRepo.upsertTables(store.db, admin.tenantId, db!.id, many, deps.now());
      expect(ids.size).toBe(452);
      expect(ids.get(metaRepo.tableKey('main', 'a'))).toBe(first.tables[0]!.tableId);
    });

    it('resolves tickets targets with decrypted credentials and routes them to owners and DBAs', async () => {
      const dba = await registerUser(deps, admin, { uid: `dba-${name}`, roles: ['DBA'] });
      const owner = await registerUser(deps, admin, { uid: `owner-${name}`, roles: ['USER'] });
      const files = ['shard_01.db', 'shard_02.db'].map((f) => sqliteTarget(f, 'create table t (id integer primary key);'));
      const dbIds: number[] = [];
      for (const [n, file] of files.entries()) {
        const i = await registerInstance(deps, admin, { ...BASE, engine: 'sqlite', host: file, alias: `shard-${n}`, envType: 'product', dba: { userId: dba.userId } });
        dbIds.push((await repo.listDbsOfInstance(store.db, i.instanceId))[0]!.id);
      }
      const logicId = await createLogicDatabase(deps, admin, { alias: 'shards', dbIds });
      await setOwners(deps, admin, { type: 'DATABASE', resourceId: dbIds[0]!, ownerUserIds: [owner.userId] });
      await setOwners(deps, admin, { type: 'LOGIC_DATABASE', resourceId: logicId, ownerUserIds: [owner.userId, admin.userId] });

      const physical = await resolveTargetDatabase(deps, admin, dbIds[0]!, false);
      expect(physical).toMatchObject({ dbId: dbIds[0], logic: false, engine: 'sqlite', envType: 'product', searchName: `main@${files[0]}[shard-0]` });
      expect(physical.members[0]!.spec).toMatchObject({ engine: 'sqlite', host: files[0], queryTimeoutMs: 45_000 });
      expect(physical.members[0]!.exportTimeoutMs).toBe(900_000);

      const logic = await resolveTargetDatabase(deps, admin, logicId, true);
      expect(logic).toMatchObject({ dbId: logicId, logic: true, searchName: 'main[shards]', engine: 'sqlite', envType: 'product' });
      expect(logic.members.map((m) => m.dbId)).toEqual(dbIds);

      expect(await databaseStakeholders(deps, admin.tenantId, [{ dbId: dbIds[0]!, logic: false }])).toEqual({ owners: [owner.userId], dbas: [dba.userId] });
      expect(await databaseStakeholders(deps, admin.tenantId, [{ dbId: dbIds[1]!, logic: false }])).toEqual({ owners: [], dbas: [dba.userId] });
      // a logical database: its own owners, its members' owners and their DBAs
      const routed = await databaseStakeholders(deps, admin.tenantId, [{ dbId: logicId, logic: true }]);
      expect(routed.owners).toEqual([owner.userId, admin.userId].sort((a, b) => a - b));
      expect(routed.dbas).toEqual([dba.userId]);
      await expect(resolveTargetDatabase(deps, { ...admin, tenantId: admin.tenantId + 1000 }, dbIds[0]!, false)).rejects.toMatchObject({ code: 'ResourceNotFound' });

      // A search page continues from physical into logical databases.
      const all = await searchDatabases(deps, admin, { search: 'shard' }, { number: 1, size: 10 });
      expect(all.databases.map((d) => d.logic)).toEqual([false, false, true]);
      const second = await searchDatabases(deps, admin, { search: 'shard' }, { number: 2, size: 2 });
      expect(second).toMatchObject({ total: 3, databases: [{ logic: true, logicDbId: logicId }] });

      // Deleting an instance takes its database out of the group, with owners and table ids.
      await listTables(deps, admin, dbIds[0]!, {}, { number: 1, size: 10 });
      await deleteInstance(deps, admin, { host: files[0]! });
      expect(await repo.findDbById(store.db, admin.tenantId, dbIds[0]!)).toBeUndefined();
      expect((await resolveTargetDatabase(deps, admin, logicId, true)).members.map((m) => m.dbId)).toEqual([dbIds[1]]);
      const leftovers = await Promise.all([
        store.db.selectFrom('resource_owner').select('user_id').where('resource_type', '=', 'DATABASE').where('resource_id', '=', dbIds[0]!).execute(),
        store.db.selectFrom('meta_table').select('id').where('db_id', '=', dbIds[0]!).execute(),
        store.db.selectFrom('logic_db_member').select('db_id').where('db_id', '=', dbIds[0]!).execute(),
      ]);
      expect(leftovers).toEqual([[], [], []]);
    });
  });
}

suite('instances on the SQLite store', sqliteTestStore);
await describeWithServer('postgres', 'instances on the PostgreSQL store', () => suite('PostgreSQL store', postgresTestStore));
