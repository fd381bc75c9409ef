import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import { runUploadJob } from '../modules/attachments/uploads.js';
import type { Deps } from '../modules/context.js';

/**
 * Job `fetch-upload`: downloads an upload job's URL into an attachment (modules/attachments/
 * uploads.ts). Idempotent: a job already settled (SUCCESS or FAIL) is left alone, and a retried
 * attempt rewrites the same file. Refusals (blocked address, too large, 4xx) settle the job as
 * FAIL at once; network trouble throws, so the queue retries it with backoff.
 */
export function fetchUploadTask(deps: Deps): JobHandler<JobPayloads['fetch-upload']> {
  return async (payload, ctx) => {
    await runUploadJob(deps, payload.jobKey, { number: ctx.attempt, signal: ctx.signal });
  };
}
