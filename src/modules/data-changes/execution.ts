/**
 * The execution of a DC_COMMON ticket as the Actions drive it (the run itself is runner.ts):
 * - ExecuteDataCorrect: the executor (ExecMode) starts an approved ticket once; ExecMode AUTO
 *   starts it right after approval. One task, one job per physical database, the statements the
 *   passed precheck checked; each job queued at `startTime` (or now).
 * - RestartDataCorrectSQLJob (SINGLE or ALL): a failed or paused job runs again from its first
 *   statement that did not commit.
 * - PauseDataCorrectSQLJob (SINGLE or ALL): a waiting job pauses at once, a running one before
 *   its next statement.
 * Every step is one store transaction: the ticket's compare-and-set transition, the rows and
 * the queued jobs commit together, so a double click starts one execution.
 */
import { z } from 'zod';
import { AppError, noPermission } from '../../errors.js';
import { parseDmsTime } from '../../lib/time.js';
import { executionParties, executorDescription } from '../approvals/executor.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveActor } from '../identity/authentication.js';
import { resolveTargetDatabase } from '../instances/owners.js';
import { recordEvent } from '../tickets/events.js';
import type { Party } from '../tickets/status.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { parsePluginParam, zBool } from '../tickets/plugin-param.js';
import { applyAction, getVisibleTicket, type Ticket } from '../tickets/tickets.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';
import * as dcRepo from './data-change.repository.js';
import { visibleDataChange } from './detail.js';
import * as repo from './execution.repository.js';
import type { DcJobRow } from './execution.repository.js';
import type { ExecOptions } from './execution.table.js';
import { RUN_ATTEMPTS, settleTicket } from './runner.js';

const actionDetail = z.object({
  startTime: z.string().optional(),
  endTime: z.string().optional(),
  transaction: zBool.default(false),
  backupData: zBool.default(true),
});

/** ExecuteDataCorrect `ActionDetail` (lower camel keys; PascalCase accepted). */
export function parseExecOptions(raw: unknown, timeZone: string, now: number): ExecOptions {
  const p = parsePluginParam(actionDetail, raw ?? {}, 'ActionDetail');
  const time = (text: string | undefined, key: string): number | null => {
    if (text === undefined || text.trim() === '') return null;
    const t = parseDmsTime(text, timeZone);
    if (t === null) throw new AppError('InvalidActionDetail', `Specified parameter ActionDetail is not valid: ${key}: expected yyyy-MM-dd HH:mm:ss.`);
    return t;
  };
  let startAt = time(p.startTime, 'startTime');
  const endAt = time(p.endTime, 'endTime');
  if (endAt !== null && endAt <= now) throw new AppError('InvalidActionDetail', 'Specified parameter ActionDetail is not valid: endTime: it has already passed.');
  if (startAt !== null && endAt !== null && endAt <= startAt) throw new AppError('InvalidActionDetail', 'Specified parameter ActionDetail is not valid: endTime must be after startTime.');
  if (startAt !== null && startAt <= now) startAt = null; // a start in the past means "now"
  return { startAt, endAt, transaction: p.transaction, backup: p.backupData };
}

const SYSTEM: ReadonlySet<Party> = new Set(['SYSTEM']);

async function assertExecutor(deps: Deps, actor: Actor, ticket: Ticket): Promise<Set<Party>> {
  const parties = await executionParties(deps, actor, ticket.row);
  if (!parties.has('EXECUTOR')) {
    throw noPermission(`Ticket ${ticket.row.id} is run by ${executorDescription(ticket.row.exec_mode)} (ExecMode ${ticket.row.exec_mode}); you may not run it.`);
  }
  return parties;
}

/** ExecuteDataCorrect. Returns the task id (DBTaskGroupId). */
export async function executeDataChange(deps: Deps, actor: Actor, orderId: number, rawOptions: unknown, requestId: string): Promise<number> {
  const options = parseExecOptions(rawOptions, deps.config.timezone, deps.now());
  return inTransaction(deps, async (tx) => {
    // A cleanup schedule is armed by its approval and runs on its schedule, not on request.
    const ticket = await visibleDataChange(tx, actor, orderId, ['DC_COMMON', 'DC_CHUNK', 'DC_BIG_FILE']);
    assertStartable(ticket.row, await repo.findTaskByTicket(tx.db, orderId));
    const parties = await assertExecutor(tx, actor, ticket);
    return startExecution(tx, actor, ticket.row, options, parties, requestId);
  });
}

/** ExecMode AUTO: started by the service inside the approving transaction, with the default options. */
export async function startAutoExecution(deps: Deps, row: ticketRepo.TicketRow): Promise<void> {
  if (await repo.findTaskByTicket(deps.db, row.id)) return;
  await startExecution(deps, null, row, { startAt: null, endAt: null, transaction: false, backup: true }, SYSTEM, undefined);
}

function assertStartable(row: ticketRepo.TicketRow, task: repo.DcTaskRow | undefined): void {
  if (task && row.status === 'fail') throw new AppError('InvalidStatus', `Ticket ${row.id}: its execution failed; run the failed jobs again with RestartDataCorrectSQLJob (ListDBTaskSQLJob with DBTaskGroupId ${task.id} lists them).`);
  if (task || row.status === 'processing' || row.status === 'success') {
    throw new AppError('InvalidStatus', `Ticket ${row.id} was already executed (status ${row.status}); an approved data change runs once. See GetDataCorrectTaskDetail.`);
  }
  if (row.status !== 'approved') throw new AppError('InvalidStatus', `Ticket ${row.id} is ${row.status}; only an approved ticket can be executed.`);
}

async function startExecution(tx: Deps, actor: Actor | null, row: ticketRepo.TicketRow, options: ExecOptions, parties: ReadonlySet<Party>, requestId: string | undefined): Promise<number> {
  const precheck = await dcRepo.latestPrecheck(tx.db, row.id);
  if (precheck?.status !== 'SUCCESS') throw new AppError('InvalidStatus', `Ticket ${row.id} has no passed precheck to execute.`);
  const statements = await dcRepo.listPrecheckSql(tx.db, precheck.id, { offset: 0, limit: Number.MAX_SAFE_INTEGER });
  const params = JSON.parse(row.params) as DataChangeParams;
  const committer = await resolveActor(tx, row.committer_id, row.tenant_id);
  const logicOf = new Map<number, number | null>();
  for (const item of params.dbItemList) {
    const target = await resolveTargetDatabase(tx, committer, item.dbId, item.logic);
    for (const m of target.members) if (!logicOf.has(m.dbId)) logicOf.set(m.dbId, item.logic ? item.dbId : null);
  }
  await applyAction(tx, actor, row, 'START_EXECUTION', { parties, requestId, comment: describe(options) });
  const now = tx.now();
  const taskId = await repo.insertTask(tx.db, { ticketId: row.id, tenantId: row.tenant_id, options: JSON.stringify(options), requestedBy: actor?.userId ?? null }, now);
  const dbIds = [...new Set(statements.map((s) => Number(s.db_id)))];
  for (const dbId of dbIds) {
    const jobId = await repo.insertJob(
      tx.db,
      repo.newJob({ task_id: taskId, ticket_id: row.id, tenant_id: row.tenant_id, db_id: dbId, logic_db_id: logicOf.get(dbId) ?? null, transactional: options.transaction ? 1 : 0, backup: options.backup ? 1 : 0, start_at: options.startAt, end_at: options.endAt }, now),
    );
    await repo.insertStatements(
      tx.db,
      statements.filter((s) => Number(s.db_id) === dbId).map((s) => repo.newStatement({ job_id: jobId, position: s.position, sql: s.sql, sql_type: s.sql_type })),
    );
    await repo.appendLog(tx.db, jobId, 'INFO', `scheduled${options.startAt ? ` for ${new Date(options.startAt).toISOString()}` : ''}: ${statements.filter((s) => Number(s.db_id) === dbId).length} statement(s), ${describe(options)}`, now);
    await enqueueRun(tx, jobId, 1, options.startAt);
  }
  return taskId;
}

function describe(o: ExecOptions): string {
  return `${o.transaction ? 'one transaction per database' : 'one transaction per statement'}, backup ${o.backup ? 'on' : 'off'}${o.startAt ? ', scheduled' : ''}${o.endAt ? ', with an end time' : ''}`;
}

async function enqueueRun(deps: Deps, jobId: number, run: number, startAt: number | null): Promise<void> {
  await deps.jobs.enqueue('run-dc-job', { jobId, run }, { trx: deps.db, key: `dc-job-${jobId}-${run}`, maxAttempts: RUN_ATTEMPTS, backoffSeconds: 5, ...(startAt !== null && { runAt: new Date(startAt) }) });
}

export type JobScope = 'SINGLE' | 'ALL';

async function jobsInScope(deps: Deps, actor: Actor, orderId: number, scope: JobScope, jobId: number | undefined) {
  const ticket = await visibleDataChange(deps, actor, orderId);
  const task = await repo.findTaskByTicket(deps.db, orderId);
  if (!task) throw new AppError('InvalidStatus', `Ticket ${orderId} has not been executed yet (status ${ticket.row.status}).`);
  const jobs = await repo.listJobs(deps.db, task.id);
  if (scope === 'SINGLE') {
    if (jobId === undefined) throw new AppError('MissingJobId', 'JobId is mandatory when Type is SINGLE.');
    const job = jobs.find((j) => j.id === jobId);
    if (!job) throw new AppError('InvalidJobId', `Specified parameter JobId is not valid: ticket ${orderId} has no SQL job ${jobId} (its jobs: ${jobs.map((j) => j.id).join(', ')}).`);
    return { ticket, task, jobs, chosen: [job] };
  }
  return { ticket, task, jobs, chosen: jobs };
}

/** RestartDataCorrectSQLJob: failed or paused jobs run again from their first statement that did not commit. */
export async function restartJobs(deps: Deps, actor: Actor, orderId: number, scope: JobScope, jobId: number | undefined, requestId: string): Promise<number[]> {
  return inTransaction(deps, async (tx) => {
    const { ticket, task, chosen } = await jobsInScope(tx, actor, orderId, scope, jobId);
    const restartable = chosen.filter((j) => j.status === 'FAIL' || j.status === 'PAUSE');
    if (restartable.length === 0) {
      throw new AppError('InvalidStatus', scope === 'SINGLE' ? `SQL job ${chosen[0]!.id} is ${chosen[0]!.status}; only a failed or paused job can be restarted.` : `Ticket ${orderId} has no failed or paused SQL job to restart.`);
    }
    const parties = await assertExecutor(tx, actor, ticket);
    await repo.lockTask(tx.db, task.id);
    if (ticket.row.status === 'fail') {
      await applyAction(tx, actor, ticket.row, 'START_EXECUTION', { parties, requestId, comment: `restart of SQL job ${restartable.map((j) => j.id).join(', ')}` });
    } else if (ticket.row.status !== 'processing') {
      throw new AppError('InvalidStatus', `Ticket ${orderId} is ${ticket.row.status}; its jobs cannot be restarted.`);
    } else {
      await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: 'DC_JOB_RESTART', fromStatus: 'processing', toStatus: 'processing', requestId, comment: `restart of SQL job ${restartable.map((j) => j.id).join(', ')}` });
    }
    for (const job of restartable) {
      const run = job.run + 1;
      const ok = await repo.updateJobIf(tx.db, job.id, { run: job.run, statuses: ['FAIL', 'PAUSE'] }, { status: 'BE_SCHEDULED', run, pause_requested: 0, message: null, start_at: null, end_at: null, finished_at: null }, tx.now());
      if (!ok) throw new AppError('ConcurrentModification', `SQL job ${job.id} was changed at the same time; reload it and try again.`);
      await repo.appendLog(tx.db, job.id, 'INFO', `restarted by ${actor.nickName} (run ${run})`, tx.now());
      await enqueueRun(tx, job.id, run, null);
    }
    return restartable.map((j) => j.id);
  });
}

/** Who may pause: as for stopping an export. */
export const PAUSERS: readonly Party[] = ['COMMITTER', 'EXECUTOR', 'ADMIN', 'DBA'];

/** PauseDataCorrectSQLJob: waiting jobs pause now, running ones before their next statement. */
export async function pauseJobs(deps: Deps, actor: Actor, orderId: number, scope: JobScope, jobId: number | undefined, requestId: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const { ticket, task, chosen } = await jobsInScope(tx, actor, orderId, scope, jobId);
    const parties = await executionParties(tx, actor, ticket.row);
    if (!PAUSERS.some((p) => parties.has(p))) throw noPermission(`You may not pause the jobs of ticket ${orderId}: only the committer, the executor, an ADMIN or a DBA may.`);
    const pausable = chosen.filter((j) => j.status === 'BE_SCHEDULED' || j.status === 'RUNNING');
    if (pausable.length === 0) {
      throw new AppError('InvalidStatus', scope === 'SINGLE' ? `SQL job ${chosen[0]!.id} is ${chosen[0]!.status}; only a waiting or running job can be paused.` : `Ticket ${orderId} has no waiting or running SQL job to pause.`);
    }
    await repo.lockTask(tx.db, task.id);
    for (const job of pausable) await pauseOne(tx, actor, job);
    await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: 'DC_JOB_PAUSE', fromStatus: ticket.row.status, toStatus: ticket.row.status, requestId, comment: `pause of SQL job ${pausable.map((j) => j.id).join(', ')}` });
    await settleTicket(tx, task.id, ticket.row.tenant_id, orderId);
  });
}

async function pauseOne(tx: Deps, actor: Actor, job: DcJobRow): Promise<void> {
  if (job.status === 'BE_SCHEDULED') {
    const ok = await repo.updateJobIf(tx.db, job.id, { run: job.run, statuses: ['BE_SCHEDULED'] }, { status: 'PAUSE', message: `paused by ${actor.nickName} before it started; RestartDataCorrectSQLJob runs it` }, tx.now());
    if (!ok) throw new AppError('ConcurrentModification', `SQL job ${job.id} started at the same time; pause it again.`);
    await repo.appendLog(tx.db, job.id, 'WARN', `paused by ${actor.nickName} before it started`, tx.now());
    return;
  }
  await repo.updateJobIf(tx.db, job.id, { run: job.run, statuses: ['RUNNING'] }, { pause_requested: 1 }, tx.now());
  await repo.appendLog(tx.db, job.id, 'INFO', `${actor.nickName} asked it to pause before its next statement`, tx.now());
}

/** The ticket a task belongs to, when the actor may see it (ListDBTaskSQLJob). */
export async function visibleTask(deps: Deps, actor: Actor, taskId: number) {
  const task = await repo.findTask(deps.db, actor.tenantId, taskId);
  if (!task) throw new AppError('InvalidDBTaskGroupId', `Specified parameter DBTaskGroupId is not valid: there is no SQL task group ${taskId}.`);
  await getVisibleTicket(deps, actor, task.ticket_id);
  return task;
}

/** A job whose ticket the actor may see (ListDBTaskSQLJobDetail, GetDBTaskSQLJobLog). */
export async function visibleJob(deps: Deps, actor: Actor, jobId: number): Promise<DcJobRow> {
  const job = await repo.findJob(deps.db, jobId);
  if (!job || job.tenant_id !== actor.tenantId) throw new AppError('InvalidJobId', `Specified parameter JobId is not valid: there is no SQL job ${jobId}.`);
  await getVisibleTicket(deps, actor, job.ticket_id);
  return job;
}
