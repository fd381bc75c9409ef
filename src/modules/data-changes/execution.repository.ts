import crypto from 'node:crypto';
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { DcChunkBatchTable, DcJobStatus, DcJobTable, DcStatementTable, DcStatementStatus } from './execution.table.js';

/** Data-change execution tables, one function per query. */

export async function insertTask(db: Db, v: { ticketId: number; tenantId: number; options: string; requestedBy: number | null }, now: number): Promise<number> {
  const row = await db
    .insertInto('dc_task')
    .values({ ticket_id: v.ticketId, tenant_id: v.tenantId, options: v.options, requested_by: v.requestedBy, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The ticket's task; a cleanup schedule (DC_CRON_CLEAR) has one per run: its latest. */
export function findTaskByTicket(db: Db, ticketId: number) {
  return db.selectFrom('dc_task').selectAll().where('ticket_id', '=', ticketId).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export function findTask(db: Db, tenantId: number, taskId: number) {
  return db.selectFrom('dc_task').selectAll().where('id', '=', taskId).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export type DcTaskRow = NonNullable<Awaited<ReturnType<typeof findTaskByTicket>>>;

/** A new job: scheduled, run 1, a fresh exec token, nothing done yet. */
export function newJob(
  v: Pick<Insertable<DcJobTable>, 'task_id' | 'ticket_id' | 'tenant_id' | 'db_id' | 'logic_db_id' | 'transactional' | 'backup' | 'start_at' | 'end_at'>,
  now: number,
): Insertable<DcJobTable> {
  return { ...v, status: 'BE_SCHEDULED', exec_token: crypto.randomUUID(), run: 1, pause_requested: 0, affected_rows: 0, message: null, created_at: now, started_at: null, finished_at: null, modified_at: now };
}

/** A statement of a new job, not run yet. */
export function newStatement(v: Pick<Insertable<DcStatementTable>, 'job_id' | 'position' | 'sql' | 'sql_type'>): Insertable<DcStatementTable> {
  return { ...v, status: 'INIT', execute_count: 0, affected_rows: null, started_at: null, finished_at: null, elapsed_ms: null, message: null, backup_key: null, backup_rows: null, rollback_note: null };
}

export async function insertJob(db: Db, v: Insertable<DcJobTable>): Promise<number> {
  const row = await db.insertInto('dc_job').values(v).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findJob(db: Db, jobId: number) {
  return db.selectFrom('dc_job').selectAll().where('id', '=', jobId).executeTakeFirst();
}

export type DcJobRow = NonNullable<Awaited<ReturnType<typeof findJob>>>;

export function listJobs(db: Db, taskId: number) {
  return db.selectFrom('dc_job').selectAll().where('task_id', '=', taskId).orderBy('id').execute();
}

/** Compare-and-set on (run, status): false when another request or worker changed the job first. */
export async function updateJobIf(db: Db, jobId: number, expect: { run?: number; statuses: readonly DcJobStatus[] }, set: Updateable<DcJobTable>, now: number): Promise<boolean> {
  let q = db
    .updateTable('dc_job')
    .set({ ...set, modified_at: now })
    .where('id', '=', jobId)
    .where('status', 'in', expect.statuses);
  if (expect.run !== undefined) q = q.where('run', '=', expect.run);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Inserted in chunks: a script may have thousands of statements. */
export async function insertStatements(db: Db, rows: readonly Insertable<DcStatementTable>[]): Promise<void> {
  for (let k = 0; k < rows.length; k += 200) await db.insertInto('dc_statement').values(rows.slice(k, k + 200)).execute();
}

export function listStatements(db: Db, jobId: number) {
  return db.selectFrom('dc_statement').selectAll().where('job_id', '=', jobId).orderBy('position').execute();
}

export type DcStatementRow = Awaited<ReturnType<typeof listStatements>>[number];

export function pageStatements(db: Db, jobId: number, offset: number, limit: number) {
  return db.selectFrom('dc_statement').selectAll().where('job_id', '=', jobId).orderBy('position').offset(offset).limit(limit).execute();
}

export async function countStatements(db: Db, jobId: number): Promise<number> {
  const r = await db.selectFrom('dc_statement').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Updates statements of a job by position, only from the given statuses; returns how many changed. */
export async function updateStatements(
  db: Db,
  jobId: number,
  positions: readonly number[],
  from: readonly DcStatementStatus[],
  set: Updateable<DcStatementTable>,
): Promise<number> {
  if (positions.length === 0) return 0;
  let n = 0;
  for (let k = 0; k < positions.length; k += 500) {
    const r = await db
      .updateTable('dc_statement')
      .set(set)
      .where('job_id', '=', jobId)
      .where('position', 'in', positions.slice(k, k + 500))
      .where('status', 'in', from)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

/** Counts the statement outcomes of a job and sums their affected rows. */
export async function statementSummary(db: Db, jobId: number): Promise<{ status: DcStatementStatus; n: number; rows: number }[]> {
  const rows = await db
    .selectFrom('dc_statement')
    .select(['status', (eb) => eb.fn.countAll<number | string | bigint>().as('n'), (eb) => eb.fn.sum<number | string | bigint | null>('affected_rows').as('rows')])
    .where('job_id', '=', jobId)
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n), rows: Number(r.rows ?? 0) }));
}

export async function appendLog(db: Db, jobId: number, level: 'INFO' | 'WARN' | 'ERROR', message: string, now: number): Promise<void> {
  await db.insertInto('dc_job_log').values({ job_id: jobId, at: now, level, message }).execute();
}

export function listLog(db: Db, jobId: number) {
  return db.selectFrom('dc_job_log').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
}

export async function insertRollbackLink(db: Db, v: { rollbackTicketId: number; sourceTicketId: number; sourceJobId: number }): Promise<void> {
  await db.insertInto('dc_rollback').values({ rollback_ticket_id: v.rollbackTicketId, source_ticket_id: v.sourceTicketId, source_job_id: v.sourceJobId }).execute();
}

export function rollbacksOf(db: Db, sourceTicketId: number) {
  return db.selectFrom('dc_rollback').selectAll().where('source_ticket_id', '=', sourceTicketId).orderBy('rollback_ticket_id').execute();
}

export function rollbackSource(db: Db, rollbackTicketId: number) {
  return db.selectFrom('dc_rollback').selectAll().where('rollback_ticket_id', '=', rollbackTicketId).executeTakeFirst();
}

/**
 * Takes the task's row lock for the rest of the transaction (a no-op update): jobs of one ticket
 * that finish at the same time settle the ticket one after the other, each seeing the other's
 * outcome (PostgreSQL; SQLite transactions are serial anyway).
 */
export async function lockTask(db: Db, taskId: number): Promise<void> {
  await db
    .updateTable('dc_task')
    .set((eb) => ({ created_at: eb.ref('created_at') }))
    .where('id', '=', taskId)
    .execute();
}

// Batches of chunked statements (DC_CHUNK, DC_CRON_CLEAR).

export function listBatches(db: Db, jobId: number, position: number) {
  return db.selectFrom('dc_chunk_batch').selectAll().where('job_id', '=', jobId).where('position', '=', position).orderBy('batch_no').execute();
}

export type DcBatchRow = Awaited<ReturnType<typeof listBatches>>[number];

/** A page of a job's batches, newest first. */
export function pageBatches(db: Db, jobId: number, offset: number, limit: number) {
  return db.selectFrom('dc_chunk_batch').selectAll().where('job_id', '=', jobId).orderBy('position', 'desc').orderBy('batch_no', 'desc').offset(offset).limit(limit).execute();
}

export async function countBatches(db: Db, jobId: number): Promise<number> {
  const r = await db.selectFrom('dc_chunk_batch').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertBatch(db: Db, v: Insertable<DcChunkBatchTable>): Promise<void> {
  await db.insertInto('dc_chunk_batch').values(v).execute();
}

export async function settleBatch(db: Db, jobId: number, position: number, batchNo: number, set: Updateable<DcChunkBatchTable>): Promise<void> {
  await db.updateTable('dc_chunk_batch').set(set).where('job_id', '=', jobId).where('position', '=', position).where('batch_no', '=', batchNo).where('status', '=', 'RUNNING').execute();
}

/** A batch that did not commit: it is planned again from its lower key. */
export async function deleteRunningBatch(db: Db, jobId: number, position: number, batchNo: number): Promise<void> {
  await db.deleteFrom('dc_chunk_batch').where('job_id', '=', jobId).where('position', '=', position).where('batch_no', '=', batchNo).where('status', '=', 'RUNNING').execute();
}


/**
 * A job's statements as its backup and rollback see them: a chunked statement (DC_CHUNK,
 * DC_CRON_CLEAR) stands for its committed batches, one entry per batch that backed rows up, in
 * batch order (each covers its own key range, so they undo independently).
 */
export async function listBackupUnits(db: Db, jobId: number): Promise<DcStatementRow[]> {
  const statements = await listStatements(db, jobId);
  const batches = await db.selectFrom('dc_chunk_batch').select(['position', 'batch_no', 'backup_key', 'backup_rows', 'affected_rows']).where('job_id', '=', jobId).where('status', '=', 'SUCCESS').orderBy('position').orderBy('batch_no').execute();
  if (batches.length === 0) return statements;
  return statements.flatMap((st) => {
    const mine = batches.filter((b) => b.position === st.position);
    if (mine.length === 0 || st.rollback_note !== null) return [st];
    return mine.filter((b) => b.backup_key !== null).map((b) => ({ ...st, affected_rows: b.affected_rows, backup_key: b.backup_key, backup_rows: b.backup_rows }));
  });
}
