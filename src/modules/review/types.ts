/**
 * Public shapes of the SQL review rule engine. The engine is pure: everything it knows about the
 * target database (row estimates, table existence and keys, full scans) comes from the caller
 * through `ReviewContext`, so that the same rules run in the DC_COMMON precheck, in schema-design
 * tickets later, and in tests without a database.
 */
import type { Engine } from '../../connectors/connector.js';
import type { EnvType } from '../instances/instance.model.js';

/** ERROR blocks submission, WARNING is shown, NOTICE informs. */
export type RuleLevel = 'ERROR' | 'WARNING' | 'NOTICE';

export interface ReviewFinding {
  ruleId: string;
  level: RuleLevel;
  /** 1-based position of the statement in the script (as `Statement N` in messages and the export precheck). */
  statementIndex: number;
  /** 1-based line of the statement's first character in the script. */
  line: number;
  message: string;
}

/** Per tenant / environment, stored by the caller. A rule with no setting runs at its default level and params. */
export interface RuleSetting {
  ruleId: string;
  level: RuleLevel | 'OFF';
  /** Overrides the rule's default params by name; unknown names are ignored. */
  params?: Record<string, number>;
}

export interface TableFacts {
  exists: boolean;
  /** The engine's statistics (not a count); null when unknown (SQLite, never analyzed, views). */
  rows: number | null;
  /** Column names of the primary key, [] when none. */
  primaryKey: string[];
  /** Column lists of the unique keys; [] when none or when the connector does not expose them. */
  uniqueKeys: string[][];
  /** Views have no keys of their own; `table-without-key` leaves them alone. */
  isView?: boolean;
}

export interface TableRef {
  /** As written (PostgreSQL unquoted names folded to lower case); null when unqualified. */
  schema: string | null;
  name: string;
}

export interface ReviewContext {
  engine: Engine;
  settings: readonly RuleSetting[];
  /** The planner's (or a counted) estimate of the rows statement `statementIndex` changes; null when unknown. */
  estimatedRows(statementIndex: number): number | null;
  /** Facts about a table the statements touch; undefined when the caller did not look it up (rules then stay quiet). */
  table(schema: string | null, name: string): TableFacts | undefined;
  /** True when the statement's plan scans a whole table; undefined when unknown. */
  fullScan?(statementIndex: number): boolean | undefined;
  /** The environment of the target database (lower case), for rules whose default level depends on it (`levelIn`); absent: the plain defaults. */
  envType?: EnvType | string | null;
}

export type DmlKind = 'INSERT' | 'UPDATE' | 'DELETE' | 'REPLACE' | 'OTHER';

export type StatementStatus = 'PASS' | 'WARNING' | 'BLOCK';

export interface ReviewedStatement {
  /** 1-based. */
  index: number;
  line: number;
  sql: string;
  kind: DmlKind;
  /** Every table the statement touches (written and read), without CTE names. */
  tables: TableRef[];
  /** BLOCK when an ERROR finding names it, WARNING when a WARNING does, else PASS (NOTICEs do not count). */
  status: StatementStatus;
}

export interface ReviewResult {
  statements: ReviewedStatement[];
  findings: ReviewFinding[];
}

/**
 * What the analysis knows about one statement; the rules read only this. Fields are null when the
 * statement could not be parsed and the token fallback cannot tell.
 */
export interface AnalyzedStatement {
  index: number;
  line: number;
  sql: string;
  kind: DmlKind;
  /** False when node-sql-parser could not parse it and the token fallback filled in what it could. */
  parsed: boolean;
  /** The parser's message when `parsed` is false. */
  parseError: string | null;
  /** Tables written (UPDATE/DELETE/INSERT/REPLACE targets). */
  targets: TableRef[];
  /** Tables read (FROM, JOIN, subqueries, INSERT … SELECT sources); a target read too appears in both. */
  reads: TableRef[];
  /** targets ∪ reads. */
  tables: TableRef[];
  hasWhere: boolean | null;
  /** The WHERE clause is always true (`1=1`, `true`, `x = x`, `… OR 1=1`); null when unknown. */
  whereAlwaysTrue: boolean | null;
  hasLimit: boolean | null;
  hasOrderBy: boolean | null;
  /**
   * Columns assigned by UPDATE SET (and by INSERT … ON DUPLICATE KEY UPDATE / ON CONFLICT DO
   * UPDATE), each with the target table it belongs to; null when unknown.
   */
  assignedColumns: { table: TableRef; column: string }[] | null;
  /** INSERT/REPLACE names its columns (`(a, b)` or MySQL `SET a = …`); null when unknown or not an insert. */
  insertColumnList: boolean | null;
  /** INSERT/REPLACE … SELECT (or a subquery in VALUES) reads tables. */
  insertReads: TableRef[];
}

export interface RuleEnv {
  ctx: ReviewContext;
  /** The rule's params: defaults merged with the setting's. */
  params: Readonly<Record<string, number>>;
}

/** What the settings (settings.ts) and the engines know of any rule, DML or DDL. */
export interface RuleMeta {
  id: string;
  /** The default level. */
  level: RuleLevel;
  /** Default levels for some environments (e.g. `{ product: 'ERROR' }`), used when the tenant has no setting; others get `level`. */
  levelIn?: Readonly<Partial<Record<EnvType, RuleLevel>>>;
  /** One sentence for the docs and the settings UI. */
  description: string;
  /** Thresholds and switches, all non-negative integers (a choice among styles is a numeric code; the rule's description says which). */
  params: Readonly<Record<string, number>>;
}

export interface RuleDefinition extends RuleMeta {
  /** Per statement: the messages of each violation (without the `Statement N (line L):` prefix). */
  check?(stmt: AnalyzedStatement, env: RuleEnv): string[];
  /** Over the whole script: findings as statement index + message. */
  checkScript?(stmts: readonly AnalyzedStatement[], env: RuleEnv): { statementIndex: number; message: string }[];
}
