/**
 * Row types of the data-import tables (migration 0015). One `dc_import` per precheck run of a
 * DC_BIG_FILE ticket; in SAFE_MODE one `dc_import_sql` per unit it checked: a statement of a SQL
 * file, or a batch of rows of a CSV file (the multi-row INSERT the execution sends for it).
 */

export interface DcImportTable {
  precheck_id: number;
  ticket_id: number;
  /** The encoding the file is read in: the declared one, or what AUTO detected (encoding.ts). */
  encoding: string;
  file_bytes: number;
  /** SAFE_MODE: data rows (CSV) or statements (SQL) in the file; null in FAST_MODE. */
  rows: number | null;
  /** SAFE_MODE: rows or statements refused by the check (skipped with IgnoreError). */
  bad_rows: number | null;
  /** CSV rows per batch, or at most this many statements per batch of a SQL file. */
  batch_rows: number;
  /** SQL files: a batch closes once its statements reach this many characters. */
  batch_chars: number;
}

/** SUCCESS: checked; FAIL: holds a row or statement the check refused (its message says which). */
export type ImportSqlStatus = 'SUCCESS' | 'FAIL';

export interface DcImportSqlTable {
  precheck_id: number;
  /** 1-based: the statement number (SQL) or batch number (CSV); DMS `SqlId`. */
  position: number;
  /** First and last line of the file it covers. */
  line: number;
  last_line: number;
  /** INSERT, REPLACE, UPDATE, DELETE, SET (a client encoding statement, not run), or the refused statement's keyword. */
  sql_type: string;
  status: ImportSqlStatus;
  /** CSV: rows of the batch; SQL: 1. */
  rows: number;
  message: string | null;
}
