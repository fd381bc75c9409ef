import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { ExportJobStatus, ExportJobTable, ExportPrecheckSqlTable, PrecheckStatus } from './export.table.js';

/** Data-export tables, one function per query. */

export async function insertPrecheck(db: Db, v: { ticketId: number; tenantId: number }, now: number): Promise<number> {
  const row = await db
    .insertInto('export_precheck')
    .values({ ticket_id: v.ticketId, tenant_id: v.tenantId, status: 'PRE_CHECKING', message: null, estimated_rows: null, created_at: now, finished_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findPrecheck(db: Db, id: number) {
  return db.selectFrom('export_precheck').selectAll().where('id', '=', id).executeTakeFirst();
}

export type PrecheckRow = NonNullable<Awaited<ReturnType<typeof findPrecheck>>>;

/** The ticket's newest precheck (a retry adds a new one). */
export function latestPrecheck(db: Db, ticketId: number) {
  return db.selectFrom('export_precheck').selectAll().where('ticket_id', '=', ticketId).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Settles a running precheck; false when it was already settled (a duplicate run). */
export async function finishPrecheck(db: Db, id: number, v: { status: PrecheckStatus; message: string | null; estimatedRows: number | null }, now: number): Promise<boolean> {
  const r = await db
    .updateTable('export_precheck')
    .set({ status: v.status, message: v.message, estimated_rows: v.estimatedRows, finished_at: now })
    .where('id', '=', id)
    .where('status', '=', 'PRE_CHECKING')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function replacePrecheckSql(db: Db, precheckId: number, rows: readonly Insertable<ExportPrecheckSqlTable>[]): Promise<void> {
  await db.deleteFrom('export_precheck_sql').where('precheck_id', '=', precheckId).execute();
  if (rows.length > 0) await db.insertInto('export_precheck_sql').values([...rows]).execute();
}

export function listPrecheckSql(db: Db, precheckId: number) {
  return db.selectFrom('export_precheck_sql').selectAll().where('precheck_id', '=', precheckId).orderBy('position').orderBy('db_id').execute();
}

export function findJobByTicket(db: Db, ticketId: number) {
  return db.selectFrom('export_job').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

export function findJob(db: Db, id: number) {
  return db.selectFrom('export_job').selectAll().where('id', '=', id).executeTakeFirst();
}

export type ExportJobRow = NonNullable<Awaited<ReturnType<typeof findJob>>>;

export async function insertJob(db: Db, v: Insertable<ExportJobTable>): Promise<number> {
  const row = await db.insertInto('export_job').values(v).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Compare-and-set on the job: applies `patch` only while the job is still in run `run` and in one
 * of `statuses`; false when another worker or request changed it first.
 */
export async function updateJobIf(db: Db, id: number, expect: { run: number; statuses: readonly ExportJobStatus[] }, patch: Updateable<ExportJobTable>, now: number): Promise<boolean> {
  const r = await db
    .updateTable('export_job')
    .set({ ...patch, modified_at: now })
    .where('id', '=', id)
    .where('run', '=', expect.run)
    .where('status', 'in', [...expect.statuses])
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateJob(db: Db, id: number, patch: Updateable<ExportJobTable>, now: number): Promise<void> {
  await db.updateTable('export_job').set({ ...patch, modified_at: now }).where('id', '=', id).execute();
}

/** Progress of a running export; also tells the worker whether someone asked it to stop. */
export async function recordProgress(db: Db, id: number, run: number, rowsDone: number, now: number): Promise<{ stopRequested: string | null } | null> {
  await db.updateTable('export_job').set({ rows_done: rowsDone, modified_at: now }).where('id', '=', id).where('run', '=', run).where('status', '=', 'DOING_EXPORT').execute();
  const row = await db.selectFrom('export_job').select(['stop_requested', 'status', 'run']).where('id', '=', id).executeTakeFirst();
  if (!row || row.run !== run || row.status !== 'DOING_EXPORT') return null;
  return { stopRequested: row.stop_requested };
}

/** Results past their retention that still have a file. */
export function listExpiredResults(db: Db, now: number, limit: number) {
  return db
    .selectFrom('export_job')
    .select(['id', 'file_key'])
    .where('expires_at', '<', now)
    .where('purged_at', 'is', null)
    .where('file_key', 'is not', null)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}
