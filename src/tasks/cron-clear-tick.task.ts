import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { tick } from '../modules/data-cron/schedule.js';

/**
 * Job `cron-clear-tick`: one slot of a cleanup schedule (modules/data-cron/schedule.ts). Idempotent:
 * a tick whose slot the schedule no longer expects (done, paused, closed) does nothing.
 */
export function cronClearTickTask(deps: Deps): JobHandler<JobPayloads['cron-clear-tick']> {
  return async (payload) => {
    await tick(deps, payload.ticketId, payload.at);
  };
}
