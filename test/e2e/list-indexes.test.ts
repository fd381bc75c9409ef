/**
 * ListIndexes through @alicloud/pop-core (POST and GET) on real targets: SQLite always, PostgreSQL
 * and MariaDB when their test servers answer (always under CI). The DMS fields (IndexId, IndexName,
 * IndexType, IndexComment, TableId) and the OpenDMS additions Unique and IndexColumns: the primary
 * key, a unique and a non-unique index, a composite index's columns in index order. Permissions
 * as ListColumns: any member of the tenant; another tenant does not see the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayError, ok, pop, type Body } from '../helpers/server.js';
import { registerMaria, registerPg, registerSqlite, startExportEnv, type ExportEnv } from '../helpers/export-flow.js';
import { describeWithServer } from '../helpers/servers.js';

let env: ExportEnv;

beforeAll(async () => {
  env = await startExportEnv();
});
afterAll(async () => env?.close());

/** The TableId ListTables gives `name` in the database. */
async function tableId(dbId: number, name: string): Promise<string> {
  const tables = ok(await env.as(env.ulla)('ListTables', { DatabaseId: dbId, SearchName: name })).TableList.Table as Body[];
  const t = tables.find((x) => x.TableName === name);
  expect(t, `table ${name} in ${JSON.stringify(tables)}`).toBeDefined();
  return t!.TableId;
}

const indexes = async (id: string, method: 'GET' | 'POST' = 'POST'): Promise<Body[]> => ok(await env.as(env.ulla)('ListIndexes', { TableId: id }, method)).IndexList.Index;

/** name → [IndexType, Unique, columns] for a compact comparison; every row is checked for the id fields. */
function summary(id: string, list: Body[]): Record<string, [string, boolean, string[]]> {
  for (const ix of list) expect(ix).toMatchObject({ TableId: id, IndexId: `${id}.${ix.IndexName}`, IndexComment: '' });
  return Object.fromEntries(list.map((ix) => [ix.IndexName, [ix.IndexType, ix.Unique, ix.IndexColumns]]));
}

describe('ListIndexes on SQLite', () => {
  let dbId: number;

  beforeAll(async () => {
    const t = await registerSqlite(env, 'idx_shop', (db) =>
      db.exec(`create table customers (id integer primary key, email text not null, city text, zip text);
               create unique index customers_email on customers (email);
               create index customers_city_zip on customers (city, zip);
               create table tags (name text primary key, hits integer);
               create table plain (a integer);`),
    );
    dbId = t.dbId;
  });

  it('gives the rowid primary key, a unique and a composite non-unique index, ordered by name', async () => {
    const id = await tableId(dbId, 'customers');
    const list = await indexes(id);
    expect(list.map((ix) => ix.IndexName)).toEqual(['PRIMARY', 'customers_city_zip', 'customers_email']);
    expect(summary(id, list)).toEqual({
      PRIMARY: ['Primary', true, ['id']],
      customers_city_zip: ['Normal', false, ['city', 'zip']],
      customers_email: ['Unique', true, ['email']],
    });
    // GET gives the same; the ids are stable.
    expect(await indexes(id, 'GET')).toEqual(list);
  });

  it('an implicit primary-key index is sqlite_autoindex_…; a table without indexes gives an empty list', async () => {
    const tags = await tableId(dbId, 'tags');
    expect(summary(tags, await indexes(tags))).toEqual({ sqlite_autoindex_tags_1: ['Primary', true, ['name']] });
    expect(await indexes(await tableId(dbId, 'plain'))).toEqual([]);
  });

  it('any member may read them; another tenant, a logical table and a missing TableId are refused', async () => {
    const id = await tableId(dbId, 'customers');
    expect(ok(await env.as(env.mike)('ListIndexes', { TableId: id })).IndexList.Index).toHaveLength(3);
    expect(ok(await env.admin('ListIndexes', { TableId: id })).IndexList.Index).toHaveLength(3);
    expect(await env.as(env.olaf)('ListIndexes', { TableId: id })).toMatchObject({ Success: false, ErrorCode: 'ResourceNotFound' });
    expect(await env.as(env.ulla)('ListIndexes', { TableId: '999999' })).toMatchObject({ Success: false, ErrorCode: 'ResourceNotFound' });
    expect(await env.as(env.ulla)('ListIndexes', { TableId: id, Logic: true })).toMatchObject({ Success: false, ErrorCode: 'NotSupported' });
    expect((await gatewayError(pop(env.srv, env.ulla)('ListIndexes', {}))).code).toBe('MissingTableId');
  });
});

await describeWithServer('postgres', 'ListIndexes on PostgreSQL', () => {
  let dbId: number;

  beforeAll(async () => {
    const t = await registerPg(env, {
      idx: `create table orders (id bigserial primary key, customer varchar(64) not null, placed date, total numeric(10,2), code text);
            create unique index orders_code on orders (code);
            create index orders_customer_placed on orders (customer, placed);
            create index orders_lower_customer on orders (lower(customer));`,
    });
    dbId = t.idx.dbId;
  });

  it('gives the primary key constraint, a unique, a composite and an expression index', async () => {
    const id = await tableId(dbId, 'orders');
    expect(summary(id, await indexes(id))).toEqual({
      orders_code: ['Unique', true, ['code']],
      orders_customer_placed: ['Normal', false, ['customer', 'placed']],
      orders_lower_customer: ['Normal', false, ['(lower(customer::text))']],
      orders_pkey: ['Primary', true, ['id']],
    });
  });
});

await describeWithServer('mysql', 'ListIndexes on MariaDB', () => {
  let dbId: number;

  beforeAll(async () => {
    const t = await registerMaria(env, {
      idx: `create table customers (
              id int auto_increment primary key,
              email varchar(255) not null,
              last_name varchar(64), first_name varchar(64),
              bio text,
              unique key customers_email (email),
              key customers_name (last_name, first_name),
              fulltext key customers_bio (bio)
            ) engine=InnoDB`,
    });
    dbId = t.idx.dbId;
  });

  it('gives PRIMARY, a unique, a composite and a FULLTEXT index (GET)', async () => {
    const id = await tableId(dbId, 'customers');
    expect(summary(id, await indexes(id, 'GET'))).toEqual({
      PRIMARY: ['Primary', true, ['id']],
      customers_bio: ['FullText', false, ['bio']],
      customers_email: ['Unique', true, ['email']],
      customers_name: ['Normal', false, ['last_name', 'first_name']],
    });
  });
});
