import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { deleteExpiredNonces } from '../modules/identity/identity.repository.js';

/**
 * Job `purge-signature-nonces`: deletes the replay-protection nonces of signed API requests whose
 * window has passed. A nonce past its window can no longer be replayed, because the signature check
 * refuses the request's timestamp first. Idempotent by nature (a second run deletes nothing).
 * Scheduled by `scheduleNoncePurge` with a key, so several processes leave at most one queued.
 */
export function purgeSignatureNoncesTask(deps: Pick<Deps, 'db' | 'now'>): JobHandler<JobPayloads['purge-signature-nonces']> {
  return async () => {
    await deleteExpiredNonces(deps.db, deps.now());
  };
}
