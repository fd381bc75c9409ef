/**
 * Row type of the cleanup schedule table (migration 0016). Times are epoch milliseconds. Each run
 * of a schedule is a `dc_task` of its ticket (execution.table.ts), with `CronRunOptions` as its
 * options.
 */

/** ARMED: runs on its schedule; PAUSED: PauseDataCronClear; DISARMED: the ticket was closed (final). */
export const SCHEDULE_STATUSES = ['ARMED', 'PAUSED', 'DISARMED'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export interface CronClearScheduleTable {
  ticket_id: number;
  tenant_id: number;
  cron_format: string;
  /** IANA zone the expression's wall-clock times are read in (the service's, when armed). */
  time_zone: string;
  status: ScheduleStatus;
  /** When the next run starts; null when not armed. */
  next_call_at: number | null;
  /** When the latest run started; null before the first. */
  last_call_at: number | null;
  /** Runs started so far. */
  call_count: number;
  /** specifyDuration: the hours a run may take; null: no limit. */
  duration_hours: number | null;
  /** Why the latest slot did not start a run; null when it did. */
  last_message: string | null;
  /** Incremented by every change (compare-and-set). */
  version: number;
  created_at: number;
  modified_at: number;
}

/** `dc_task.options` of a cleanup run. */
export interface CronRunOptions {
  cron: true;
  /** The slot (fire time) the run was started for. */
  slotAt: number;
  /** When it really started: each item deletes the rows older than this − RemainDays days. */
  startedAt: number;
  /** specifyDuration: when its jobs stop (startedAt + DurationHour hours); null: no limit. */
  endAt: number | null;
}
