import type { Config } from '../config.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Metrics } from '../lib/metrics.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Db, Store } from '../storage/db.js';
import type { FileStore } from '../storage/files/file-store.js';

/**
 * What domain services need from the outside world, built once by the composition root (main.ts)
 * and passed explicitly. `db` is the store's handle or, inside a transaction, the transaction.
 */
export interface Deps {
  readonly store: Store;
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly config: Config;
  readonly now: () => number;
  /** Background jobs; enqueue with `{ trx: deps.db }` inside a transaction so both commit together. */
  readonly jobs: JobQueue;
  /** Uploaded files (attachments): a folder in the data dir, or object storage later. */
  readonly files: FileStore;
  /** The process's Prometheus metrics (GET /metrics). */
  readonly metrics: Metrics;
}

/** The same deps bound to a transaction: services called with it share one commit. */
export function withDb(deps: Deps, db: Db): Deps {
  return { ...deps, db };
}

export async function inTransaction<T>(deps: Deps, fn: (tx: Deps) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute((trx) => fn(withDb(deps, trx)));
}
