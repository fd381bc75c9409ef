import { AppError, noPermission } from '../../errors.js';
import { executionParties, executorDescription } from '../approvals/executor.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { recordEvent } from '../tickets/events.js';
import type { Party } from '../tickets/status.js';
import { applyAction, getVisibleTicket, partiesOf, type Ticket } from '../tickets/tickets.js';
import * as repo from './export.repository.js';
import type { ExportJobRow } from './export.repository.js';
import { parseExportOptions, type ExportOptions } from './options.js';

/**
 * The export job's life as the Actions drive it (the run itself is runner.ts):
 * - ExecuteDataExport: an approved ticket's executor (ExecMode) starts it once per approval:
 *   ticket approved → processing, job WAITING_EXPORT (now, or at `startTime`).
 * - RestartDataExportJob: a failed (or stopped) export runs again with the same options.
 * - PauseDataExportJob (DMS: "terminate") and SuspendDataExportJob stop a waiting or running job;
 *   the worker notices within a second, ends it EXPORT_FAIL and the ticket `fail`; a restart
 *   resumes the work from the start (an export is a read, so a re-run is always safe).
 * - RemoveDataExportJob deletes a finished job's result file.
 * Every step is one transaction: the ticket's compare-and-set transition, the job row and the
 * queued job commit together.
 */

/** Attempts the queue makes for one run; the runner fails the job cleanly on the last one. */
export const RUN_ATTEMPTS = 3;

function assertExportTicket(ticket: Ticket): void {
  if (ticket.row.plugin_type !== 'DATA_EXPORT') {
    throw new AppError('InvalidOrderId', `Specified parameter OrderId is not valid: ticket ${ticket.row.id} is a ${ticket.row.plugin_type} ticket, not DATA_EXPORT.`);
  }
}

async function assertExecutor(deps: Deps, actor: Actor, ticket: Ticket): Promise<void> {
  const parties = await executionParties(deps, actor, ticket.row);
  if (!parties.has('EXECUTOR')) {
    throw noPermission(`Ticket ${ticket.row.id} is run by ${executorDescription(ticket.row.exec_mode)} (ExecMode ${ticket.row.exec_mode}); you may not run it.`);
  }
}

/** ExecuteDataExport. Returns the JobId. */
export async function executeExport(deps: Deps, actor: Actor, orderId: number, actionDetail: unknown, requestId: string): Promise<number> {
  const { options, password } = parseExportOptions(actionDetail, deps.config.timezone, deps.now());
  return inTransaction(deps, async (tx) => {
    const ticket = await getVisibleTicket(tx, actor, orderId);
    assertExportTicket(ticket);
    const job = await repo.findJobByTicket(tx.db, orderId);
    if (ticket.row.status === 'fail' && job) {
      throw new AppError('InvalidStatus', `Ticket ${orderId}: its export ${job.id} failed; run it again with RestartDataExportJob (JobId ${job.id}).`);
    }
    if (ticket.row.status === 'processing' || ticket.row.status === 'success') {
      throw new AppError('InvalidStatus', `Ticket ${orderId} was already exported (status ${ticket.row.status}); an approval runs once. See GetDataExportOrderDetail.`);
    }
    await assertExecutor(tx, actor, ticket);
    await applyAction(tx, actor, ticket.row, 'START_EXECUTION', { parties: await executionParties(tx, actor, ticket.row), requestId, comment: describeRun(options) });
    const now = tx.now();
    const estimate = (await repo.latestPrecheck(tx.db, orderId))?.estimated_rows ?? null;
    const values = {
      status: 'WAITING_EXPORT' as const,
      options: JSON.stringify(options),
      password_enc: password === undefined ? null : tx.secrets.encrypt(password),
      requested_by: actor.userId,
      stop_requested: null,
      rows_done: 0,
      rows_estimated: estimate,
      start_at: options.startAt,
      started_at: null,
      finished_at: null,
      message: null,
    };
    let jobId: number;
    let run: number;
    if (job) {
      // A job from an earlier approval of the same ticket (rejected after a failure, resubmitted).
      run = job.run + 1;
      jobId = job.id;
      await repo.updateJob(tx.db, job.id, { ...values, run }, now);
    } else {
      run = 1;
      jobId = await repo.insertJob(tx.db, {
        ...values,
        ticket_id: orderId,
        tenant_id: ticket.row.tenant_id,
        run,
        file_key: null,
        file_bytes: null,
        file_sha256: null,
        manifest: null,
        expires_at: null,
        purged_at: null,
        removed: 0,
        created_at: now,
        modified_at: now,
      });
    }
    await enqueueRun(tx, jobId, run, options.startAt);
    return jobId;
  });
}

/** RestartDataExportJob: a failed or stopped export runs again, same options (and password). */
export async function restartExport(deps: Deps, actor: Actor, orderId: number, jobId: number, requestId: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const { ticket, job } = await visibleJob(tx, actor, orderId, jobId);
    if (job.status !== 'EXPORT_FAIL') {
      throw new AppError('InvalidStatus', `Export job ${jobId} is ${job.status}; only a failed or stopped export (EXPORT_FAIL) can be restarted.`);
    }
    await assertExecutor(tx, actor, ticket);
    await applyAction(tx, actor, ticket.row, 'START_EXECUTION', { parties: await executionParties(tx, actor, ticket.row), requestId, comment: `restart of export job ${jobId}` });
    const run = job.run + 1;
    const ok = await repo.updateJobIf(
      tx.db,
      jobId,
      { run: job.run, statuses: ['EXPORT_FAIL'] },
      { status: 'WAITING_EXPORT', run, requested_by: actor.userId, stop_requested: null, rows_done: 0, start_at: null, started_at: null, finished_at: null, message: null },
      tx.now(),
    );
    if (!ok) throw new AppError('ConcurrentModification', `Export job ${jobId} was changed at the same time; reload it and try again.`);
    await enqueueRun(tx, jobId, run, null);
  });
}

export type StopKind = 'PAUSE' | 'SUSPEND';

/** Who may stop a waiting or running export. */
export const STOPPERS: readonly Party[] = ['COMMITTER', 'EXECUTOR', 'ADMIN', 'DBA'];

/**
 * PauseDataExportJob / SuspendDataExportJob: a waiting job ends at once; a running one is asked to
 * stop and its worker ends it (within about a second). The committer, the executor, an ADMIN or
 * a DBA may stop it.
 */
export async function stopExport(deps: Deps, actor: Actor, orderId: number, jobId: number, kind: StopKind, requestId: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const { ticket, job } = await visibleJob(tx, actor, orderId, jobId);
    const parties = await executionParties(tx, actor, ticket.row);
    if (!STOPPERS.some((p) => parties.has(p))) {
      throw noPermission(`You may not stop export job ${jobId}: only the committer, the executor, an ADMIN or a DBA may.`);
    }
    const verb = kind === 'PAUSE' ? 'terminated' : 'suspended';
    if (job.status === 'WAITING_EXPORT') {
      const message = `${verb} by ${actor.nickName} before it started; RestartDataExportJob runs it again`;
      const ok = await repo.updateJobIf(tx.db, jobId, { run: job.run, statuses: ['WAITING_EXPORT'] }, { status: 'EXPORT_FAIL', message, finished_at: tx.now() }, tx.now());
      if (!ok) throw new AppError('ConcurrentModification', `Export job ${jobId} started at the same time; stop it again.`);
      await applyAction(tx, null, ticket.row, 'EXECUTION_FAILED', { parties: new Set(['SYSTEM']), requestId, comment: message });
      return;
    }
    if (job.status !== 'DOING_EXPORT') throw new AppError('InvalidStatus', `Export job ${jobId} is ${job.status}; only a waiting or running export can be stopped.`);
    await repo.updateJobIf(tx.db, jobId, { run: job.run, statuses: ['DOING_EXPORT'] }, { stop_requested: kind }, tx.now());
    await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: `EXPORT_${kind}`, fromStatus: ticket.row.status, toStatus: ticket.row.status, requestId, comment: `asked to stop export job ${jobId}` });
  });
}

/** RemoveDataExportJob: deletes a finished job's result (the job row stays for the record). */
export async function removeExport(deps: Deps, actor: Actor, orderId: number, jobId: number, requestId: string): Promise<void> {
  const fileKey = await inTransaction(deps, async (tx) => {
    const { ticket, job } = await visibleJob(tx, actor, orderId, jobId);
    const parties = await partiesOf(tx, actor, ticket.row);
    if (!parties.has('COMMITTER') && !parties.has('ADMIN') && !parties.has('DBA')) throw noPermission(`You may not remove export job ${jobId}: only the committer, an ADMIN or a DBA may.`);
    if (job.status === 'WAITING_EXPORT' || job.status === 'DOING_EXPORT') {
      throw new AppError('InvalidStatus', `Export job ${jobId} is ${job.status}; stop it (PauseDataExportJob) before removing it.`);
    }
    await repo.updateJob(tx.db, jobId, { removed: 1, purged_at: job.file_key ? tx.now() : job.purged_at }, tx.now());
    await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: 'EXPORT_REMOVE', fromStatus: ticket.row.status, toStatus: ticket.row.status, requestId, comment: `export job ${jobId} removed` });
    return job.file_key;
  });
  // After the commit: a failed delete leaves a file no row serves, which the purge finds later.
  if (fileKey) await deps.files.delete(fileKey);
}

async function visibleJob(deps: Deps, actor: Actor, orderId: number, jobId: number): Promise<{ ticket: Ticket; job: ExportJobRow }> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  assertExportTicket(ticket);
  const job = await repo.findJobByTicket(deps.db, orderId);
  if (!job || job.id !== jobId) throw new AppError('InvalidJobId', `Specified parameter JobId is not valid: ticket ${orderId} has no export job ${jobId}${job ? ` (its job is ${job.id})` : ''}.`);
  return { ticket, job };
}

async function enqueueRun(deps: Deps, jobId: number, run: number, startAt: number | null): Promise<void> {
  await deps.jobs.enqueue('run-export', { jobId, run }, { trx: deps.db, key: `export-${jobId}-${run}`, maxAttempts: RUN_ATTEMPTS, backoffSeconds: 5, ...(startAt !== null && { runAt: new Date(startAt) }) });
}

function describeRun(o: ExportOptions): string {
  return `export as ${o.fileType}, ${o.encoding}${o.startAt ? `, scheduled` : ''}`;
}
