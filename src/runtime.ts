import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { createJobQueue } from './jobs/queue.js';
import { Metrics } from './lib/metrics.js';
import { loadMasterKey, SecretBox } from './lib/secret-box.js';
import type { Deps } from './modules/context.js';
import { openStore, type Store } from './storage/db.js';
import type { FileStore } from './storage/files/file-store.js';
import { LocalFileStore } from './storage/files/local-file-store.js';
import { S3FileStore } from './storage/files/s3-file-store.js';
import { migrateToLatest } from './storage/migrate.js';

/**
 * Opens and migrates the metadata store and builds the domain deps. Shared by `serve`, `worker`
 * and the administrative CLI commands. The job queue is created but not started: only processes
 * that run background work start it. `migrate: false` (`opendms doctor`) leaves the schema as it is.
 */
export async function openRuntime(config: Config, options: { migrate?: boolean } = {}): Promise<{ deps: Deps; store: Store; migrated: string[] }> {
  // SQLite target databases must live under this folder; create it so users can drop files in.
  fs.mkdirSync(config.sqliteInstanceDir, { recursive: true });
  const store = openStore({ databaseUrl: config.databaseUrl, pgSchema: config.databaseSchema, sqlitePath: path.join(config.dataDir, 'opendms.db') });
  try {
    const migrated = options.migrate === false ? [] : await migrateToLatest(store);
    const secrets = new SecretBox(loadMasterKey(config.masterKey, config.dataDir));
    const jobs = createJobQueue(store, { leaseCheckIntervalMs: config.jobs.leaseCheckSeconds * 1000 });
    const metrics = new Metrics({ queue: () => jobs.stats(), storePool: () => store.poolUse() });
    return { store, migrated, deps: { store, db: store.db, secrets, config, now: Date.now, jobs, files: createFileStore(config), metrics } };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The configured file store: the S3 bucket when OPENDMS_FILES_S3_BUCKET is set, else the local folder. */
export function createFileStore(config: Config): FileStore {
  return config.filesS3 ? new S3FileStore(config.filesS3) : new LocalFileStore(config.filesDir);
}
