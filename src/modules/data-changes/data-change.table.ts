import type { Generated } from 'kysely';

/**
 * Row types of the data-change precheck tables (migration 0010). Times are epoch milliseconds.
 *
 * A DC_COMMON ticket has one current precheck run (`dc_precheck`; RetryDataCorrectPreCheck adds a
 * new one), its steps (`dc_precheck_step`, the DMS `PreCheckDetail.TaskCheckDO[]`) and one row per
 * statement and physical database (`dc_precheck_sql`, ListDataCorrectPreCheckSQL).
 */

export const DC_PRECHECK_STATUSES = ['RUNNING', 'SUCCESS', 'FAIL'] as const;
export type DcPrecheckStatus = (typeof DC_PRECHECK_STATUSES)[number];

/** In the order they run. SQL_REVIEW (the review rules) is an OpenDMS addition to the four DMS steps. */
export const CHECK_STEPS = ['SQL_PARSE', 'SQL_TYPE_CHECK', 'PERMISSION_CHECK', 'ROW_CHECK', 'SQL_REVIEW'] as const;
export type CheckStep = (typeof CHECK_STEPS)[number];

export const CHECK_STATUSES = ['WAITING', 'RUNNING', 'SUCCESS', 'FAIL'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface DcPrecheckTable {
  id: Generated<number>;
  ticket_id: number;
  tenant_id: number;
  status: DcPrecheckStatus;
  /** Why it failed (the first failing step's tip); null while running or when it passed. */
  message: string | null;
  /** Sum of the statements' estimates over every member database; null when any is unknown. */
  estimated_rows: number | null;
  /** 1 once SkipDataCorrectRowCheck was accepted: a row count above EstimateAffectRows no longer fails. */
  row_check_skipped: number;
  skip_reason: string | null;
  skipped_by: number | null;
  created_at: number;
  finished_at: number | null;
}

export interface DcPrecheckStepTable {
  precheck_id: number;
  step: CheckStep;
  /** 1-based order of the step. */
  position: number;
  status: CheckStatus;
  user_tip: string | null;
  /**
   * ROW_CHECK only: 1 when it failed only because the rows exceed EstimateAffectRows (what
   * SkipDataCorrectRowCheck settles); 0 when a statement was refused by the database.
   */
  skippable: number;
}

/** PASS, WARNING (warnings only: DMS shows PASS), BLOCK (an ERROR finding); WAITING before the review ran. */
export type ReviewStatus = 'WAITING' | 'PASS' | 'WARNING' | 'BLOCK';

export interface DcPrecheckSqlTable {
  precheck_id: number;
  /** The physical database (a logical ticket has one row per member and statement). */
  db_id: number;
  /** 1-based statement number in the ticket's SQL. */
  position: number;
  /** 1-based line of the statement in the script. */
  line: number;
  sql: string;
  /** Statement kind: INSERT, UPDATE, DELETE, REPLACE, or the leading keyword of anything else (ALTER, SET, …). */
  sql_type: string;
  /** The tables it touches, comma-separated. */
  table_names: string;
  /** Planner estimate or exact count; null when unknown. */
  affect_rows: number | null;
  exact: number;
  review_status: ReviewStatus;
  /** JSON `[{ruleId, level, message}]`. */
  findings: string;
  /** Why the statement was refused by a step (parse, type, the database); null otherwise. */
  message: string | null;
}
