import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { deleteEndedSessions } from '../modules/identity/session.repository.js';

/**
 * Job `purge-console-sessions`: deletes console sessions that ended (expired or revoked) more than
 * a day ago, and failed logins older than that (the rate limit looks back at most its window).
 * Idempotent; scheduled hourly with a key, so several processes leave at most one queued.
 */
export function purgeConsoleSessionsTask(deps: Pick<Deps, 'db' | 'now'>): JobHandler<JobPayloads['purge-console-sessions']> {
  return async () => {
    await deleteEndedSessions(deps.db, deps.now() - 24 * 3_600_000);
  };
}
