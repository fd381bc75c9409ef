import { notNull, withId, type StoreMigration } from './helpers.js';

/**
 * Data change (DC_COMMON) execution: one task per ticket (DMS DBTaskGroup), one job per physical
 * database (DMS SQL job), one row per statement of a job (DMS job detail) and the job's log.
 */
export const m0012: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('dc_task'), ctx)
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().unique().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('options', 'text', notNull)
      .addColumn('requested_by', 'bigint', (c) => c.references('app_user.id'))
      .addColumn('created_at', 'bigint', notNull)
      .execute();

    await withId(db.schema.createTable('dc_job'), ctx)
      .addColumn('task_id', 'bigint', (c) => c.notNull().references('dc_task.id'))
      .addColumn('ticket_id', 'bigint', notNull)
      .addColumn('tenant_id', 'bigint', notNull)
      .addColumn('db_id', 'bigint', notNull)
      .addColumn('logic_db_id', 'bigint')
      .addColumn('status', 'text', notNull)
      .addColumn('exec_token', 'text', (c) => c.notNull().unique())
      .addColumn('run', 'integer', notNull)
      .addColumn('transactional', 'integer', notNull)
      .addColumn('backup', 'integer', notNull)
      .addColumn('pause_requested', 'integer', notNull)
      .addColumn('start_at', 'bigint')
      .addColumn('end_at', 'bigint')
      .addColumn('affected_rows', 'bigint', notNull)
      .addColumn('message', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('modified_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('dc_job_task_idx').on('dc_job').columns(['task_id', 'id']).execute();

    await withId(db.schema.createTable('dc_statement'), ctx)
      .addColumn('job_id', 'bigint', (c) => c.notNull().references('dc_job.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('sql', 'text', notNull)
      .addColumn('sql_type', 'text', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('execute_count', 'integer', notNull)
      .addColumn('affected_rows', 'bigint')
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('elapsed_ms', 'bigint')
      .addColumn('message', 'text')
      .addColumn('backup_key', 'text')
      .addColumn('backup_rows', 'bigint')
      .addColumn('rollback_note', 'text')
      .execute();
    await db.schema.createIndex('dc_statement_job_idx').on('dc_statement').columns(['job_id', 'position']).unique().execute();

    await withId(db.schema.createTable('dc_job_log'), ctx)
      .addColumn('job_id', 'bigint', (c) => c.notNull().references('dc_job.id'))
      .addColumn('at', 'bigint', notNull)
      .addColumn('level', 'text', notNull)
      .addColumn('message', 'text', notNull)
      .execute();
    await db.schema.createIndex('dc_job_log_job_idx').on('dc_job_log').columns(['job_id', 'id']).execute();

    await db.schema
      .createTable('dc_rollback')
      .addColumn('rollback_ticket_id', 'bigint', (c) => c.primaryKey().references('ticket.id'))
      .addColumn('source_ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('source_job_id', 'bigint', (c) => c.notNull().references('dc_job.id'))
      .execute();
    await db.schema.createIndex('dc_rollback_source_idx').on('dc_rollback').columns(['source_ticket_id']).execute();
  },
};
