import type { Db } from '../../storage/db.js';

/** Stable ids of tables and columns seen on targets (meta_table, meta_column). */

/** Rows per multi-row insert: far below SQLite's bound-parameter limit whatever the row width. */
const CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Records tables not seen before (existing ones keep their id); returns `schema\0name` → id for the database. */
export async function upsertTables(
  db: Db,
  tenantId: number,
  dbId: number,
  tables: readonly { schema: string; name: string }[],
  now: number,
): Promise<Map<string, number>> {
  for (const part of chunks(tables)) {
    await db
      .insertInto('meta_table')
      .values(part.map((t) => ({ tenant_id: tenantId, db_id: dbId, schema_name: t.schema, table_name: t.name, created_at: now })))
      .onConflict((oc) => oc.columns(['db_id', 'schema_name', 'table_name']).doNothing())
      .execute();
  }
  const rows = await db.selectFrom('meta_table').select(['id', 'schema_name', 'table_name']).where('db_id', '=', dbId).execute();
  return new Map(rows.map((r) => [tableKey(r.schema_name, r.table_name), r.id]));
}

export const tableKey = (schema: string, name: string): string => `${schema}\u0000${name}`;

/** A recorded table with its database, inside a tenant. */
export function findTable(db: Db, tenantId: number, tableId: number) {
  return db.selectFrom('meta_table').selectAll().where('tenant_id', '=', tenantId).where('id', '=', tableId).executeTakeFirst();
}

export function findTablesByIds(db: Db, tenantId: number, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('meta_table').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).orderBy('id').execute();
}

/** Records columns not seen before; returns name → id for the table. */
export async function upsertColumns(db: Db, tableId: number, names: readonly string[], now: number): Promise<Map<string, number>> {
  for (const part of chunks(names)) {
    await db
      .insertInto('meta_column')
      .values(part.map((name) => ({ table_id: tableId, column_name: name, created_at: now })))
      .onConflict((oc) => oc.columns(['table_id', 'column_name']).doNothing())
      .execute();
  }
  const rows = await db.selectFrom('meta_column').select(['id', 'column_name']).where('table_id', '=', tableId).execute();
  return new Map(rows.map((r) => [r.column_name, r.id]));
}

export function listTableIdsOfDbs(db: Db, dbIds: readonly number[]) {
  if (dbIds.length === 0) return Promise.resolve([] as { id: number }[]);
  return db.selectFrom('meta_table').select('id').where('db_id', 'in', dbIds).execute();
}

export async function deleteMetaOfDbs(db: Db, dbIds: readonly number[]): Promise<void> {
  if (dbIds.length === 0) return;
  await db
    .deleteFrom('meta_column')
    .where('table_id', 'in', (eb) => eb.selectFrom('meta_table').select('id').where('db_id', 'in', dbIds))
    .execute();
  await db.deleteFrom('meta_table').where('db_id', 'in', dbIds).execute();
}
