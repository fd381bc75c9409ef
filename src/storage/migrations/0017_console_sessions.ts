import { notNull, type StoreMigration } from './helpers.js';

/**
 * Web console sessions (docs/console.md): one row per login, keyed by the SHA-256 of the cookie's
 * token (the token itself is never stored), with its CSRF token, idle and absolute expiry; and the
 * failed logins that rate-limit guessing (per user id, over a sliding window). In the store, so
 * every process of a cluster sees the same sessions and limits.
 */
export const m0017: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('console_session')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('csrf_token', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('last_seen_at', 'bigint', notNull)
      .addColumn('expires_at', 'bigint', notNull)
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('console_session_user_idx').on('console_session').columns(['user_id']).execute();
    await db.schema
      .createTable('login_failure')
      .addColumn('uid', 'text', notNull)
      .addColumn('at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('login_failure_uid_idx').on('login_failure').columns(['uid', 'at']).execute();
  },
};
