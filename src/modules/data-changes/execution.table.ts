import type { Generated } from 'kysely';

/**
 * Row types of the data-change execution tables (migration 0012). Times are epoch milliseconds.
 *
 * ExecuteDataCorrect creates one `dc_task` per ticket (DMS `DBTaskGroupId`), one `dc_job` per
 * physical database (DMS SQL job, `JobId`) and one `dc_statement` per statement of that job
 * (DMS job detail, `JobDetailId`). `dc_job_log` is what GetDBTaskSQLJobLog shows.
 */

/** DMS SQL job statuses this type uses (reference: INIT, PENDING, BE_SCHEDULED, FAIL, SUCCESS, PAUSE, DELETE, RUNNING). */
export const DC_JOB_STATUSES = ['BE_SCHEDULED', 'RUNNING', 'SUCCESS', 'FAIL', 'PAUSE'] as const;
export type DcJobStatus = (typeof DC_JOB_STATUSES)[number];

/** A statement: INIT (not run), RUNNING (sent; its outcome is settled from the marker table after a crash), SUCCESS, FAIL. */
export type DcStatementStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';

/** ExecuteDataCorrect `ActionDetail`, as stored in `dc_task.options`. */
export interface ExecOptions {
  startAt: number | null;
  endAt: number | null;
  /** All statements of a database in one transaction (true) or each in its own (false, the default). */
  transaction: boolean;
  /** Back up the rows each UPDATE/DELETE changes, and the keys each INSERT adds (default true). */
  backup: boolean;
}

export interface DcTaskTable {
  id: Generated<number>;
  ticket_id: number;
  tenant_id: number;
  options: string;
  requested_by: number | null;
  created_at: number;
}

export interface DcJobTable {
  id: Generated<number>;
  task_id: number;
  ticket_id: number;
  tenant_id: number;
  /** The physical database. */
  db_id: number;
  /** The logical database of the ticket it belongs to; null for a physical one. */
  logic_db_id: number | null;
  status: DcJobStatus;
  /** Random; prefixes the keys of this job's rows in the target's marker table (exactly-once.ts). */
  exec_token: string;
  /** Incremented by each RestartDataCorrectSQLJob: a queued run of an older number does nothing. */
  run: number;
  transactional: number;
  backup: number;
  /** 1: PauseDataCorrectSQLJob asked a running job to stop before its next statement. */
  pause_requested: number;
  start_at: number | null;
  end_at: number | null;
  /** Sum over its statements that ran. */
  affected_rows: number;
  /** Why it failed or paused; null otherwise. */
  message: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  modified_at: number;
}

export interface DcStatementTable {
  id: Generated<number>;
  job_id: number;
  /** 1-based statement number in the ticket's SQL. */
  position: number;
  sql: string;
  sql_type: string;
  status: DcStatementStatus;
  /** How many times it was sent to the database (a failed statement restarted counts again). */
  execute_count: number;
  affected_rows: number | null;
  started_at: number | null;
  finished_at: number | null;
  elapsed_ms: number | null;
  message: string | null;
  /** File-store key of its backup segment (backup.ts); null when nothing was backed up. */
  backup_key: string | null;
  backup_rows: number | null;
  /** Why no rollback SQL can be generated for it (rollback.ts); null when it can. */
  rollback_note: string | null;
}

export interface DcJobLogTable {
  id: Generated<number>;
  job_id: number;
  at: number;
  level: 'INFO' | 'WARN' | 'ERROR';
  message: string;
}

/** A rollback ticket filed with CreateRollbackOrder, and the job whose changes it reverts. */
export interface DcRollbackTable {
  rollback_ticket_id: number;
  source_ticket_id: number;
  source_job_id: number;
}

/**
 * One batch of a chunked statement (DC_CHUNK, DC_CRON_CLEAR; migration 0014): the key range it
 * covers as JSON arrays of the key cells (lower exclusive, upper inclusive; null: open), written
 * RUNNING before it runs and SUCCESS once it committed (its marker row proves which).
 */
export interface DcChunkBatchTable {
  id: Generated<number>;
  job_id: number;
  /** The statement it belongs to. */
  position: number;
  /** 1-based, per statement; also the marker row's position (`<exec_token>:c<position>:<batch_no>`). */
  batch_no: number;
  lower_key: string | null;
  upper_key: string | null;
  status: 'RUNNING' | 'SUCCESS';
  /** The batch size it was planned with (rows of the key range). */
  batch_rows: number;
  affected_rows: number | null;
  started_at: number;
  finished_at: number | null;
  elapsed_ms: number | null;
  backup_key: string | null;
  backup_rows: number | null;
}
