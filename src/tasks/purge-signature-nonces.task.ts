import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.js';
import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';

/**
 * Job `purge-signature-nonces`: deletes the replay-protection nonces of signed API requests whose
 * timestamp window has passed (`expires_at` < now). A nonce past its window can no longer be
 * replayed, because the signature check refuses the request's timestamp first.
 *
 * Idempotent by nature (a second run deletes nothing), so a retried or repeated run is harmless.
 * Meant to be enqueued periodically by the composition root with `key: 'purge-signature-nonces'`,
 * so several processes scheduling it leave at most one queued.
 */
export function purgeSignatureNoncesTask(db: Kysely<Database>): JobHandler<JobPayloads['purge-signature-nonces']> {
  return async () => {
    await deleteExpiredSignatureNonces(db, Date.now());
  };
}

/** Returns how many nonces were deleted. */
export async function deleteExpiredSignatureNonces(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom('signature_nonce').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
