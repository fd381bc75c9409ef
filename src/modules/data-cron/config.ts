/**
 * What the cleanup Actions show: GetDataCronClearConfig (the schedule), GetDataCronClearTaskDetailList
 * (its runs, newest first) and the cron fields of GetDataCorrectOrderDetail.
 */
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { visibleDataChange } from '../data-changes/detail.js';
import * as execRepo from '../data-changes/execution.repository.js';
import type { DcJobRow } from '../data-changes/execution.repository.js';
import type { DcJobStatus } from '../data-changes/execution.table.js';
import type { CronClearParams } from '../tickets/types/dc-cron-clear.type.js';
import * as repo from './data-cron.repository.js';
import type { ScheduleStatus } from './schedule.table.js';

/** DMS CronStatus: PAUSE (paused or disarmed), WAITING (a run in progress), SUCCESS (the latest run ended), '' before the first run. */
export type CronStatus = 'PAUSE' | 'WAITING' | 'SUCCESS' | '';

export interface CronConfig {
  cronFormat: string;
  /** null before approval. */
  scheduleStatus: ScheduleStatus | null;
  cronStatus: CronStatus;
  callCount: number;
  lastCallAt: number | null;
  nextCallAt: number | null;
  durationHours: number | null;
  /** Runs in progress (0 or 1: runs never overlap). */
  currentRuns: number;
  timeZone: string;
  /** Why the latest slot did not start a run; null when it did. */
  lastMessage: string | null;
}

/** The schedule of a DC_CRON_CLEAR ticket the actor may see (before approval: as filed). */
export async function cronConfig(deps: Deps, actor: Actor, orderId: number): Promise<CronConfig> {
  const ticket = await visibleDataChange(deps, actor, orderId, ['DC_CRON_CLEAR']);
  return cronConfigOf(deps, orderId, ticket.params as CronClearParams);
}

/** The same, for a ticket already checked visible (GetDataCorrectOrderDetail). */
export async function cronConfigOf(deps: Deps, orderId: number, params: CronClearParams): Promise<CronConfig> {
  const s = await repo.findSchedule(deps.db, orderId);
  const active = s ? await repo.activeJobs(deps.db, orderId) : [];
  const currentRuns = new Set(active.map((j) => j.task_id)).size;
  let cronStatus: CronStatus = '';
  if (s && s.status !== 'ARMED') cronStatus = 'PAUSE';
  else if (currentRuns > 0) cronStatus = 'WAITING';
  else if (s && s.call_count > 0) cronStatus = 'SUCCESS';
  return {
    cronFormat: s?.cron_format ?? params.cronFormat,
    scheduleStatus: s?.status ?? null,
    cronStatus,
    callCount: s?.call_count ?? 0,
    lastCallAt: s?.last_call_at ?? null,
    nextCallAt: s?.next_call_at ?? null,
    durationHours: s ? s.duration_hours : (params.durationHour ?? null),
    currentRuns,
    timeZone: s?.time_zone ?? deps.config.timezone,
    lastMessage: s?.last_message ?? null,
  };
}

/** A run's status from its jobs': FAIL if one failed, RUNNING while one runs, BE_SCHEDULED, PAUSE, SUCCESS. */
export function runStatus(jobs: readonly Pick<DcJobRow, 'status'>[]): DcJobStatus {
  for (const s of ['FAIL', 'RUNNING', 'BE_SCHEDULED', 'PAUSE'] as const) if (jobs.some((j) => j.status === s)) return s;
  return 'SUCCESS';
}

export interface RunView {
  taskId: number;
  createdAt: number;
  status: DcJobStatus;
  affectedRows: number;
  /** Why a job failed or paused (the first one's message). */
  message: string | null;
}

/** GetDataCronClearTaskDetailList: the ticket's runs, newest first. */
export async function listRuns(deps: Deps, actor: Actor, orderId: number, page: { number: number; size: number }): Promise<{ totalCount: number; items: RunView[] }> {
  await visibleDataChange(deps, actor, orderId, ['DC_CRON_CLEAR']);
  const [totalCount, tasks] = await Promise.all([repo.countRuns(deps.db, orderId), repo.pageRuns(deps.db, orderId, (page.number - 1) * page.size, page.size)]);
  const jobs = await repo.jobsOfTasks(deps.db, tasks.map((t) => t.id));
  const items: RunView[] = [];
  for (const t of tasks) {
    const mine = jobs.filter((j) => j.task_id === t.id);
    let rows = 0;
    // What the statements recorded: a statement stopped by its window (or paused) still counts the batches it committed.
    for (const j of mine) rows += (await execRepo.statementSummary(deps.db, j.id)).reduce((n, x) => n + x.rows, 0);
    items.push({ taskId: t.id, createdAt: t.created_at, status: runStatus(mine), affectedRows: rows, message: mine.find((j) => j.message)?.message ?? null });
  }
  return { totalCount, items };
}
