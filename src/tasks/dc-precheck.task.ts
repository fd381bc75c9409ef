import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { runDcPrecheck } from '../modules/data-changes/precheck.js';

/** Job `dc-precheck`: checks a DC_COMMON ticket's SQL (modules/data-changes/precheck.ts). Idempotent: a settled precheck is left alone. */
export function dcPrecheckTask(deps: Deps): JobHandler<JobPayloads['dc-precheck']> {
  return async (payload) => {
    await runDcPrecheck(deps, payload.precheckId);
  };
}
