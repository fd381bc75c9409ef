import { sql } from 'kysely';
import { notNull, type StoreMigration } from './helpers.js';

/**
 * The SQLite job runner's queue (src/jobs/sqlite-runner.ts). Created on PostgreSQL too, where it
 * stays empty (pg-boss keeps its own schema), so both stores share one migration set.
 */
export const m0002: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('job')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', notNull)
      .addColumn('payload', 'text', notNull)
      .addColumn('state', 'text', notNull)
      .addColumn('key', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', notNull)
      .addColumn('backoff_seconds', 'double precision', notNull)
      .addColumn('run_at', 'bigint', notNull)
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('completed_at', 'bigint')
      .addCheckConstraint('job_state_check', sql`state in ('created', 'retry', 'active', 'completed', 'failed', 'cancelled')`)
      .execute();

    // What a worker claims next: due jobs of one name, oldest run_at first.
    await db.schema
      .createIndex('job_due_idx')
      .on('job')
      .columns(['name', 'run_at'])
      .where(sql<boolean>`state in ('created', 'retry')`)
      .execute();
    // Crash recovery: active jobs by lease end.
    await db.schema
      .createIndex('job_lease_idx')
      .on('job')
      .column('locked_until')
      .where(sql<boolean>`state = 'active'`)
      .execute();
    // Idempotency key: at most one queued or active job per name + key. Enqueue inserts with
    // "on conflict do nothing", so the check and the insert are one atomic statement.
    await db.schema
      .createIndex('job_key_unique')
      .on('job')
      .columns(['name', 'key'])
      .unique()
      .where(sql<boolean>`key is not null and state in ('created', 'retry', 'active')`)
      .execute();
  },
};
