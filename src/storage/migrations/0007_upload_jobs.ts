import { notNull, type StoreMigration } from './helpers.js';

/** Upload jobs: CreateUploadFileJob fetches a URL in the background (GetUserUploadFileJob polls). */
export const m0007: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('upload_job')
      .addColumn('job_key', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'bigint', (c) => c.notNull().references('tenant.id'))
      .addColumn('user_id', 'bigint', (c) => c.notNull().references('app_user.id'))
      .addColumn('file_name', 'text', notNull)
      .addColumn('file_source', 'text', notNull)
      .addColumn('upload_type', 'text', notNull)
      .addColumn('upload_url', 'text', notNull)
      .addColumn('status', 'text', notNull)
      .addColumn('status_desc', 'text', notNull)
      .addColumn('file_size', 'bigint')
      .addColumn('uploaded_size', 'bigint', notNull)
      .addColumn('attachment_key', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('modified_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .execute();
    // The purge finds old jobs, and unfinished ones whose worker died, by age.
    await db.schema.createIndex('upload_job_modified_idx').on('upload_job').columns(['modified_at']).execute();
    // The purge of expired attachments scans by expiry.
    await db.schema.createIndex('attachment_expires_idx').on('attachment').columns(['expires_at']).execute();
  },
};
