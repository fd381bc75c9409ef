import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { attemptDelivery } from '../modules/webhooks/delivery.js';

/**
 * Job `deliver-webhook` (key `delivery-<id>`): one signed POST per attempt, recorded in the
 * delivery log. A failed attempt throws, so the queue retries it after `backoff · 2^(n-1)`
 * (OPENDMS_WEBHOOK_BACKOFF_SECONDS); the last one (OPENDMS_WEBHOOK_MAX_ATTEMPTS) marks the
 * delivery FAIL. A delivery already final, or whose webhook was deleted, is left alone (re-runs
 * after a crash send nothing twice that was recorded as sent).
 */
export function deliverWebhookTask(deps: Deps): JobHandler<JobPayloads['deliver-webhook']> {
  return async (payload, ctx) => {
    await attemptDelivery(deps, payload.deliveryId, { attempt: ctx.attempt, signal: ctx.signal });
  };
}
