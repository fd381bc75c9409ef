/**
 * CreateRollbackOrder (OpenDMS extension): files, for each database job of an executed data
 * change, a new DC_COMMON ticket whose SQL is the rollback generated from that job's backup
 * (rollback.ts), linked to the original (`dc_rollback`, and an event on both tickets). The new
 * ticket goes through its own precheck and approval like any other change.
 */
import { AppError } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { physicalTarget } from '../instances/owners.js';
import { recordEvent } from '../tickets/events.js';
import { LIMITS } from '../tickets/limits.js';
import { createTicket } from '../tickets/tickets.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';
import { visibleDataChange } from './detail.js';
import * as repo from './execution.repository.js';
import { rollbackText } from './rollback.js';

const STILL_EXECUTING = (orderId: number) => `Ticket ${orderId} is still executing; pause it (PauseDataCorrectSQLJob) or wait until it has finished before rolling it back.`;
const NOTHING_CHANGED = (orderId: number, dbId: number | undefined) => `Ticket ${orderId} changed no rows${dbId !== undefined ? ` on database ${dbId}` : ''}; there is nothing to roll back.`;

/**
 * Whether CreateRollbackOrder would file a rollback for this ticket now, judged from the store alone
 * (GetOrderAvailableActions; no backup file is read): undefined when it was never executed (no
 * rollback to offer), else `{ reason }` naming what refuses it (a job still running, a statement
 * without a usable backup, nothing changed), or `{}` when it may be filed. createRollbackOrders
 * applies the same rules, and checks the backup files themselves.
 */
export async function rollbackAvailability(deps: Deps, orderId: number): Promise<{ reason?: string } | undefined> {
  const task = await repo.findTaskByTicket(deps.db, orderId);
  if (!task) return undefined;
  const jobs = await repo.listJobs(deps.db, task.id);
  if (jobs.some((j) => j.status === 'RUNNING' || j.status === 'BE_SCHEDULED')) return { reason: STILL_EXECUTING(orderId) };
  let changed = false;
  for (const job of jobs) {
    for (const s of await repo.listBackupUnits(deps.db, job.id)) {
      if (s.status !== 'SUCCESS' || ((s.affected_rows ?? 0) === 0 && s.backup_key === null)) continue;
      if (s.rollback_note !== null || s.backup_key === null) return { reason: `SQL job ${job.id} cannot be rolled back from its backup: statement ${s.position}: ${s.rollback_note ?? 'it has no backup'}.` };
      changed = true;
    }
  }
  return changed ? {} : { reason: NOTHING_CHANGED(orderId, undefined) };
}

export async function createRollbackOrders(deps: Deps, actor: Actor, orderId: number, dbId: number | undefined, requestId: string): Promise<number[]> {
  const source = await visibleDataChange(deps, actor, orderId);
  const task = await repo.findTaskByTicket(deps.db, orderId);
  if (!task) throw new AppError('InvalidStatus', `Ticket ${orderId} has not been executed (status ${source.row.status}); there is nothing to roll back.`);
  let jobs = await repo.listJobs(deps.db, task.id);
  if (jobs.some((j) => j.status === 'RUNNING' || j.status === 'BE_SCHEDULED')) {
    throw new AppError('InvalidStatus', STILL_EXECUTING(orderId));
  }
  if (dbId !== undefined) {
    jobs = jobs.filter((j) => j.db_id === dbId);
    if (jobs.length === 0) throw new AppError('InvalidDbId', `Specified parameter DbId is not valid: ticket ${orderId} did not run on database ${dbId}.`);
  }
  const params = source.params as DataChangeParams;
  const plans: { job: (typeof jobs)[number]; sql: string; rows: number }[] = [];
  for (const job of jobs) {
    const target = await physicalTarget(deps, job.tenant_id, job.db_id);
    if (!target) throw new AppError('InvalidStatus', `Database ${job.db_id} of SQL job ${job.id} no longer exists.`);
    const statements = await repo.listBackupUnits(deps.db, job.id);
    const { sql, script } = await rollbackText(deps.files, target.engine, statements);
    if (!script.complete) {
      throw new AppError('NotSupported', `SQL job ${job.id} on ${target.searchName} cannot be rolled back from its backup: ${script.notes.join('; ')}. File a data change with your own rollback SQL instead.`);
    }
    if (script.undone === 0) continue;
    if (sql.length > LIMITS.sqlTextChars) {
      throw new AppError('QuotaExceeded', `The rollback of SQL job ${job.id} is ${sql.length} characters, more than a ticket's ${LIMITS.sqlTextChars}: download it with GetDataCorrectRollbackFile and file it as an attachment.`);
    }
    plans.push({ job, sql, rows: statements.reduce((n, s) => n + (s.status === 'SUCCESS' ? Number(s.backup_rows ?? 0) : 0), 0) });
  }
  if (plans.length === 0) throw new AppError('InvalidStatus', NOTHING_CHANGED(orderId, dbId));

  const created: number[] = [];
  for (const plan of plans) {
    const id = await createTicket(deps, actor, {
      pluginType: 'DC_COMMON',
      comment: `Rollback of ticket ${orderId} (SQL job ${plan.job.id})`,
      params: { dbItemList: [{ dbId: plan.job.db_id, logic: false }], sqlType: 'TEXT', execSQL: plan.sql, estimateAffectRows: plan.rows, classify: 'rollback', execMode: params.execMode },
      paramName: 'OrderId',
      relatedUserIds: [],
      requestId,
    });
    await inTransaction(deps, async (tx) => {
      await repo.insertRollbackLink(tx.db, { rollbackTicketId: id, sourceTicketId: orderId, sourceJobId: plan.job.id });
      await recordEvent(tx, { ticketId: orderId, tenantId: source.row.tenant_id, actor, action: 'ROLLBACK_FILED', fromStatus: source.row.status, toStatus: source.row.status, requestId, comment: `rollback ticket ${id} for SQL job ${plan.job.id}` });
    });
    created.push(id);
  }
  return created;
}
