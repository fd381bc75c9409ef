import { notNull, withId, type StoreMigration } from './helpers.js';

/** Tenants, users, memberships (roles per tenant), access keys, signature nonces. */
export const m0001: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('tenant'), ctx)
      .addColumn('name', 'text', notNull)
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('ACTIVE'))
      .addColumn('created_at', 'bigint', notNull)
      .execute();

    await withId(db.schema.createTable('app_user'), ctx)
      .addColumn('uid', 'text', (c) => c.notNull().unique())
      .addColumn('nick_name', 'text', notNull)
      .addColumn('mobile', 'text')
      .addColumn('email', 'text')
      .addColumn('is_sysadmin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('active_tenant_id', 'bigint')
      .addColumn('password_hash', 'text')
      .addColumn('last_login_at', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .execute();

    await db.schema
      .createTable('membership')
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('user_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('roles', 'text', notNull)
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('NORMAL'))
      .addColumn('max_execute_count', 'bigint')
      .addColumn('max_result_count', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addPrimaryKeyConstraint('membership_pk', ['tenant_id', 'user_id'])
      .execute();
    await db.schema.createIndex('membership_user_idx').on('membership').column('user_id').execute();

    await db.schema
      .createTable('access_key')
      .addColumn('access_key_id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('secret_enc', 'text', notNull)
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('Active'))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('access_key_user_idx').on('access_key').column('user_id').execute();

    // One row per accepted signed request within the timestamp window; the primary key makes a
    // replay fail on insert, on SQLite and on a PostgreSQL shared by several processes alike.
    await db.schema
      .createTable('signature_nonce')
      .addColumn('access_key_id', 'text', notNull)
      .addColumn('nonce', 'text', notNull)
      .addColumn('expires_at', 'bigint', notNull)
      .addPrimaryKeyConstraint('signature_nonce_pk', ['access_key_id', 'nonce'])
      .execute();
    await db.schema.createIndex('signature_nonce_expires_idx').on('signature_nonce').column('expires_at').execute();

    await db.schema
      .createTable('setting')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', notNull)
      .execute();
  },
};
