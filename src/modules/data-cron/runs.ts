/**
 * One run of a cleanup schedule: a `dc_task` (DMS DBTaskGroupId) with one `dc_job` per physical
 * database, whose statements are one DELETE per item (statements.ts), each queued as job
 * `run-dc-job` like any data-change job; runner.ts hands it to the chunk runner, which deletes in
 * key-ordered batches and stops at the job's `end_at` (the run's DurationHour window): what is
 * left is deleted by the next run. Called inside the tick's store transaction.
 */
import type { Deps } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import * as execRepo from '../data-changes/execution.repository.js';
import { RUN_ATTEMPTS } from '../data-changes/runner.js';
import type { TicketRow } from '../tickets/ticket.repository.js';
import type { CronClearParams } from '../tickets/types/dc-cron-clear.type.js';
import type { CronRunOptions } from './schedule.table.js';
import { cutoffLiteral, deleteStatement } from './statements.js';

const HOUR_MS = 3_600_000;

/** Each physical database of the ticket, with the logical database it belongs to (null: none). */
export async function runTargets(deps: Deps, row: TicketRow): Promise<{ member: TargetDatabase; logicDbId: number | null }[]> {
  const params = JSON.parse(row.params) as CronClearParams;
  const committer = await resolveActor(deps, row.committer_id, row.tenant_id);
  const out: { member: TargetDatabase; logicDbId: number | null }[] = [];
  for (const item of params.dbItemList) {
    const target = await resolveTargetDatabase(deps, committer, item.dbId, item.logic);
    for (const m of target.members) if (!out.some((o) => o.member.dbId === m.dbId)) out.push({ member: m, logicDbId: item.logic ? item.dbId : null });
  }
  return out;
}

/** Starts a run for the slot `slotAt`, now; returns its task id. Throws (before writing) when a database no longer resolves. */
export async function startRun(tx: Deps, row: TicketRow, slotAt: number, durationHours: number | null): Promise<number> {
  const targets = await runTargets(tx, row);
  const params = JSON.parse(row.params) as CronClearParams;
  const now = tx.now();
  const endAt = durationHours === null ? null : now + durationHours * HOUR_MS;
  const options: CronRunOptions = { cron: true, slotAt, startedAt: now, endAt };
  const taskId = await execRepo.insertTask(tx.db, { ticketId: row.id, tenantId: row.tenant_id, options: JSON.stringify(options), requestedBy: null }, now);
  for (const { member, logicDbId } of targets) {
    // Expired history is deleted, not kept: no backup (as DMS).
    const jobId = await execRepo.insertJob(tx.db, execRepo.newJob({ task_id: taskId, ticket_id: row.id, tenant_id: row.tenant_id, db_id: member.dbId, logic_db_id: logicDbId, transactional: 0, backup: 0, start_at: null, end_at: endAt }, now));
    await execRepo.insertStatements(
      tx.db,
      params.cronClearItemList.map((item, k) =>
        execRepo.newStatement({ job_id: jobId, position: k + 1, sql: deleteStatement(member.engine, item, cutoffLiteral(member.engine, item, now, tx.config.timezone)), sql_type: 'DELETE' }),
      ),
    );
    await execRepo.appendLog(tx.db, jobId, 'INFO', `cleanup run for the slot ${new Date(slotAt).toISOString()}: ${params.cronClearItemList.length} table(s)${endAt ? `, until ${new Date(endAt).toISOString()} (DurationHour ${durationHours})` : ''}`, now);
    await tx.jobs.enqueue('run-dc-job', { jobId, run: 1 }, { trx: tx.db, key: `dc-job-${jobId}-1`, maxAttempts: RUN_ATTEMPTS, backoffSeconds: 5 });
  }
  return taskId;
}
