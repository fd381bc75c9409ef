import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { runPublish } from '../modules/schema-design/publish-runner.js';

/**
 * Job `run-design-publish`: one run of a schema design publish (modules/schema-design/publish-runner.ts).
 * A stale payload (an older run, a settled publish) does nothing; a run after a crash plans again
 * from the target's catalog, so what already ran there is skipped.
 */
export function runDesignPublishTask(deps: Deps): JobHandler<JobPayloads['run-design-publish']> {
  return async (payload, ctx) => {
    await runPublish(deps, payload.publishId, payload.run, { number: ctx.attempt, signal: ctx.signal });
  };
}
