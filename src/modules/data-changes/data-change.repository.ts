import type { Insertable } from 'kysely';
import type { Db } from '../../storage/db.js';
import { CHECK_STEPS, type CheckStatus, type CheckStep, type DcPrecheckSqlTable, type DcPrecheckStatus } from './data-change.table.js';

/** Data-change precheck tables, one function per query. */

/** A new RUNNING precheck with its steps WAITING; `skip` carries a row-check skip over from the previous run. */
export async function insertPrecheck(
  db: Db,
  v: { ticketId: number; tenantId: number; skip?: { reason: string; by: number } | null },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('dc_precheck')
    .values({
      ticket_id: v.ticketId,
      tenant_id: v.tenantId,
      status: 'RUNNING',
      message: null,
      estimated_rows: null,
      row_check_skipped: v.skip ? 1 : 0,
      skip_reason: v.skip?.reason ?? null,
      skipped_by: v.skip?.by ?? null,
      created_at: now,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('dc_precheck_step')
    .values(CHECK_STEPS.map((step, k) => ({ precheck_id: row.id, step, position: k + 1, status: 'WAITING' as const, user_tip: null, skippable: 0 })))
    .execute();
  return row.id;
}

export function findPrecheck(db: Db, id: number) {
  return db.selectFrom('dc_precheck').selectAll().where('id', '=', id).executeTakeFirst();
}

export type DcPrecheckRow = NonNullable<Awaited<ReturnType<typeof findPrecheck>>>;

/** The ticket's newest precheck (a retry adds a new one). */
export function latestPrecheck(db: Db, ticketId: number) {
  return db.selectFrom('dc_precheck').selectAll().where('ticket_id', '=', ticketId).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export function listSteps(db: Db, precheckId: number) {
  return db.selectFrom('dc_precheck_step').selectAll().where('precheck_id', '=', precheckId).orderBy('position').execute();
}

export type DcStepRow = Awaited<ReturnType<typeof listSteps>>[number];

export async function setStep(db: Db, precheckId: number, step: CheckStep, v: { status: CheckStatus; userTip: string | null; skippable?: boolean }): Promise<void> {
  await db
    .updateTable('dc_precheck_step')
    .set({ status: v.status, user_tip: v.userTip, skippable: v.skippable ? 1 : 0 })
    .where('precheck_id', '=', precheckId)
    .where('step', '=', step)
    .execute();
}

/** Settles a running precheck; false when it was already settled (a duplicate run). */
export async function finishPrecheck(db: Db, id: number, v: { status: DcPrecheckStatus; message: string | null; estimatedRows: number | null }, now: number): Promise<boolean> {
  const r = await db
    .updateTable('dc_precheck')
    .set({ status: v.status, message: v.message, estimated_rows: v.estimatedRows, finished_at: now })
    .where('id', '=', id)
    .where('status', '=', 'RUNNING')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records SkipDataCorrectRowCheck on a precheck (running or settled). */
export async function markRowCheckSkipped(db: Db, id: number, v: { reason: string; by: number }): Promise<void> {
  await db.updateTable('dc_precheck').set({ row_check_skipped: 1, skip_reason: v.reason, skipped_by: v.by }).where('id', '=', id).execute();
}

/** A settled FAIL precheck becomes SUCCESS (its only failure was a skipped row count). */
export async function settleAsSuccess(db: Db, id: number): Promise<boolean> {
  const r = await db.updateTable('dc_precheck').set({ status: 'SUCCESS', message: null }).where('id', '=', id).where('status', '=', 'FAIL').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Inserted in chunks: a script may have thousands of statements (SQLite binds at most 32766 values). */
export async function replacePrecheckSql(db: Db, precheckId: number, rows: readonly Insertable<DcPrecheckSqlTable>[]): Promise<void> {
  await db.deleteFrom('dc_precheck_sql').where('precheck_id', '=', precheckId).execute();
  for (let k = 0; k < rows.length; k += 200) await db.insertInto('dc_precheck_sql').values(rows.slice(k, k + 200)).execute();
}

export async function listPrecheckSql(db: Db, precheckId: number, v: { dbId?: number | undefined; offset: number; limit: number }) {
  let q = db.selectFrom('dc_precheck_sql').selectAll().where('precheck_id', '=', precheckId);
  if (v.dbId !== undefined) q = q.where('db_id', '=', v.dbId);
  return q.orderBy('db_id').orderBy('position').offset(v.offset).limit(v.limit).execute();
}

export async function countPrecheckSql(db: Db, precheckId: number, dbId?: number): Promise<number> {
  let q = db.selectFrom('dc_precheck_sql').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where('precheck_id', '=', precheckId);
  if (dbId !== undefined) q = q.where('db_id', '=', dbId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Statements per member database. */
export function countSqlPerDb(db: Db, precheckId: number) {
  return db
    .selectFrom('dc_precheck_sql')
    .select(['db_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('precheck_id', '=', precheckId)
    .groupBy('db_id')
    .orderBy('db_id')
    .execute();
}
