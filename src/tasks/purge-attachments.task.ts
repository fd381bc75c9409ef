import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import { purgeExpiredAttachments } from '../modules/attachments/attachments.js';
import { purgeUploadJobs } from '../modules/attachments/uploads.js';
import type { Deps } from '../modules/context.js';

/** Leftovers of interrupted writes older than this are certainly not being written any more. */
const INCOMPLETE_FILE_AGE_MS = 24 * 3600_000;

/**
 * Job `purge-attachments`: deletes expired attachments no ticket references (row, then file),
 * fails upload jobs whose worker vanished, deletes long-finished upload jobs, and removes files of
 * interrupted writes. Idempotent: a second run finds nothing.
 */
export function purgeAttachmentsTask(deps: Deps): JobHandler<JobPayloads['purge-attachments']> {
  return async () => {
    await purgeExpiredAttachments(deps);
    await purgeUploadJobs(deps);
    await deps.files.removeIncomplete(deps.now() - INCOMPLETE_FILE_AGE_MS);
  };
}
