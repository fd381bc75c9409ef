import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { Database } from '../storage/database.js';
import type { JobRow } from './job.table.js';
import { retryDelayMs } from './job-options.js';

/**
 * Every SQL operation of the SQLite runner, one function each. Each is a single statement, so it is
 * atomic on its own: SQLite has one writer at a time, and a claim's sub-select and update run under
 * the same write lock. Written with Kysely only, so they are valid on PostgreSQL as well.
 *
 * Updates of a running job are guarded by its `Lease` (id + worker + attempt): a worker whose lease
 * ran out, and whose job was taken again, changes nothing.
 */

type Db = Kysely<Database>;

export interface Lease {
  readonly id: string;
  readonly workerId: string;
  readonly attempt: number;
}

/** Adds a job; false when its key is taken by a queued or active job of the same name. */
export async function insertJob(db: Db, row: JobRow): Promise<boolean> {
  const result = await db
    .insertInto('job')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Takes the next due job of `name` for `workerId`: state active, attempt + 1, lease until `leaseUntil`. */
export async function claimNextJob(db: Db, name: string, workerId: string, now: number, leaseUntil: number): Promise<JobRow | undefined> {
  return db
    .updateTable('job')
    .set((eb) => ({ state: 'active', attempts: eb('attempts', '+', 1), locked_by: workerId, locked_until: leaseUntil }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('job')
        .select('id')
        .where('name', '=', name)
        .where('state', 'in', ['created', 'retry'])
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .orderBy('created_at')
        .limit(1),
    )
    .where('state', 'in', ['created', 'retry'])
    .returningAll()
    .executeTakeFirst();
}

/** Heartbeat: extends the lease; false when this worker no longer holds the job. */
export async function renewLease(db: Db, lease: Lease, leaseUntil: number): Promise<boolean> {
  const result = await whereLeased(db.updateTable('job').set({ locked_until: leaseUntil }), lease).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function completeJob(db: Db, lease: Lease, now: number): Promise<boolean> {
  const result = await whereLeased(
    db.updateTable('job').set({ state: 'completed', completed_at: now, locked_by: null, locked_until: null, last_error: null }),
    lease,
  ).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends a failed attempt: back to `retry` after the backoff, or `failed` after the last attempt.
 * `expiredBefore`: only if the lease ran out before then (crash recovery must not take a job whose
 * worker renewed its lease meanwhile).
 */
export async function failJobAttempt(
  db: Db,
  job: Pick<JobRow, 'id' | 'locked_by' | 'attempts' | 'max_attempts' | 'backoff_seconds'>,
  error: string,
  now: number,
  expiredBefore?: number,
): Promise<boolean> {
  const last = job.attempts >= job.max_attempts;
  let query = whereLeased(
    db.updateTable('job').set({
      state: last ? 'failed' : 'retry',
      run_at: last ? now : now + Math.ceil(retryDelayMs(job.backoff_seconds, job.attempts)),
      completed_at: last ? now : null,
      locked_by: null,
      locked_until: null,
      last_error: error,
    }),
    { id: job.id, workerId: job.locked_by ?? '', attempt: job.attempts },
  );
  if (expiredBefore !== undefined) query = query.where('locked_until', '<', expiredBefore);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Active jobs whose lease ended before `now`: their worker died (or stalled past its lease). */
export async function listExpiredLeases(db: Db, now: number, limit = 100): Promise<JobRow[]> {
  return db
    .selectFrom('job')
    .selectAll()
    .where('state', '=', 'active')
    .where('locked_until', '<', now)
    .orderBy('locked_until')
    .limit(limit)
    .execute();
}

export async function findJobById(db: Db, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
}

type JobUpdate = UpdateQueryBuilder<Database, 'job', 'job', UpdateResult>;

function whereLeased(query: JobUpdate, lease: Lease): JobUpdate {
  return query
    .where('id', '=', lease.id)
    .where('state', '=', 'active')
    .where('locked_by', '=', lease.workerId)
    .where('attempts', '=', lease.attempt);
}

/** Waiting and active jobs per name, and when the oldest due waiting one became due (run_at). */
export async function queueCounts(db: Db, now: number) {
  return db
    .selectFrom('job')
    .select((eb) => [
      'name',
      eb.fn.sum<number>(eb.case().when('state', 'in', ['created', 'retry']).then(1).else(0).end()).as('queued'),
      eb.fn.sum<number>(eb.case().when('state', '=', 'active').then(1).else(0).end()).as('active'),
      eb.fn.min<number>(eb.case().when(eb.and([eb('state', 'in', ['created', 'retry']), eb('run_at', '<=', now)])).then(eb.ref('run_at')).else(null).end()).as('oldest_due'),
    ])
    .where('state', 'in', ['created', 'retry', 'active'])
    .groupBy('name')
    .orderBy('name')
    .execute();
}
