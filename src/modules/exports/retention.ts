import type { Deps } from '../context.js';
import * as repo from './export.repository.js';

/** Results deleted per purge run; the next hourly run takes the rest. */
const BATCH = 500;

/**
 * Deletes export results past their retention (OPENDMS_EXPORT_RETENTION_DAYS): the file first,
 * then the mark, so a crash in between only leads to deleting an absent file again. Idempotent.
 */
export async function purgeExpiredExports(deps: Deps): Promise<number> {
  const expired = await repo.listExpiredResults(deps.db, deps.now(), BATCH);
  for (const job of expired) {
    if (job.file_key) await deps.files.delete(job.file_key);
    await repo.updateJob(deps.db, job.id, { purged_at: deps.now() }, deps.now());
  }
  return expired.length;
}
