import { notNull, withId, type StoreMigration } from './helpers.js';

/** Data change (DC_COMMON) prechecks: runs, their steps, and per-statement results. */
export const m0010: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('dc_precheck'), ctx)
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('status', 'text', notNull)
      .addColumn('message', 'text')
      .addColumn('estimated_rows', 'bigint')
      .addColumn('row_check_skipped', 'integer', notNull)
      .addColumn('skip_reason', 'text')
      .addColumn('skipped_by', 'bigint', (c) => c.references('app_user.id'))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .execute();
    // The latest precheck of a ticket.
    await db.schema.createIndex('dc_precheck_ticket_idx').on('dc_precheck').columns(['ticket_id', 'id']).execute();

    await db.schema
      .createTable('dc_precheck_step')
      .addColumn('precheck_id', 'bigint', (c) => c.notNull().references('dc_precheck.id'))
      .addColumn('step', 'text', notNull)
      .addColumn('position', 'integer', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('user_tip', 'text')
      .addColumn('skippable', 'integer', notNull)
      .addPrimaryKeyConstraint('dc_precheck_step_pk', ['precheck_id', 'step'])
      .execute();

    await db.schema
      .createTable('dc_precheck_sql')
      .addColumn('precheck_id', 'bigint', (c) => c.notNull().references('dc_precheck.id'))
      .addColumn('db_id', 'bigint', notNull)
      .addColumn('position', 'integer', notNull)
      .addColumn('line', 'integer', notNull)
      .addColumn('sql', 'text', notNull)
      .addColumn('sql_type', 'text', notNull)
      .addColumn('table_names', 'text', notNull)
      .addColumn('affect_rows', 'bigint')
      .addColumn('exact', 'integer', notNull)
      .addColumn('review_status', 'text', notNull)
      .addColumn('findings', 'text', notNull)
      .addColumn('message', 'text')
      .addPrimaryKeyConstraint('dc_precheck_sql_pk', ['precheck_id', 'db_id', 'position'])
      .execute();
  },
};
