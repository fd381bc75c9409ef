import { notNull, withId, type StoreMigration } from './helpers.js';

/** Data export tickets: prechecks with their per-statement results, and export jobs. */
export const m0009: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('export_precheck'), ctx)
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('status', 'text', notNull)
      .addColumn('message', 'text')
      .addColumn('estimated_rows', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .execute();
    // The latest precheck of a ticket.
    await db.schema.createIndex('export_precheck_ticket_idx').on('export_precheck').columns(['ticket_id', 'id']).execute();

    await db.schema
      .createTable('export_precheck_sql')
      .addColumn('precheck_id', 'bigint', (c) => c.notNull().references('export_precheck.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('db_id', 'bigint', notNull)
      .addColumn('sql', 'text', notNull)
      .addColumn('affect_rows', 'bigint')
      .addColumn('exact', 'integer', notNull)
      .addColumn('ok', 'integer', notNull)
      .addColumn('message', 'text')
      .addPrimaryKeyConstraint('export_precheck_sql_pk', ['precheck_id', 'position', 'db_id'])
      .execute();

    await withId(db.schema.createTable('export_job'), ctx)
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('status', 'text', notNull)
      .addColumn('options', 'text', notNull)
      .addColumn('password_enc', 'text')
      .addColumn('requested_by', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('run', 'integer', notNull)
      .addColumn('stop_requested', 'text')
      .addColumn('rows_done', 'bigint', notNull)
      .addColumn('rows_estimated', 'bigint')
      .addColumn('start_at', 'bigint')
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('message', 'text')
      .addColumn('file_key', 'text')
      .addColumn('file_bytes', 'bigint')
      .addColumn('file_sha256', 'text')
      .addColumn('manifest', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('purged_at', 'bigint')
      .addColumn('removed', 'integer', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .execute();
    // One export job per ticket (restarts reuse it).
    await db.schema.createIndex('export_job_ticket_uq').on('export_job').columns(['ticket_id']).unique().execute();
    // The retention purge scans by expiry.
    await db.schema.createIndex('export_job_expires_idx').on('export_job').columns(['expires_at']).execute();
  },
};
