/**
 * The job registry: job name → payload type. `JobQueue<JobPayloads>` checks, at compile time, that
 * `enqueue('name', payload)` and the handler registered for `'name'` agree on the payload.
 *
 * Payloads are plain JSON objects (they are stored as JSON text on SQLite and as jsonb by pg-boss):
 * ids, names and numbers, never class instances, Dates (use epoch ms) or functions. Keep them small
 * and let the handler read current state from the store; a payload is a snapshot taken at enqueue
 * time and may be stale by the time the job runs.
 *
 * Adding a job: add one line here (name → payload type), write its handler in
 * `src/tasks/<name>.task.ts`, and register it in the composition root. Later issues add theirs
 * (ticket execution, approval expiry, export cleanup, …). Infrastructure never imports `modules/`,
 * so payload types here are plain data shapes, not domain types.
 */
export interface JobPayloads {
  /** Deletes expired rows of `signature_nonce` (replay protection of signed API requests). */
  'purge-signature-nonces': Record<string, never>;
  /** Delivers one ticket event to the tenant's webhooks (each delivery retried on its own). */
  'notify-ticket-event': { eventId: number; tenantId: number };
  /** One webhook delivery (a `webhook_delivery` row): a signed POST per attempt, retried with backoff. */
  'deliver-webhook': { deliveryId: number };
  /** Fetches the URL of one upload job (`upload_job` row) into an attachment; the job's own row records the outcome. */
  'fetch-upload': { jobKey: string };
  /** Deletes expired, unreferenced attachments, old upload jobs and leftovers of interrupted writes. */
  'purge-attachments': Record<string, never>;
  'purge-console-sessions': Record<string, never>;
  /** The precheck of a DATA_EXPORT ticket (an `export_precheck` row, PRE_CHECKING until settled). */
  'export-precheck': { precheckId: number };
  /** The precheck of a DC_COMMON ticket (a `dc_precheck` row, RUNNING until settled). */
  'dc-precheck': { precheckId: number };
  /** One run of an export job (`export_job` row): streams the rows into a zip in the file store. */
  'run-export': { jobId: number; run: number };
  /** One run of a data-change job (`dc_job` row): the statements of one database, exactly once. */
  'run-dc-job': { jobId: number; run: number };
  /** The slot `at` (epoch ms) of a DC_CRON_CLEAR schedule: starts its cleanup run and queues the next slot's tick. */
  'cron-clear-tick': { ticketId: number; at: number };
  /** One run of a schema design publish (`design_publish` row): the design's DDL on one database. */
  'run-design-publish': { publishId: number; run: number };
  /** Deletes export results past their retention period. */
  'purge-export-results': Record<string, never>;
}

export type JobName = keyof JobPayloads & string;
