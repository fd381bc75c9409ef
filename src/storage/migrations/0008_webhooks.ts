import { notNull, withId, type StoreMigration } from './helpers.js';

/** Per-tenant webhooks on ticket events and their delivery log (docs/webhooks.md). */
export const m0008: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('webhook'), ctx)
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('url', 'text', notNull)
      .addColumn('secret_enc', 'text', notNull)
      .addColumn('events', 'text', notNull)
      .addColumn('enabled', 'integer', notNull)
      .addColumn('created_by', 'bigint', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .execute();
    // Every ticket event looks up the enabled webhooks of its tenant.
    await db.schema.createIndex('webhook_tenant_idx').on('webhook').columns(['tenant_id', 'enabled']).execute();

    await withId(db.schema.createTable('webhook_delivery'), ctx)
      .addColumn('webhook_id', 'bigint', (c) => c.notNull().references('webhook.id'))
      .addColumn('event_id', 'bigint', (c) => c.notNull().references('ticket_event.id'))
      .addColumn('status', 'text', notNull)
      .addColumn('attempts', 'integer', notNull)
      .addColumn('max_attempts', 'integer', notNull)
      .addColumn('payload', 'text', notNull)
      .addColumn('last_http_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('last_attempt_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    // Idempotent fan-out: a re-run of an event's notification creates no second delivery.
    await db.schema.createIndex('webhook_delivery_event_uq').on('webhook_delivery').columns(['webhook_id', 'event_id']).unique().execute();
    // ListWebhookDeliveries: one webhook's log, newest first.
    await db.schema.createIndex('webhook_delivery_webhook_idx').on('webhook_delivery').columns(['webhook_id', 'id']).execute();
  },
};
