import { notNull, type StoreMigration } from './helpers.js';

/** Uploaded attachments (the files behind AttachmentKey). */
export const m0005: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('attachment')
      .addColumn('attachment_key', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'bigint', notNull)
      .addColumn('user_id', 'bigint', notNull)
      .addColumn('file_name', 'text', notNull)
      .addColumn('file_source', 'text', notNull)
      .addColumn('size_bytes', 'bigint', notNull)
      .addColumn('sha256', 'text', notNull)
      .addColumn('storage_key', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('expires_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('attachment_user_idx').on('attachment').columns(['tenant_id', 'user_id']).execute();
  },
};
