import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { runPrecheck } from '../modules/exports/precheck.js';

/** Job `export-precheck`: checks a DATA_EXPORT ticket's SQL (modules/exports/precheck.ts). Idempotent: a settled precheck is left alone. */
export function exportPrecheckTask(deps: Deps): JobHandler<JobPayloads['export-precheck']> {
  return async (payload) => {
    await runPrecheck(deps, payload.precheckId);
  };
}
