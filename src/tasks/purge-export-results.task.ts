import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { purgeExpiredExports } from '../modules/exports/retention.js';

/** Job `purge-export-results`: deletes export results past their retention period. */
export function purgeExportResultsTask(deps: Deps): JobHandler<JobPayloads['purge-export-results']> {
  return async () => {
    await purgeExpiredExports(deps);
  };
}
