import type { Generated } from 'kysely';

/**
 * Row types of the schema design tables (migration 0013). Times are epoch milliseconds.
 * A NDDL ticket has one project; its changes are DDL statements in order; each publish puts the
 * changes on one database of a stage, with per-table jobs.
 */

export type ProjectStatus = 'DESIGN' | 'PUBLISHED' | 'CLOSE';

/** One stage of an R&D flow: databases of this environment get the design, in flow order. */
export interface FlowStage {
  envType: string;
  title: string;
  canSkip: boolean;
  backToDesign: boolean;
}

export interface FlowConfig {
  name: string;
  /** The first stage is the design stage: the base database's environment. */
  stages: FlowStage[];
  /** PostgreSQL: CREATE INDEX runs as CREATE INDEX CONCURRENTLY (outside a transaction). */
  pgConcurrentIndex: boolean;
}

export interface DesignFlowTable {
  tenant_id: number;
  name: string;
  /** JSON FlowStage[]. */
  stages: string;
  pg_concurrent_index: number;
  updated_by: number;
  updated_at: number;
}

export interface DesignProjectTable {
  id: Generated<number>;
  ticket_id: number;
  tenant_id: number;
  /** The base database: a physical one, or a logical one (base_logic 1) whose members all get the design. */
  base_db_id: number;
  base_logic: number;
  status: ProjectStatus;
  /** JSON FlowConfig: the tenant's flow when the project was created. */
  flow: string;
  /** 1-based index of the last stage published with every change; 0 before the first publish. */
  published_stage: number;
  creator_id: number;
  created_at: number;
  modified_at: number;
}

export interface DesignChangeTable {
  id: Generated<number>;
  project_id: number;
  position: number;
  sql: string;
  kind: string;
  /** The table it changes (its new name for a rename is in `tables`). */
  table_name: string;
  /** JSON string[]: every table name it touches (a rename: old and new). */
  tables: string;
  /** JSON review findings on the base database `[{ruleId, level, message}]`. */
  findings: string;
  /** 1 once it ran on the base database: it can no longer be edited or removed. */
  applied_to_base: number;
  created_by: number;
  created_at: number;
  modified_at: number;
}

export interface DesignSnapshotTable {
  project_id: number;
  /** 0: before the first change touching the table; k: after change k. */
  position: number;
  table_name: string;
  /** JSON TableState (schema-state.ts). */
  state: string;
}

/** START (created), AUDIT (approval), DISPATCH (approved: waiting to run or running), SUCCESS, FAIL. */
export type PublishStatus = 'START' | 'AUDIT' | 'DISPATCH' | 'SUCCESS' | 'FAIL';
export type RiskLevel = 'NONE_RISK' | 'LOW_RISK' | 'MIDDLE_RISK' | 'HIGH_RISK';

export interface DesignPublishTable {
  id: Generated<number>;
  project_id: number;
  ticket_id: number;
  tenant_id: number;
  /** 1-based stage of the project's flow. */
  stage: number;
  /** The database published to: physical, or logical (logic 1: each member). */
  db_id: number;
  logic: number;
  strategy: 'IMMEDIATELY' | 'REGULARLY';
  plan_at: number | null;
  workflow_instance_id: number | null;
  status: PublishStatus;
  risk_level: RiskLevel;
  message: string | null;
  run: number;
  creator_id: number;
  created_at: number;
  finished_at: number | null;
}

export interface DesignPublishJobTable {
  id: Generated<number>;
  publish_id: number;
  /** The physical database (a member, for a logical target). */
  db_id: number;
  table_name: string;
  /** The statements for this table, `;\n`-separated. */
  scripts: string;
  /** NONE (not run yet), SUCCESS, FAIL; SKIPPED: already applied on the target. */
  status: 'NONE' | 'SUCCESS' | 'FAIL' | 'SKIPPED';
  execute_count: number;
  message: string | null;
}
