/**
 * Instances, databases, logical databases, tables, columns and owners through the real clients
 * (pop-core GET/POST and openapi-client V3), on real targets: SQLite files always, PostgreSQL and
 * MariaDB when their test servers answer (always under CI). Also: permissions per role, tenant
 * isolation, and that no response ever carries a database password.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, gatewayError, ok, openapi, pop, startTestServer, type Body, type Key, type TestServer } from '../helpers/server.js';
import { createMysqlDatabase, createPgDatabase, describeWithServer, MYSQL_URL, parsedMysqlUrl, parsedPgUrl } from '../helpers/servers.js';

let srv: TestServer;
let sqliteDir: string;
let admin: Caller;
let dora: Caller & { userId: number }; // DBA
let uma: Caller & { userId: number }; // USER
let owen: { userId: number }; // USER, only ever an owner
let bob: Caller; // ADMIN of another tenant
let tenantB: number;

/** Every response body seen, to check at the end that no password ever left the server. */
const bodies: string[] = [];
const passwords: string[] = [];

type Caller = (action: string, params?: Record<string, unknown>, method?: 'GET' | 'POST') => Promise<Body>;

function caller(key: Key): Caller {
  const call = pop(srv, key);
  return async (action, params = {}, method = 'POST') => {
    const body = await call(action, params, method);
    bodies.push(JSON.stringify(body));
    return body;
  };
}

/** openapi-client V3, parameters in the query as the DMS SDK sends them. */
function v3(key: Key): Caller {
  const call = openapi(srv, key);
  return async (action, params = {}, method = 'POST') => {
    const res = await call(action, params, undefined, method);
    bodies.push(JSON.stringify(res.body));
    return res.body;
  };
}

function failed(body: Body, code: string): Body {
  expect(body, JSON.stringify(body)).toMatchObject({ Success: false, ErrorCode: code });
  return body;
}

const BASE = { InstanceAlias: 'instance', ExportTimeout: 600, QueryTimeout: 60, InstanceSource: 'PUBLIC_OWN', SafeRule: 'default', NetworkType: 'VPC' };

beforeAll(async () => {
  srv = await startTestServer();
  sqliteDir = srv.server.deps.config.sqliteInstanceDir;
  admin = caller(srv.admin);
  const d = await createUser(srv, 'dora', 'DBA');
  const u = await createUser(srv, 'uma', 'USER');
  owen = await createUser(srv, 'owen', 'USER');
  dora = Object.assign(caller(d), { userId: d.userId });
  uma = Object.assign(caller(u), { userId: u.userId });
  tenantB = ok(await admin('CreateTenant', { TenantName: 'tenant-b' })).Tid;
  bob = caller(await createUser(srv, 'bob', 'ADMIN', tenantB));
});
afterAll(async () => {
  await srv?.close();
});

function sqliteFile(name: string): string {
  const file = path.join(sqliteDir, name);
  const db = new Database(file);
  db.exec(`create table items (id integer primary key, name varchar(40) not null, price decimal(10,2) default 0);
           create view cheap_items as select * from items where price < 10;`);
  db.close();
  return file;
}

describe('SQLite instances (Host is a file under the SQLite folder)', () => {
  let fileA: string;
  let fileB: string;
  let instanceA: string;
  let dbA: string;
  let dbB: string;
  let itemsTableId: string;

  beforeAll(() => {
    fs.mkdirSync(sqliteDir, { recursive: true });
    fileA = sqliteFile('shop_01.db');
    fileB = sqliteFile('shop_02.db');
  });

  it('refuses other engines, files outside the folder, unknown DBAs and callers without ADMIN/DBA', async () => {
    const oracle = failed(await admin('RegisterInstance', { ...BASE, InstanceType: 'Oracle', Host: 'db', Port: 1521, DatabaseUser: 'u', DatabasePassword: 'p', EnvType: 'dev', DbaUid: 'admin' }), 'NotSupported');
    expect(oracle.ErrorMessage).toContain('mysql, mariadb, postgresql, sqlite');
    for (const host of ['/etc/passwd', '../outside.db']) {
      const e = failed(await admin('RegisterInstance', { ...BASE, InstanceType: 'sqlite', Host: host, EnvType: 'dev', DbaUid: 'admin' }), 'InvalidHost');
      expect(e.ErrorMessage).toContain('Host');
    }
    failed(await admin('RegisterInstance', { ...BASE, InstanceType: 'sqlite', Host: fileA, EnvType: 'dev', DbaUid: 'bob' }), 'UserNotExist');
    failed(await uma('RegisterInstance', { ...BASE, InstanceType: 'sqlite', Host: fileA, EnvType: 'dev', DbaUid: 'uma' }), 'NoPermission');
    failed(await admin('RegisterInstance', { ...BASE, InstanceType: 'mysql', Host: '127.0.0.1', EnvType: 'dev', DbaUid: 'admin' }), 'MissingPort');
    const missing = await gatewayError(pop(srv, srv.admin)('RegisterInstance', { ...BASE, InstanceType: 'sqlite', Host: fileA, DbaUid: 'admin' }));
    expect(missing.code).toBe('MissingEnvType');
    expect(ok(await admin('ListInstances')).TotalCount).toBe(0);
  });

  it('a DBA registers a file; discovery gives one database with its tables and columns, under stable ids', async () => {
    ok(await dora('RegisterInstance', { ...BASE, InstanceType: 'SQLite', Host: fileA, InstanceAlias: 'shop-01', EnvType: 'TEST', DbaUid: 'dora' }));
    failed(await dora('RegisterInstance', { ...BASE, InstanceType: 'sqlite', Host: fileA, InstanceAlias: 'again', EnvType: 'test', DbaUid: 'dora' }), 'ResourceAlreadyExists');

    const instance = ok(await admin('GetInstance', { Host: fileA }, 'GET')).Instance;
    expect(instance).toMatchObject({
      InstanceType: 'sqlite',
      InstanceAlias: 'shop-01',
      EnvType: 'test',
      Host: fileA,
      Port: 0,
      DbaId: String(dora.userId),
      DbaNickName: 'dora',
      QueryTimeout: 60,
      ExportTimeout: 600,
      DatabasePassword: '******',
      SafeRuleId: 'default',
      SellSitd: 'false',
      State: 'NORMAL',
      OwnerIdList: { OwnerIds: [] },
      OwnerNameList: { OwnerNames: [] },
    });
    instanceA = instance.InstanceId;
    expect(instanceA).toMatch(/^\d+$/);

    const list = ok(await uma('ListDatabases', { InstanceId: instanceA }));
    expect(list.TotalCount).toBe(1);
    const [db] = list.DatabaseList.Database;
    expect(db).toMatchObject({
      SchemaName: 'main',
      CatalogName: 'main',
      DbType: 'sqlite',
      EnvType: 'test',
      InstanceId: instanceA,
      DbaId: String(dora.userId),
      DbaName: 'dora',
      State: 'NORMAL',
      SearchName: `main@${fileA}[shop-01]`,
    });
    dbA = db.DatabaseId;
    expect(typeof dbA).toBe('string');
    expect(ok(await admin('GetDatabase', { Host: fileA, SchemaName: 'main' })).Database).toMatchObject({ DatabaseId: dbA, InstanceAlias: 'shop-01' });
    expect(ok(await uma('GetPhysicalDatabase', { DbId: dbA }, 'GET')).Database).toMatchObject({ DatabaseId: dbA, Host: fileA });

    const tables = ok(await uma('ListTables', { DatabaseId: dbA, ReturnGuid: true }));
    expect(tables.TotalCount).toBe(2);
    const byName = Object.fromEntries(tables.TableList.Table.map((t: Body) => [t.TableName, t]));
    expect(byName.items).toMatchObject({ DatabaseId: dbA, TableSchemaName: 'main', TableType: 'NORMAL', TableGuid: `IDB_${dbA}.main.items` });
    expect(byName.cheap_items).toMatchObject({ TableType: 'VIEW' });
    itemsTableId = byName.items.TableId;
    const again = ok(await admin('ListTables', { DatabaseId: dbA, SearchName: 'ITEM', PageSize: 1 }));
    expect(again.TotalCount).toBe(2);
    expect(again.TableList.Table[0].TableId).toBe(byName.cheap_items.TableId);

    const columns = ok(await uma('ListColumns', { TableId: itemsTableId })).ColumnList.Column;
    expect(columns.map((c: Body) => c.ColumnName)).toEqual(['id', 'name', 'price']);
    expect(columns[0]).toMatchObject({ AutoIncrement: true, SecurityLevel: 'INNER', Sensitive: false });
    expect(columns[1]).toMatchObject({ ColumnType: 'varchar(40)', Nullable: false, AutoIncrement: false });
    expect(columns[2]).toMatchObject({ DefaultValue: '0', Nullable: true });
    const columnsAgain = ok(await admin('ListColumns', { TableId: itemsTableId })).ColumnList.Column;
    expect(columnsAgain.map((c: Body) => c.ColumnId)).toEqual(columns.map((c: Body) => c.ColumnId));
  });

  it('UpdateInstance changes environment, DBA, alias and timeouts; the databases follow', async () => {
    const update = { ...BASE, InstanceId: instanceA, InstanceType: 'sqlite', Host: fileA, InstanceAlias: 'shop-01b', EnvType: 'product', DbaId: String(srv.admin.userId), SafeRuleId: 'strict', QueryTimeout: 30, ExportTimeout: 1200 };
    failed(await uma('UpdateInstance', update), 'NoPermission');
    failed(await admin('UpdateInstance', { ...update, InstanceType: 'postgresql', Port: 5432, DatabaseUser: 'u', DatabasePassword: 'p' }), 'InvalidInstanceType');
    failed(await admin('UpdateInstance', { ...update, DbaId: '999999' }), 'UserNotExist');
    ok(await v3(srv.admin)('UpdateInstance', update));
    const instance = ok(await admin('ListInstances', { EnvType: 'PRODUCT' })).InstanceList.Instance;
    expect(instance).toHaveLength(1);
    expect(instance[0]).toMatchObject({ InstanceAlias: 'shop-01b', EnvType: 'product', DbaId: String(srv.admin.userId), QueryTimeout: 30, ExportTimeout: 1200, SafeRuleId: 'strict', SellSitd: false });
    const db = ok(await admin('GetPhysicalDatabase', { DbId: dbA })).Database;
    expect(db).toMatchObject({ DatabaseId: dbA, EnvType: 'product', DbaId: String(srv.admin.userId), SearchName: `main@${fileA}[shop-01b]` });
    expect(ok(await admin('ListInstances', { EnvType: 'test' })).TotalCount).toBe(0);
    expect(ok(await admin('ListInstances', { DbType: 'SQLITE', SearchKey: 'shop-01' })).TotalCount).toBe(1);
    expect(ok(await admin('ListInstances', { DbType: 'oracle' })).TotalCount).toBe(0);
  });

  it('logical databases: create, list, get, search, edit and delete, with member rules', async () => {
    ok(await admin('AddInstance', { ...BASE, InstanceType: 'sqlite', Host: 'shop_02.db', InstanceAlias: 'shop-02', EnvType: 'product', EnableSellTrust: 'N' }));
    const second = ok(await admin('GetInstance', { Host: 'shop_02.db', Port: 0 })).Instance;
    expect(second.DbaId).toBe(String(srv.admin.userId)); // AddInstance without DbaId: the caller
    expect(second.Host).toBe(fileB); // stored as the absolute path: one file, one instance
    failed(await admin('AddInstance', { ...BASE, InstanceType: 'sqlite', Host: fileB, EnvType: 'product', EnableSellTrust: 'N' }), 'ResourceAlreadyExists');
    dbB = ok(await admin('GetDatabase', { Host: 'shop_02.db', Port: 0, SchemaName: 'main' })).Database.DatabaseId;

    failed(await uma('CreateLogicDatabase', { Alias: 'shop', DatabaseIds: JSON.stringify([Number(dbA), Number(dbB)]) }), 'NoPermission');
    const logicId = ok(await dora('CreateLogicDatabase', { Alias: 'shop', DatabaseIds: JSON.stringify([Number(dbA), Number(dbB)]) })).LogicDbId;
    expect(typeof logicId).toBe('number');
    failed(await admin('CreateLogicDatabase', { Alias: 'other', DatabaseIds: `[${dbA}]` }), 'InvalidDatabaseIds');
    failed(await admin('CreateLogicDatabase', { Alias: 'ghost', DatabaseIds: '[987654]' }), 'ResourceNotFound');

    const expected = {
      Alias: 'shop',
      DatabaseId: String(logicId),
      DatabaseIds: { DatabaseIds: [Number(dbA), Number(dbB)] },
      DbType: 'sqlite',
      EnvType: 'product',
      Logic: true,
      SchemaName: 'main',
      SearchName: 'main[shop]',
    };
    const list = ok(await uma('ListLogicDatabases', {}, 'GET'));
    expect(list.TotalCount).toBe(1);
    expect(list.LogicDatabaseList.LogicDatabase[0]).toMatchObject(expected);
    expect(ok(await uma('GetLogicDatabase', { DbId: String(logicId) })).LogicDatabase).toMatchObject(expected);
    const logicOnly = ok(await uma('SearchDatabase', { SearchTarget: 'LOGIC_DB' }));
    expect(logicOnly.SearchDatabaseList.SearchDatabase).toEqual([expect.objectContaining({ Logic: true, DatabaseId: String(logicId), Alias: 'shop' })]);
    const both = ok(await uma('SearchDatabase', { PageSize: 2, PageNumber: 2 }));
    expect(both.TotalCount).toBe(3);
    expect(both.SearchDatabaseList.SearchDatabase).toEqual([expect.objectContaining({ Logic: true })]);

    ok(await admin('EditLogicDatabase', { LogicDbId: logicId, Alias: 'shop-one', DatabaseIds: `[${dbA}]` }));
    expect(ok(await admin('GetLogicDatabase', { DbId: String(logicId) })).LogicDatabase).toMatchObject({ Alias: 'shop-one', DatabaseIds: { DatabaseIds: [Number(dbA)] } });
    failed(await uma('DeleteLogicDatabase', { LogicDbId: logicId }), 'NoPermission');
    ok(await admin('DeleteLogicDatabase', { LogicDbId: logicId }));
    failed(await admin('GetLogicDatabase', { DbId: String(logicId) }), 'ResourceNotFound');
    expect(ok(await admin('GetPhysicalDatabase', { DbId: dbA })).Database.State).toBe('NORMAL');
  });

  it('SetOwners and ListUserOwnedResources', async () => {
    failed(await uma('SetOwners', { ResourceId: dbA, OwnerType: 'DATABASE', OwnerIds: String(uma.userId) }), 'NoPermission');
    failed(await admin('SetOwners', { ResourceId: dbA, OwnerType: 'LOGIC_TABLE', OwnerIds: String(uma.userId) }), 'NotSupported');
    failed(await admin('SetOwners', { ResourceId: '987654', OwnerType: 'DATABASE', OwnerIds: String(uma.userId) }), 'ResourceNotFound');
    const bobId = ok(await bob('GetUser')).User.UserId;
    failed(await admin('SetOwners', { ResourceId: dbA, OwnerType: 'DATABASE', OwnerIds: bobId }), 'UserNotExist');

    ok(await dora('SetOwners', { ResourceId: dbA, OwnerType: 'database', OwnerIds: `${uma.userId},${owen.userId}` }));
    ok(await admin('SetOwners', { ResourceId: instanceA, OwnerType: 'INSTANCE', OwnerIds: String(owen.userId) }));
    ok(await admin('SetOwners', { ResourceId: itemsTableId, OwnerType: 'TABLE', OwnerIds: String(owen.userId) }));

    const db = ok(await uma('ListDatabases', { InstanceId: instanceA })).DatabaseList.Database[0];
    expect(db.OwnerIdList).toEqual({ OwnerIds: [String(uma.userId), String(owen.userId)] });
    expect(db.OwnerNameList).toEqual({ OwnerNames: ['uma', 'owen'] });
    expect(ok(await uma('GetInstance', { Host: fileA })).Instance.OwnerNameList).toEqual({ OwnerNames: ['owen'] });
    const items = ok(await uma('ListTables', { DatabaseId: dbA, SearchName: 'items' })).TableList.Table.find((t: Body) => t.TableName === 'items');
    expect(items.OwnerIdList).toEqual({ OwnerIds: [String(owen.userId)] });

    const mine = ok(await uma('ListUserOwnedResources', { UserId: String(uma.userId), OwnerType: 'DATABASE' }));
    expect(mine.TotalCount).toBe(1);
    expect(mine.Data.resourceList[0]).toMatchObject({ DbId: dbA, InstanceId: instanceA, DbType: 'sqlite', EnvType: 'product', Logic: false, SchemaName: 'main', Host: fileA });
    failed(await uma('ListUserOwnedResources', { UserId: String(owen.userId), OwnerType: 'DATABASE' }), 'NoPermission');
    const owensTables = ok(await dora('ListUserOwnedResources', { UserId: String(owen.userId), OwnerType: 'TABLE' }));
    expect(owensTables.Data.resourceList).toEqual([expect.objectContaining({ TableId: itemsTableId, TableName: 'items', DbId: dbA })]);
    const owensInstances = ok(await dora('ListUserOwnedResources', { UserId: String(owen.userId), OwnerType: 'INSTANCE', EnvType: 'product' }));
    expect(owensInstances.Data.resourceList).toEqual([expect.objectContaining({ InstanceId: instanceA, DbType: 'sqlite' })]);

    const owned = ok(await uma('SearchDatabase', { SearchRange: 'OWNER' }));
    expect(owned.SearchDatabaseList.SearchDatabase.map((d: Body) => d.DatabaseId)).toEqual([dbA]);
    expect(ok(await uma('SearchDatabase', { SearchRange: 'MY_FOCUS' })).TotalCount).toBe(0);
  });

  it('a user of another tenant sees none of it and cannot touch it', async () => {
    expect(ok(await bob('ListInstances')).TotalCount).toBe(0);
    expect(ok(await bob('SearchDatabase', {})).TotalCount).toBe(0);
    expect(ok(await bob('ListLogicDatabases')).TotalCount).toBe(0);
    failed(await bob('GetInstance', { Host: fileA }), 'MissingPort');
    failed(await bob('GetInstance', { Host: fileA, Port: 0 }), 'ResourceNotFound');
    failed(await bob('GetPhysicalDatabase', { DbId: dbA }), 'ResourceNotFound');
    failed(await bob('GetDatabase', { Host: fileA, Port: 0, SchemaName: 'main' }), 'ResourceNotFound');
    failed(await bob('ListDatabases', { InstanceId: instanceA }), 'ResourceNotFound');
    failed(await bob('ListTables', { DatabaseId: dbA }), 'ResourceNotFound');
    failed(await bob('ListColumns', { TableId: itemsTableId }), 'ResourceNotFound');
    failed(await bob('SetOwners', { ResourceId: instanceA, OwnerType: 'INSTANCE', OwnerIds: '1' }), 'ResourceNotFound');
    failed(await bob('DeleteInstance', { Host: fileA, Port: 0 }), 'ResourceNotFound');
    failed(await bob('UpdateInstance', { ...BASE, InstanceId: instanceA, InstanceType: 'sqlite', Host: fileA, InstanceAlias: 'x', EnvType: 'dev', DbaId: '1', SafeRuleId: 'x' }), 'ResourceNotFound');
    failed(await bob('CreateLogicDatabase', { Alias: 'steal', DatabaseIds: `[${dbA}]` }), 'ResourceNotFound');
    failed(await bob('ListInstances', { Tid: srv.admin.tid }), 'InvalidTid');
    // Still all there for tenant A.
    expect(ok(await admin('GetPhysicalDatabase', { DbId: dbA })).Database.OwnerIdList.OwnerIds).toHaveLength(2);
  });

  it('DeleteInstance removes its databases, their owners and logical-database memberships', async () => {
    const logicId = ok(await admin('CreateLogicDatabase', { Alias: 'second', DatabaseIds: `[${dbB}]` })).LogicDbId;
    ok(await admin('SetOwners', { ResourceId: dbB, OwnerType: 'DATABASE', OwnerIds: String(uma.userId) }));
    expect(ok(await uma('ListUserOwnedResources', { UserId: String(uma.userId), OwnerType: 'DATABASE' })).TotalCount).toBe(2);
    failed(await uma('DeleteInstance', { Host: 'shop_02.db', Port: 0 }), 'NoPermission');
    ok(await dora('DeleteInstance', { Host: 'shop_02.db' }));
    failed(await admin('GetPhysicalDatabase', { DbId: dbB }), 'ResourceNotFound');
    failed(await admin('GetInstance', { Host: 'shop_02.db', Port: 0 }), 'ResourceNotFound');
    expect(ok(await admin('GetLogicDatabase', { DbId: String(logicId) })).LogicDatabase.DatabaseIds.DatabaseIds).toEqual([]);
    expect(ok(await uma('ListUserOwnedResources', { UserId: String(uma.userId), OwnerType: 'DATABASE' })).TotalCount).toBe(1);
    expect(ok(await admin('ListInstances')).TotalCount).toBe(1);
    ok(await admin('DeleteLogicDatabase', { LogicDbId: logicId }));
  });
});

describe('server instances that cannot be reached', () => {
  it('are refused unless SkipTest, which registers them without databases', async () => {
    const unreachable = { ...BASE, InstanceType: 'PostgreSQL', Host: '127.0.0.1', Port: 1, DatabaseUser: 'nobody', DatabasePassword: 'pw-unreachable-1', EnvType: 'dev', DbaUid: 'admin' };
    passwords.push(unreachable.DatabasePassword);
    const e = failed(await admin('RegisterInstance', unreachable), 'ConnectionFailed');
    expect(e.ErrorMessage).toContain('127.0.0.1:1');
    ok(await admin('RegisterInstance', { ...unreachable, SkipTest: true }));
    const instance = ok(await admin('GetInstance', { Host: '127.0.0.1', Port: 1 })).Instance;
    expect(ok(await admin('ListDatabases', { InstanceId: instance.InstanceId })).TotalCount).toBe(0);
    failed(await admin('SyncInstanceMeta', { InstanceId: instance.InstanceId }), 'ConnectionFailed');
    ok(await admin('DeleteInstance', { Host: '127.0.0.1', Port: 1 }));
  });
});

await describeWithServer('postgres', 'PostgreSQL instances', () => {
  const { host, port, user, password } = parsedPgUrl();
  // Under trust authentication any password is accepted; it must still never come back.
  const dbPassword = password || `pg-${crypto.randomBytes(6).toString('hex')}`;
  let target: Awaited<ReturnType<typeof createPgDatabase>>;
  let extra: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
  let instanceId: string;
  let dbId: string;

  beforeAll(async () => {
    passwords.push(dbPassword);
    target = await createPgDatabase('odms_inst');
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    await c.query(`create table orders (id bigserial primary key, customer varchar(64) not null, total numeric(10,2) default 0);
                   comment on table orders is 'Customer orders';
                   comment on column orders.customer is 'who ordered';
                   create schema sales;
                   create table sales.leads (id integer generated always as identity primary key, email text);`);
    await c.end();
  });
  afterAll(async () => {
    await target?.drop();
    await extra?.drop();
  });

  it('registers through openapi-client V3 and discovers the database, its tables and columns', async () => {
    const call = v3(srv.admin);
    ok(await call('RegisterInstance', { ...BASE, InstanceType: 'postgresql', Host: host, Port: port, DatabaseUser: user, DatabasePassword: dbPassword, InstanceAlias: 'pg', EnvType: 'dev', DbaUid: 'dora' }));
    instanceId = ok(await call('GetInstance', { Host: host, Port: port })).Instance.InstanceId;
    const found = ok(await call('SearchDatabase', { SearchKey: target.name, SearchTarget: 'SINGLE_DB' }));
    expect(found.TotalCount).toBe(1);
    const db = found.SearchDatabaseList.SearchDatabase[0];
    expect(db).toMatchObject({ SchemaName: target.name, CatalogName: target.name, DbType: 'postgresql', EnvType: 'dev', Host: host, Port: port, Logic: false, Alias: 'pg', DbaId: String(dora.userId) });
    dbId = db.DatabaseId;
    expect(ok(await call('GetDatabase', { Host: host, Port: port, SchemaName: target.name })).Database).toMatchObject({ DatabaseId: dbId, SearchName: `${target.name}@${host}:${port}[pg]` });

    const tables = ok(await call('ListTables', { DatabaseId: dbId })).TableList.Table;
    expect(tables.map((t: Body) => `${t.TableSchemaName}.${t.TableName}`)).toEqual(['public.orders', 'sales.leads']);
    expect(tables[0]).toMatchObject({ Description: 'Customer orders', TableType: 'NORMAL' });
    const columns = ok(await call('ListColumns', { TableId: tables[0].TableId })).ColumnList.Column;
    expect(columns.map((c: Body) => c.ColumnName)).toEqual(['id', 'customer', 'total']);
    expect(columns[0]).toMatchObject({ AutoIncrement: true, Nullable: false });
    expect(columns[1]).toMatchObject({ ColumnType: 'character varying(64)', DataLength: 64, Description: 'who ordered', Nullable: false });
    expect(columns[2]).toMatchObject({ DataPrecision: 10, DataScale: 2 });
    const leads = ok(await call('ListColumns', { TableId: tables[1].TableId })).ColumnList.Column;
    expect(leads.map((c: Body) => c.ColumnName)).toEqual(['id', 'email']);
  });

  it('re-running discovery finds a new database and marks a dropped one NOT_EXIST', async () => {
    extra = await createPgDatabase('odms_inst_new');
    expect(ok(await admin('ListDatabases', { InstanceId: instanceId, SearchKey: extra.name })).TotalCount).toBe(0);
    failed(await uma('SyncInstanceMeta', { InstanceId: instanceId }), 'NoPermission');
    ok(await dora('SyncInstanceMeta', { InstanceId: instanceId, IgnoreTable: true }));
    const list = ok(await admin('ListDatabases', { InstanceId: instanceId, SearchKey: extra.name }));
    expect(list.DatabaseList.Database).toEqual([expect.objectContaining({ SchemaName: extra.name, State: 'NORMAL', EnvType: 'dev' })]);
    const newId = list.DatabaseList.Database[0].DatabaseId;
    await extra.drop();
    extra = undefined;
    ok(await admin('SyncInstanceMeta', { InstanceId: instanceId, IgnoreTable: true }));
    expect(ok(await admin('GetPhysicalDatabase', { DbId: newId })).Database.State).toBe('NOT_EXIST');
    expect(ok(await admin('GetPhysicalDatabase', { DbId: dbId })).Database.State).toBe('NORMAL');
  });
});

await describeWithServer('mysql', 'MariaDB instances', () => {
  const { host, port } = parsedMysqlUrl();
  const login = `odms_${crypto.randomBytes(4).toString('hex')}`;
  const dbPassword = `Pw-${crypto.randomBytes(8).toString('hex')}`;
  const wrongPassword = `Wrong-${crypto.randomBytes(8).toString('hex')}`;
  let target: Awaited<ReturnType<typeof createMysqlDatabase>>;

  async function asRoot(fn: (c: mysql.Connection) => Promise<void>): Promise<void> {
    const c = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: true });
    try {
      await fn(c);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    passwords.push(dbPassword, wrongPassword);
    target = await createMysqlDatabase('odms_inst');
    await asRoot(async (c) => {
      for (const h of ['%', 'localhost']) {
        await c.query(`create user '${login}'@'${h}' identified by '${dbPassword}'`);
        await c.query(`grant all on \`${target.name}\`.* to '${login}'@'${h}'`);
      }
      await c.query(`create table \`${target.name}\`.customers (
        id int auto_increment primary key,
        email varchar(255) not null comment 'login',
        created_at datetime default current_timestamp
      ) engine=InnoDB comment='People'`);
    });
  });
  afterAll(async () => {
    await asRoot(async (c) => {
      for (const h of ['%', 'localhost']) await c.query(`drop user if exists '${login}'@'${h}'`);
    });
    await target?.drop();
  });

  const settings = () => ({ ...BASE, InstanceType: 'MariaDB', Host: host, Port: port, DatabaseUser: login, InstanceAlias: 'maria', EnvType: 'uat', DbaUid: 'admin' });

  it('a wrong password is a business error that does not echo it', async () => {
    const e = failed(await admin('RegisterInstance', { ...settings(), DatabasePassword: wrongPassword }), 'ConnectionFailed');
    expect(e.ErrorMessage).toContain(login);
    expect(ok(await admin('ListInstances', { DbType: 'mariadb' })).TotalCount).toBe(0);
  });

  it('registers with pop-core GET, discovers the granted schema, its tables and columns', async () => {
    ok(await admin('RegisterInstance', { ...settings(), DatabasePassword: dbPassword }, 'GET'));
    const instances = ok(await admin('ListInstances', { DbType: 'MARIADB' })).InstanceList.Instance;
    expect(instances).toEqual([expect.objectContaining({ InstanceType: 'mariadb', EnvType: 'uat', DatabaseUser: login, DatabasePassword: '******', Port: port })]);
    const dbs = ok(await uma('ListDatabases', { InstanceId: instances[0].InstanceId })).DatabaseList.Database;
    expect(dbs).toEqual([expect.objectContaining({ SchemaName: target.name, CatalogName: 'def', Encoding: 'utf8mb4', DbType: 'mariadb', EnvType: 'uat' })]);
    const tables = ok(await uma('ListTables', { DatabaseId: dbs[0].DatabaseId }, 'GET')).TableList.Table;
    expect(tables).toEqual([expect.objectContaining({ TableName: 'customers', TableSchemaName: target.name, Engine: 'InnoDB', Description: 'People', TableType: 'NORMAL' })]);
    const columns = ok(await uma('ListColumns', { TableId: tables[0].TableId }, 'GET')).ColumnList.Column;
    expect(columns.map((c: Body) => c.ColumnName)).toEqual(['id', 'email', 'created_at']);
    expect(columns[0]).toMatchObject({ AutoIncrement: true });
    expect(columns[1]).toMatchObject({ ColumnType: 'varchar(255)', DataLength: 255, Description: 'login', Nullable: false });
    expect(columns[2]).toMatchObject({ Nullable: true });
  });
});

describe('secrets', () => {
  it('no response carried a database password', () => {
    expect(bodies.length).toBeGreaterThan(50);
    for (const secret of passwords) {
      for (const body of bodies) expect(body.includes(secret), `response leaked a password: ${body}`).toBe(false);
    }
  });
});
