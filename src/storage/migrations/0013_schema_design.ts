import { notNull, withId, type StoreMigration } from './helpers.js';

/**
 * Schema design (NDDL): the project of a ticket, its ordered DDL changes, per-table schema
 * snapshots of the base database, the tenant's R&D flow, and the publishes with their per-table jobs.
 */
export const m0013: StoreMigration = {
  async up(db, ctx) {
    await db.schema
      .createTable('design_flow')
      .addColumn('tenant_id', 'bigint', (c) => c.primaryKey().references('tenant.id'))
      .addColumn('name', 'text', notNull)
      .addColumn('stages', 'text', notNull)
      .addColumn('pg_concurrent_index', 'integer', notNull)
      .addColumn('updated_by', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();

    await withId(db.schema.createTable('design_project'), ctx)
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().unique().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('base_db_id', 'bigint', notNull)
      .addColumn('base_logic', 'integer', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('flow', 'text', notNull)
      .addColumn('published_stage', 'integer', notNull)
      .addColumn('creator_id', 'bigint', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .execute();

    await withId(db.schema.createTable('design_change'), ctx)
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('design_project.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('sql', 'text', notNull)
      .addColumn('kind', 'text', notNull)
      .addColumn('table_name', 'text', notNull)
      .addColumn('tables', 'text', notNull)
      .addColumn('findings', 'text', notNull)
      .addColumn('applied_to_base', 'integer', notNull)
      .addColumn('created_by', 'bigint', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('design_change_project_idx').on('design_change').columns(['project_id', 'position']).execute();

    // The base's state of a table: before any change (position 0) and after each change that touched it.
    await db.schema
      .createTable('design_snapshot')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('design_project.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('table_name', 'text', notNull)
      .addColumn('state', 'text', notNull)
      .addPrimaryKeyConstraint('design_snapshot_pk', ['project_id', 'table_name', 'position'])
      .execute();

    await withId(db.schema.createTable('design_publish'), ctx)
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('design_project.id'))
      .addColumn('ticket_id', 'bigint', notNull)
      .addColumn('tenant_id', 'bigint', notNull)
      .addColumn('stage', 'integer', notNull)
      .addColumn('db_id', 'bigint', notNull)
      .addColumn('logic', 'integer', notNull)
      .addColumn('strategy', 'text', notNull)
      .addColumn('plan_at', 'bigint')
      .addColumn('workflow_instance_id', 'bigint')
      .addColumn('status', 'text', notNull)
      .addColumn('risk_level', 'text', notNull)
      .addColumn('message', 'text')
      .addColumn('run', 'integer', notNull)
      .addColumn('creator_id', 'bigint', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('design_publish_project_idx').on('design_publish').columns(['project_id', 'id']).execute();

    await withId(db.schema.createTable('design_publish_job'), ctx)
      .addColumn('publish_id', 'bigint', (c) => c.notNull().references('design_publish.id'))
      .addColumn('db_id', 'bigint', notNull)
      .addColumn('table_name', 'text', notNull)
      .addColumn('scripts', 'text', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('execute_count', 'integer', notNull)
      .addColumn('message', 'text')
      .execute();
    await db.schema.createIndex('design_publish_job_idx').on('design_publish_job').columns(['publish_id', 'id']).execute();
  },
};
