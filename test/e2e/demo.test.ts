/**
 * `serve --demo`: the shop database is registered once as a sqlite instance in env dev, and its
 * tables are listed through the real clients; a restart on the same data does not register it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ok, openapi, pop, startTestServer, type TestServer } from '../helpers/server.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opendms-demo-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function demoDatabases(srv: TestServer) {
  const found = ok(await pop(srv, srv.admin)('SearchDatabase', { SearchKey: 'demo-shop' }));
  return found.SearchDatabaseList.SearchDatabase as Record<string, any>[];
}

it('registers the shop once, in env dev, with its tables and columns', async () => {
  let srv = await startTestServer({ demo: true, dataDir });
  try {
    const instances = ok(await pop(srv, srv.admin)('ListInstances', {}, 'GET')).InstanceList.Instance;
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({
      InstanceAlias: 'demo-shop',
      InstanceType: 'sqlite',
      EnvType: 'dev',
      Host: path.join(dataDir, 'sqlite', 'shop.db'),
      Port: 0,
      DbaId: String(srv.admin.userId),
    });
    const [db] = await demoDatabases(srv);
    expect(db).toMatchObject({ SchemaName: 'main', DbType: 'sqlite', EnvType: 'dev', Logic: false });

    const tables = (await openapi(srv, srv.admin)('ListTables', { DatabaseId: db!.DatabaseId, PageSize: 50 })).body.TableList.Table;
    expect(tables.map((t: any) => t.TableName)).toEqual(expect.arrayContaining(['customers', 'products', 'orders', 'order_items']));
    const orders = tables.find((t: any) => t.TableName === 'orders');
    const columns = ok(await pop(srv, srv.admin)('ListColumns', { TableId: orders.TableId })).ColumnList.Column;
    expect(columns.map((c: any) => c.ColumnName)).toEqual(expect.arrayContaining(['id', 'customer_id', 'status', 'total']));
  } finally {
    await srv.close();
  }

  srv = await startTestServer({ demo: true, dataDir });
  try {
    expect(ok(await pop(srv, srv.admin)('ListInstances')).TotalCount).toBe(1);
    expect(await demoDatabases(srv)).toHaveLength(1);
  } finally {
    await srv.close();
  }
});
