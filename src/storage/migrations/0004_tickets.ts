import { notNull, withId, type StoreMigration } from './helpers.js';

/** Tickets, their related users, target databases, approval handlers and audit events. */
export const m0004: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('ticket'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('plugin_type', 'text', notNull)
      .addColumn('comment', 'text', notNull)
      .addColumn('committer_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('delegated_by_id', 'bigint')
      .addColumn('status', 'text', notNull)
      .addColumn('params', 'text', notNull)
      .addColumn('attachment_key', 'text')
      .addColumn('workflow_instance_id', 'bigint')
      .addColumn('exec_mode', 'text', notNull)
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .execute();
    // ListOrders: newest first within a tenant, by committer, by modification time.
    await db.schema.createIndex('ticket_tenant_created_idx').on('ticket').columns(['tenant_id', 'created_at']).execute();
    await db.schema.createIndex('ticket_tenant_committer_idx').on('ticket').columns(['tenant_id', 'committer_id', 'created_at']).execute();
    await db.schema.createIndex('ticket_tenant_modified_idx').on('ticket').columns(['tenant_id', 'modified_at']).execute();

    await db.schema
      .createTable('ticket_related_user')
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('user_id', 'bigint', notNull)
      .addPrimaryKeyConstraint('ticket_related_user_pk', ['ticket_id', 'user_id'])
      .execute();
    await db.schema.createIndex('ticket_related_user_user_idx').on('ticket_related_user').columns(['user_id', 'ticket_id']).execute();

    await db.schema
      .createTable('ticket_database')
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('db_id', 'bigint', notNull)
      .addColumn('logic', 'integer', notNull)
      .addPrimaryKeyConstraint('ticket_database_pk', ['ticket_id', 'db_id', 'logic'])
      .execute();
    await db.schema.createIndex('ticket_database_db_idx').on('ticket_database').columns(['db_id', 'logic', 'ticket_id']).execute();

    await db.schema
      .createTable('ticket_handler')
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('user_id', 'bigint', notNull)
      .addColumn('kind', 'text', notNull)
      .addPrimaryKeyConstraint('ticket_handler_pk', ['ticket_id', 'user_id', 'kind'])
      .execute();
    await db.schema.createIndex('ticket_handler_user_idx').on('ticket_handler').columns(['user_id', 'kind', 'ticket_id']).execute();

    await withId(db.schema.createTable('ticket_event'), ctx)
      .addColumn('ticket_id', 'bigint', (c) => c.notNull().references('ticket.id'))
      .addColumn('tenant_id', 'bigint', notNull)
      .addColumn('actor_id', 'bigint')
      .addColumn('delegated_by_id', 'bigint')
      .addColumn('action', 'text', notNull)
      .addColumn('from_status', 'text')
      .addColumn('to_status', 'text')
      .addColumn('comment', 'text')
      .addColumn('request_id', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('ticket_event_ticket_idx').on('ticket_event').columns(['ticket_id', 'id']).execute();
  },
};
