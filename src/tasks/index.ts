import type { JobPayloads } from '../jobs/job-types.js';
import type { JobHandler, RegisterOptions } from '../jobs/queue.js';
import type { Deps } from '../modules/context.js';
import { sweepSchedules } from '../modules/data-cron/schedule.js';
import { cronClearTickTask } from './cron-clear-tick.task.js';
import { dcPrecheckTask } from './dc-precheck.task.js';
import { deliverWebhookTask } from './deliver-webhook.task.js';
import { exportPrecheckTask } from './export-precheck.task.js';
import { fetchUploadTask } from './fetch-upload.task.js';
import { notifyTicketEventTask } from './notify-ticket-event.task.js';
import { purgeAttachmentsTask } from './purge-attachments.task.js';
import { purgeConsoleSessionsTask } from './purge-console-sessions.task.js';
import { purgeExportResultsTask } from './purge-export-results.task.js';
import { purgeSignatureNoncesTask } from './purge-signature-nonces.task.js';
import { runDcJobTask } from './run-dc-job.task.js';
import { runDesignPublishTask } from './run-design-publish.task.js';
import { runExportTask } from './run-export.task.js';

/** Registers every job handler with the queue (the name → handler map of the running process). */
export function registerTasks(deps: Deps): void {
  // Every attempt counted and timed by job name and outcome (GET /metrics).
  const register = <N extends keyof JobPayloads & string>(name: N, handler: JobHandler<JobPayloads[N]>, options: RegisterOptions): void =>
    deps.jobs.register(name, measured(deps, name, handler), options);
  register('purge-signature-nonces', purgeSignatureNoncesTask(deps), { concurrency: 1, leaseSeconds: 60 });
  register('notify-ticket-event', notifyTicketEventTask(deps), { concurrency: 2, leaseSeconds: 60 });
  // Receivers answer slowly or not at all (10 s timeout): several in parallel, so one does not hold up the rest.
  register('deliver-webhook', deliverWebhookTask(deps), { concurrency: 4, leaseSeconds: 60 });
  // Downloads wait on the network: a few in parallel. The lease (pg-boss: the run-time limit)
  // exceeds the fetch time-out, so a slow download is cut by the time-out, not by the queue.
  register('fetch-upload', fetchUploadTask(deps), { concurrency: 4, leaseSeconds: deps.config.uploadTimeoutSeconds + 60 });
  register('purge-attachments', purgeAttachmentsTask(deps), { concurrency: 1, leaseSeconds: 300 });
  register('purge-console-sessions', purgeConsoleSessionsTask(deps), { concurrency: 1, leaseSeconds: 60 });
  // Prechecks ask the target's planner, or count within a 5 s budget per statement.
  register('export-precheck', exportPrecheckTask(deps), { concurrency: 2, leaseSeconds: 300 });
  // Data-change prechecks count each statement within a 3 s budget (a long script takes a while).
  register('dc-precheck', dcPrecheckTask(deps), { concurrency: 2, leaseSeconds: 900 });
  // Two exports at a time per process (2 cores: one streams while the other waits on its database).
  // SQLite: a 20 s lease renewed while it runs, so a crashed export is taken up again within 20 s.
  // pg-boss has no heartbeat: its lease is the longest an export may run (OPENDMS_EXPORT_MAX_RUN_SECONDS).
  register('run-export', runExportTask(deps), { concurrency: 2, leaseSeconds: deps.jobs.capabilities.leaseHeartbeat ? 20 : runLimit(deps.config.exports.maxRunSeconds) });
  // Data changes: one job per database, four databases at a time per process. SQLite: a 20 s lease
  // renewed while it runs; pg-boss (no heartbeat): the longest a job may run (OPENDMS_DC_MAX_RUN_SECONDS).
  register('run-dc-job', runDcJobTask(deps), { concurrency: 4, leaseSeconds: deps.jobs.capabilities.leaseHeartbeat ? 20 : runLimit(deps.config.jobs.dcMaxRunSeconds) });
  // Schema publishes: DDL under lock timeouts, one per target at a time per process.
  register('run-design-publish', runDesignPublishTask(deps), { concurrency: 2, leaseSeconds: deps.jobs.capabilities.leaseHeartbeat ? 20 : 3600 });
  register('purge-export-results', purgeExportResultsTask(deps), { concurrency: 1, leaseSeconds: 600 });
  // Cleanup schedules: a tick only writes store rows (the run's jobs do the deleting).
  register('cron-clear-tick', cronClearTickTask(deps), { concurrency: 2, leaseSeconds: 60 });
}

/** pg-boss lease of a job that may run `maxRunSeconds`: a margin more, so the job's own deadline ends it first. */
const runLimit = (maxRunSeconds: number): number => maxRunSeconds + Math.min(60, Math.ceil(maxRunSeconds / 2));

function measured<P>(deps: Deps, name: string, handler: JobHandler<P>): JobHandler<P> {
  return async (payload, ctx) => {
    const end = deps.metrics.jobSeconds.startTimer({ job: name });
    try {
      await handler(payload, ctx);
      deps.metrics.jobOutcomes.inc({ job: name, outcome: 'completed' });
    } catch (e) {
      deps.metrics.jobOutcomes.inc({ job: name, outcome: 'failed' });
      throw e;
    } finally {
      end();
    }
  };
}

/** Every 10 minutes, from every process; the key leaves at most one purge queued in the cluster. */
export function scheduleNoncePurge(deps: Deps): () => void {
  const enqueue = (): void => {
    deps.jobs.enqueue('purge-signature-nonces', {}, { key: 'purge-signature-nonces', maxAttempts: 1 }).catch(() => undefined);
  };
  enqueue();
  const timer = setInterval(enqueue, 10 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Hourly, from every process; the keys leave at most one purge of each kind queued in the cluster. */
export function scheduleHourlyPurges(deps: Deps): () => void {
  const enqueue = (): void => {
    deps.jobs.enqueue('purge-attachments', {}, { key: 'purge-attachments', maxAttempts: 1 }).catch(() => undefined);
    deps.jobs.enqueue('purge-console-sessions', {}, { key: 'purge-console-sessions', maxAttempts: 1 }).catch(() => undefined);
    deps.jobs.enqueue('purge-export-results', {}, { key: 'purge-export-results', maxAttempts: 1 }).catch(() => undefined);
  };
  enqueue();
  const timer = setInterval(enqueue, 60 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Every minute, from every process, and at startup: queues the tick of each armed cleanup schedule
 * that is due within the minute, should its tick be missing (the keys ignore ticks already queued).
 */
export function scheduleCronClearSweep(deps: Deps): () => void {
  const sweep = (): void => {
    sweepSchedules(deps).catch(() => undefined);
  };
  sweep();
  const timer = setInterval(sweep, 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
