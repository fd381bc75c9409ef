import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { runDcJob } from '../modules/data-changes/runner.js';

/**
 * Job `run-dc-job`: one run of a data-change job, the statements of one database
 * (modules/data-changes/runner.ts). A stale payload (an older run, a settled job) does nothing; an
 * attempt that finds the job RUNNING resumes it after a crash from what the target's marker table
 * proves committed.
 */
export function runDcJobTask(deps: Deps): JobHandler<JobPayloads['run-dc-job']> {
  return async (payload, ctx) => {
    await runDcJob(deps, payload.jobId, payload.run, { number: ctx.attempt, signal: ctx.signal });
  };
}
