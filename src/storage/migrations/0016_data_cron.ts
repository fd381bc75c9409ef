import { sql } from 'kysely';
import { notNull, withId, type StoreMigration } from './helpers.js';

/**
 * Scheduled historical-data cleanup (DC_CRON_CLEAR, src/modules/data-cron/): one schedule per
 * ticket (`cron_clear_schedule`), and each run a `dc_task` of its own, so a ticket now has many
 * tasks: the unique key on `dc_task.ticket_id` becomes a plain index (ticket_id, id).
 *
 * SQLite cannot drop a column's UNIQUE: the table is rebuilt. Kysely runs SQLite migrations
 * outside a transaction, so foreign keys can be switched off around the rebuild (dc_job rows keep
 * pointing at the same ids).
 */
export const m0016: StoreMigration = {
  async up(db, ctx) {
    if (ctx.dialect === 'postgres') {
      await sql`alter table dc_task drop constraint if exists dc_task_ticket_id_key`.execute(db);
    } else {
      await sql`pragma foreign_keys = off`.execute(db);
      try {
        await withId(db.schema.createTable('dc_task_rebuilt'), ctx)
          .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
          .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
          .addColumn('options', 'text', notNull)
          .addColumn('requested_by', 'bigint', (c) => c.references('app_user.id'))
          .addColumn('created_at', 'bigint', notNull)
          .execute();
        await sql`insert into dc_task_rebuilt (id, ticket_id, tenant_id, options, requested_by, created_at) select id, ticket_id, tenant_id, options, requested_by, created_at from dc_task`.execute(db);
        await sql`drop table dc_task`.execute(db);
        await sql`alter table dc_task_rebuilt rename to dc_task`.execute(db);
      } finally {
        await sql`pragma foreign_keys = on`.execute(db);
      }
    }
    await db.schema.createIndex('dc_task_ticket_idx').on('dc_task').columns(['ticket_id', 'id']).execute();

    await db.schema
      .createTable('cron_clear_schedule')
      .addColumn('ticket_id', 'bigint', (c) => c.primaryKey().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      // The Quartz expression as filed, and the zone its wall-clock times are read in.
      .addColumn('cron_format', 'text', notNull)
      .addColumn('time_zone', 'text', notNull)
      // ARMED (runs on its schedule), PAUSED (PauseDataCronClear), DISARMED (the ticket was closed).
      .addColumn('status', 'text', notNull)
      .addColumn('next_call_at', 'bigint')
      .addColumn('last_call_at', 'bigint')
      .addColumn('call_count', 'integer', notNull)
      // Hours a run may take (specifyDuration); null: no limit.
      .addColumn('duration_hours', 'integer')
      // Why the latest slot did not start a run (the previous run still going, a database gone); null when it did.
      .addColumn('last_message', 'text')
      // Incremented by every change: the compare-and-set of ticks, pause, resume and close.
      .addColumn('version', 'integer', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .execute();
    // The safety sweep: armed schedules whose next call is due.
    await db.schema.createIndex('cron_clear_schedule_due_idx').on('cron_clear_schedule').columns(['status', 'next_call_at']).execute();
  },
};
