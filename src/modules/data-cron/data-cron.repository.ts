import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { CronClearScheduleTable } from './schedule.table.js';

/** Cleanup schedules and their runs (dc_task rows of the ticket), one function per query. */

export async function insertSchedule(db: Db, v: Insertable<CronClearScheduleTable>): Promise<void> {
  await db.insertInto('cron_clear_schedule').values(v).execute();
}

export function findSchedule(db: Db, ticketId: number) {
  return db.selectFrom('cron_clear_schedule').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

export type ScheduleRow = NonNullable<Awaited<ReturnType<typeof findSchedule>>>;

/** Compare-and-set on the version; false when another process or request changed it first. */
export async function updateScheduleIf(db: Db, ticketId: number, version: number, set: Updateable<CronClearScheduleTable>, now: number): Promise<boolean> {
  const r = await db
    .updateTable('cron_clear_schedule')
    .set({ ...set, version: version + 1, modified_at: now })
    .where('ticket_id', '=', ticketId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Armed schedules whose next run is due by `before` (the safety sweep). */
export function dueSchedules(db: Db, before: number, limit: number) {
  return db
    .selectFrom('cron_clear_schedule')
    .select(['ticket_id', 'next_call_at'])
    .where('status', '=', 'ARMED')
    .where('next_call_at', 'is not', null)
    .where('next_call_at', '<=', before)
    .orderBy('next_call_at')
    .limit(limit)
    .execute();
}

/** Jobs of the ticket's runs that are still waiting or running (a run in progress). */
export function activeJobs(db: Db, ticketId: number) {
  return db
    .selectFrom('dc_job')
    .select(['id', 'task_id', 'status', 'run'])
    .where('ticket_id', '=', ticketId)
    .where('status', 'in', ['BE_SCHEDULED', 'RUNNING'])
    .orderBy('id')
    .execute();
}

export async function countRuns(db: Db, ticketId: number): Promise<number> {
  const r = await db.selectFrom('dc_task').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The ticket's runs, newest first. */
export function pageRuns(db: Db, ticketId: number, offset: number, limit: number) {
  return db.selectFrom('dc_task').selectAll().where('ticket_id', '=', ticketId).orderBy('id', 'desc').offset(offset).limit(limit).execute();
}

export function jobsOfTasks(db: Db, taskIds: readonly number[]) {
  if (taskIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('dc_job').selectAll().where('task_id', 'in', taskIds).orderBy('id').execute();
}
