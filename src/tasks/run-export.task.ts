import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { runExportJob } from '../modules/exports/runner.js';

/**
 * Job `run-export`: one run of an export job (modules/exports/runner.ts). A stale payload (an older
 * run, a settled job) does nothing; an attempt that finds the job DOING_EXPORT resumes it after a crash.
 */
export function runExportTask(deps: Deps): JobHandler<JobPayloads['run-export']> {
  return async (payload, ctx) => {
    await runExportJob(deps, payload.jobId, payload.run, { number: ctx.attempt, signal: ctx.signal });
  };
}
