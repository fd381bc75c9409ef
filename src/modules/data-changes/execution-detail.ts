/**
 * What the execution Actions show: GetDataCorrectTaskDetail (the task), ListDBTaskSQLJob (its
 * jobs, one per physical database), ListDBTaskSQLJobDetail (a job's statements) and
 * GetDBTaskSQLJobLog (a job's log).
 */
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { physicalTarget } from '../instances/owners.js';
import { visibleDataChange } from './detail.js';
import * as repo from './execution.repository.js';
import type { DcJobRow } from './execution.repository.js';
import type { DcJobStatus } from './execution.table.js';
import { visibleJob, visibleTask } from './execution.js';

/** The task's status from its jobs': RUNNING, else BE_SCHEDULED, FAIL, PAUSE, SUCCESS in that order. */
export function taskStatus(jobs: readonly Pick<DcJobRow, 'status'>[]): DcJobStatus {
  for (const s of ['RUNNING', 'BE_SCHEDULED', 'FAIL', 'PAUSE'] as const) if (jobs.some((j) => j.status === s)) return s;
  return 'SUCCESS';
}

export interface TaskDetail {
  taskId: number;
  createdAt: number;
  status: DcJobStatus;
  affectedRows: number;
}

/** GetDataCorrectTaskDetail; null before the ticket was executed. */
export async function taskDetail(deps: Deps, actor: Actor, orderId: number): Promise<TaskDetail | null> {
  await visibleDataChange(deps, actor, orderId);
  const task = await repo.findTaskByTicket(deps.db, orderId);
  if (!task) return null;
  const jobs = await repo.listJobs(deps.db, task.id);
  return { taskId: task.id, createdAt: task.created_at, status: taskStatus(jobs), affectedRows: jobs.reduce((n, j) => n + Number(j.affected_rows), 0) };
}

/** Rows changed so far by the ticket's execution; null before it was executed. */
export async function executedRows(deps: Deps, orderId: number): Promise<number | null> {
  const task = await repo.findTaskByTicket(deps.db, orderId);
  if (!task) return null;
  const jobs = await repo.listJobs(deps.db, task.id);
  let rows = 0;
  for (const j of jobs) {
    // A running job's total is settled at its end; until then sum its committed statements.
    rows += j.status === 'RUNNING' ? (await repo.statementSummary(deps.db, j.id)).reduce((n, x) => n + (x.status === 'SUCCESS' ? x.rows : 0), 0) : Number(j.affected_rows);
  }
  return rows;
}

export interface JobView {
  row: DcJobRow;
  searchName: string;
  comment: string;
  lastExecAt: number | null;
}

/** ListDBTaskSQLJob. */
export async function listTaskJobs(deps: Deps, actor: Actor, taskId: number, page: { number: number; size: number }) {
  const task = await visibleTask(deps, actor, taskId);
  const ticket = await visibleDataChange(deps, actor, task.ticket_id);
  const jobs = await repo.listJobs(deps.db, task.id);
  const items: JobView[] = [];
  for (const row of jobs.slice((page.number - 1) * page.size, page.number * page.size)) {
    const target = await physicalTarget(deps, row.tenant_id, row.db_id);
    items.push({ row, searchName: target?.searchName ?? `database ${row.db_id} (deleted)`, comment: ticket.row.comment, lastExecAt: row.finished_at ?? row.started_at });
  }
  return { totalCount: jobs.length, items };
}

/** ListDBTaskSQLJobDetail. */
export async function listJobStatements(deps: Deps, actor: Actor, jobId: number, page: { number: number; size: number }) {
  const job = await visibleJob(deps, actor, jobId);
  const [totalCount, rows] = await Promise.all([repo.countStatements(deps.db, jobId), repo.pageStatements(deps.db, jobId, (page.number - 1) * page.size, page.size)]);
  return { job, totalCount, rows };
}

/** GetDBTaskSQLJobLog: the newest `MAX_LOG_LINES` lines, oldest first, one per line. */
export const MAX_LOG_LINES = 2_000;

export async function jobLog(deps: Deps, actor: Actor, jobId: number, format: (at: number) => string): Promise<string> {
  await visibleJob(deps, actor, jobId);
  const lines = await repo.listLog(deps.db, jobId);
  const shown = lines.slice(-MAX_LOG_LINES);
  const skipped = lines.length - shown.length;
  return (skipped > 0 ? `… ${skipped} earlier lines not shown\n` : '') + shown.map((l) => `${format(l.at)} [${l.level}] ${l.message}`).join('\n');
}

/** ListDataCorrectChunkBatches (OpenDMS): the batches of a chunked job, newest first, with their key ranges. */
export async function listJobBatches(deps: Deps, actor: Actor, jobId: number, page: { number: number; size: number }) {
  await visibleJob(deps, actor, jobId);
  const [totalCount, rows] = await Promise.all([repo.countBatches(deps.db, jobId), repo.pageBatches(deps.db, jobId, (page.number - 1) * page.size, page.size)]);
  return { totalCount, rows };
}
