import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { notifyTicketEvent } from '../modules/webhooks/delivery.js';

/**
 * Job `notify-ticket-event`: queued by `recordEvent` in the transaction of every ticket event.
 * Builds the event's webhook payload and creates one delivery (and one `deliver-webhook` job) per
 * enabled webhook of the tenant whose filter selects the event. Idempotent: deliveries are unique
 * per (webhook, event), so a retried or repeated job adds none.
 */
export function notifyTicketEventTask(deps: Deps): JobHandler<JobPayloads['notify-ticket-event']> {
  return async (payload) => {
    await notifyTicketEvent(deps, payload);
  };
}
