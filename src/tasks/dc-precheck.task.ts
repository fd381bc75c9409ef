import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { findPrecheck } from '../modules/data-changes/data-change.repository.js';
import { runDcPrecheck } from '../modules/data-changes/precheck.js';
import { runCronClearPrecheck } from '../modules/data-cron/precheck.js';
import { runImportPrecheck } from '../modules/data-imports/precheck.js';
import { findTicket } from '../modules/tickets/ticket.repository.js';

/**
 * Job `dc-precheck`: checks a data-change ticket (modules/data-changes/precheck.ts); a DC_BIG_FILE
 * import has its own (modules/data-imports/precheck.ts). Idempotent: a settled precheck is left alone.
 */
export function dcPrecheckTask(deps: Deps): JobHandler<JobPayloads['dc-precheck']> {
  return async (payload) => {
    const pc = await findPrecheck(deps.db, payload.precheckId);
    const ticket = pc ? await findTicket(deps.db, pc.tenant_id, pc.ticket_id) : undefined;
    if (ticket?.plugin_type === 'DC_BIG_FILE') await runImportPrecheck(deps, payload.precheckId);
    else if (ticket?.plugin_type === 'DC_CRON_CLEAR') await runCronClearPrecheck(deps, payload.precheckId);
    else await runDcPrecheck(deps, payload.precheckId);
  };
}
