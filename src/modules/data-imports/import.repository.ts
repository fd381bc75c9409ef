import type { Insertable } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { DcImportSqlTable, DcImportTable, ImportSqlStatus } from './import.table.js';

/** Data-import tables, one function per query. */

export async function replaceImport(db: Db, row: Insertable<DcImportTable>): Promise<void> {
  await db.deleteFrom('dc_import').where('precheck_id', '=', row.precheck_id).execute();
  await db.insertInto('dc_import').values(row).execute();
}

export function findImport(db: Db, precheckId: number) {
  return db.selectFrom('dc_import').selectAll().where('precheck_id', '=', precheckId).executeTakeFirst();
}

export type DcImportRow = NonNullable<Awaited<ReturnType<typeof findImport>>>;

export async function deleteImportSql(db: Db, precheckId: number): Promise<void> {
  await db.deleteFrom('dc_import_sql').where('precheck_id', '=', precheckId).execute();
}

/** Inserted in chunks as the precheck reads the file (SQLite binds at most 32766 values). */
export async function insertImportSql(db: Db, rows: readonly Insertable<DcImportSqlTable>[]): Promise<void> {
  for (let k = 0; k < rows.length; k += 500) await db.insertInto('dc_import_sql').values(rows.slice(k, k + 500)).execute();
}

export interface ImportSqlFilter {
  sqlType?: string | undefined;
  status?: ImportSqlStatus | undefined;
}

export function pageImportSql(db: Db, precheckId: number, f: ImportSqlFilter, offset: number, limit: number) {
  let q = db.selectFrom('dc_import_sql').selectAll().where('precheck_id', '=', precheckId);
  if (f.sqlType !== undefined) q = q.where('sql_type', '=', f.sqlType);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  return q.orderBy('position').offset(offset).limit(limit).execute();
}

export async function countImportSql(db: Db, precheckId: number, f: ImportSqlFilter): Promise<number> {
  let q = db.selectFrom('dc_import_sql').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where('precheck_id', '=', precheckId);
  if (f.sqlType !== undefined) q = q.where('sql_type', '=', f.sqlType);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export function findImportSql(db: Db, precheckId: number, position: number) {
  return db.selectFrom('dc_import_sql').selectAll().where('precheck_id', '=', precheckId).where('position', '=', position).executeTakeFirst();
}

export async function distinctSqlTypes(db: Db, precheckId: number): Promise<string[]> {
  const rows = await db.selectFrom('dc_import_sql').select('sql_type').distinct().where('precheck_id', '=', precheckId).orderBy('sql_type').execute();
  return rows.map((r) => r.sql_type);
}
