import type { Generated } from 'kysely';

/**
 * Row types of the data-export tables (migration 0009). Times are epoch milliseconds.
 *
 * A DATA_EXPORT ticket has one precheck run at a time (`export_precheck`, the DMS `PreCheckId`)
 * with one row per statement and physical database (`export_precheck_sql`), and at most one
 * export job (`export_job`, the DMS `JobId`), re-run in place by RestartDataExportJob.
 */

export const PRECHECK_STATUSES = ['PRE_CHECKING', 'PRE_CHECK_SUCCESS', 'PRE_CHECK_FAIL'] as const;
export type PrecheckStatus = (typeof PRECHECK_STATUSES)[number];

export interface ExportPrecheckTable {
  id: Generated<number>;
  ticket_id: number;
  tenant_id: number;
  status: PrecheckStatus;
  /** Why it failed, naming the statement; null while running or when it passed. */
  message: string | null;
  /** Sum of the statements' estimates over every member database (routing, ActualAffectRows before the export). */
  estimated_rows: number | null;
  created_at: number;
  finished_at: number | null;
}

export interface ExportPrecheckSqlTable {
  precheck_id: number;
  /** 1-based statement number in the ticket's SQL. */
  position: number;
  /** The physical database (a logical ticket has one row per member and statement). */
  db_id: number;
  sql: string;
  /** The planner's estimate or an exact count; null when neither was available in time. */
  affect_rows: number | null;
  /** 1: counted; 0: the planner's estimate. */
  exact: number;
  /** 1: accepted; 0: refused (`message` says why). */
  ok: number;
  message: string | null;
}

/**
 * WAITING_EXPORT (queued, or scheduled for `start_at`) → DOING_EXPORT → EXPORT_SUCCESS | EXPORT_FAIL.
 * `stop_requested` asks a running export to stop (Pause/Suspend); the worker ends it EXPORT_FAIL.
 */
export const EXPORT_JOB_STATUSES = ['WAITING_EXPORT', 'DOING_EXPORT', 'EXPORT_SUCCESS', 'EXPORT_FAIL'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

export interface ExportJobTable {
  /** The DMS `JobId`. */
  id: Generated<number>;
  ticket_id: number;
  tenant_id: number;
  status: ExportJobStatus;
  /** The validated ActionDetail (JSON), the zip password excepted. */
  options: string;
  /** The zip password (OpenDMS extension), encrypted with the master key; null when none. */
  password_enc: string | null;
  /** Who ran it (ExecuteDataExport / RestartDataExportJob). */
  requested_by: number;
  /** Runs of this job: 1 for the first ExecuteDataExport, +1 per restart; recovery after a crash keeps it. */
  run: number;
  /** null, or 'PAUSE' / 'SUSPEND' while a stop is being asked for. */
  stop_requested: string | null;
  rows_done: number;
  rows_estimated: number | null;
  start_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  /** Why it failed (the engine's error, a value that cannot be written, a stop); null otherwise. */
  message: string | null;
  /** The zip in the file store; set only once it is complete. */
  file_key: string | null;
  file_bytes: number | null;
  file_sha256: string | null;
  /** manifest.json of the zip: per file statement, rows, bytes, sha256. */
  manifest: string | null;
  /** When the file is deleted by the retention purge. */
  expires_at: number | null;
  /** When it was deleted (purge or RemoveDataExportJob); the row stays for the record. */
  purged_at: number | null;
  removed: number;
  created_at: number;
  modified_at: number;
}
