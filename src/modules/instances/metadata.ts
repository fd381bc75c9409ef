import type { ColumnInfo, IndexInfo, TableInfo } from '../../connectors/index.js';
import { notFound } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { connectionSpecOf, withConnector, type StoredConnection } from './connections.js';
import { offsetOf, type Page, type Person } from './instance.model.js';
import * as repo from './instance.repository.js';
import * as metaRepo from './meta.repository.js';
import { ownersByResource } from './people.js';

/**
 * Tables and columns, read live from the target through its connector (opened for the call and
 * closed after). Each table and column seen gets a stable id in meta_table / meta_column, so
 * TableId and ColumnId stay the same across calls and can carry owners and, later, permissions.
 */

export interface TableView extends TableInfo {
  tableId: number;
  dbId: number;
  owners: Person[];
}

export interface ColumnView extends ColumnInfo {
  columnId: number;
}

async function databaseAndInstance(deps: Deps, tenantId: number, dbId: number) {
  const db = await repo.findDbById(deps.db, tenantId, dbId);
  const instance = db && (await repo.findInstanceById(deps.db, tenantId, db.instance_id));
  if (!db || !instance) throw notFound('Database', dbId);
  return { db, instance };
}

/** Lists a database's tables on the target and records their ids. */
export async function refreshTables(deps: Deps, instance: StoredConnection, db: { id: number; tenant_id: number; schema_name: string }) {
  const tables = await withConnector(deps, connectionSpecOf(deps, instance), (c) => c.listTables(db.schema_name));
  const ids = await metaRepo.upsertTables(deps.db, db.tenant_id, db.id, tables, deps.now());
  return tables.map((t) => ({ ...t, tableId: ids.get(metaRepo.tableKey(t.schema, t.name))!, dbId: db.id }));
}

/** ListTables: any member of the tenant; `search` matches table names (case-insensitive). */
export async function listTables(
  deps: Deps,
  actor: Actor,
  dbId: number,
  filter: { search?: string | undefined },
  page: Page,
): Promise<{ tables: TableView[]; total: number }> {
  const { db, instance } = await databaseAndInstance(deps, actor.tenantId, dbId);
  const all = await refreshTables(deps, instance, { id: db.id, tenant_id: actor.tenantId, schema_name: db.schema_name });
  const keyword = filter.search?.toLowerCase();
  const matching = keyword ? all.filter((t) => t.name.toLowerCase().includes(keyword)) : all;
  const { offset, limit } = offsetOf(page);
  const slice = matching.slice(offset, offset + limit);
  const owners = await ownersByResource(deps, actor.tenantId, 'TABLE', slice.map((t) => t.tableId));
  return { tables: slice.map((t) => ({ ...t, owners: owners.get(t.tableId) ?? [] })), total: matching.length };
}

/** ListColumns: any member of the tenant; the table by the TableId ListTables gave. */
export async function listColumns(deps: Deps, actor: Actor, tableId: number): Promise<ColumnView[]> {
  const table = await metaRepo.findTable(deps.db, actor.tenantId, tableId);
  if (!table) throw notFound('Table', tableId);
  const { db, instance } = await databaseAndInstance(deps, actor.tenantId, table.db_id);
  const columns = await withConnector(deps, connectionSpecOf(deps, instance), (c) => c.listColumns(db.schema_name, table.schema_name, table.table_name));
  const ids = await metaRepo.upsertColumns(deps.db, tableId, columns.map((c) => c.name), deps.now());
  return columns.map((c) => ({ ...c, columnId: ids.get(c.name)! }));
}

/** ListIndexes: as ListColumns; the indexes (primary key included) ordered by name, read live. */
export async function listIndexes(deps: Deps, actor: Actor, tableId: number): Promise<IndexInfo[]> {
  const table = await metaRepo.findTable(deps.db, actor.tenantId, tableId);
  if (!table) throw notFound('Table', tableId);
  const { db, instance } = await databaseAndInstance(deps, actor.tenantId, table.db_id);
  return withConnector(deps, connectionSpecOf(deps, instance), (c) => c.listIndexes(db.schema_name, table.schema_name, table.table_name));
}
