import { notNull, withId, type StoreMigration } from './helpers.js';

/**
 * Lock-free data changes (DC_CHUNK) and cleanup runs (DC_CRON_CLEAR) run one statement in batches
 * of primary-key ranges: one row per batch, written before the batch runs (RUNNING, with its key
 * range) and settled after it committed (SUCCESS), so a crash resumes after the last committed one.
 */
export const m0014: StoreMigration = {
  async up(db, ctx) {
    await withId(db.schema.createTable('dc_chunk_batch'), ctx)
      .addColumn('job_id', 'bigint', (c) => c.notNull().references('dc_job.id'))
      .addColumn('position', 'integer', notNull)
      .addColumn('batch_no', 'integer', notNull)
      .addColumn('lower_key', 'text')
      .addColumn('upper_key', 'text')
      .addColumn('status', 'text', notNull)
      .addColumn('batch_rows', 'integer', notNull)
      .addColumn('affected_rows', 'bigint')
      .addColumn('started_at', 'bigint', notNull)
      .addColumn('finished_at', 'bigint')
      .addColumn('elapsed_ms', 'bigint')
      .addColumn('backup_key', 'text')
      .addColumn('backup_rows', 'bigint')
      .execute();
    await db.schema.createIndex('dc_chunk_batch_job_idx').on('dc_chunk_batch').columns(['job_id', 'position', 'batch_no']).unique().execute();
  },
};
