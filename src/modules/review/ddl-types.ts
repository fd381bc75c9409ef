/**
 * What `analyzeDdl` (ddl-analyze.ts) reads from a DDL statement: the structured change that the
 * schema-design tickets (NDDL) apply, check against a database's schema, and review with the DDL
 * rules. Names as written, PostgreSQL unquoted names folded to lower case (as TableRef).
 *
 * Fields marked "always set by analyzeDdl" are optional in the type only so that code building
 * an `AnalyzedDdl` by hand (tests, older callers) does not have to give them.
 */
import type { ColumnInfo, Engine, IndexInfo } from '../../connectors/connector.js';
import type { EnvType } from '../instances/instance.model.js';
import type { RuleLevel, RuleMeta, RuleSetting, TableRef } from './types.js';

export type DdlKind = 'CREATE_TABLE' | 'ALTER_TABLE' | 'DROP_TABLE' | 'RENAME_TABLE' | 'CREATE_INDEX' | 'DROP_INDEX' | 'COMMENT' | 'OTHER';

export interface DdlColumn {
  name: string;
  /** The type as written, normalized to lower case without extra blanks: `varchar(64)`, `bigint unsigned`, `numeric(10,2)`. '' when none (SQLite allows that). */
  type: string;
  /** false when declared NOT NULL (or PRIMARY KEY). */
  nullable: boolean;
  /** The DEFAULT expression as written (`0`, `'x'`, `CURRENT_TIMESTAMP`, `now()`; `NULL` when written so); null when none. */
  defaultValue: string | null;
  /** The column COMMENT (MySQL), unquoted; null when none. */
  comment: string | null;
  /** AUTO_INCREMENT, SERIAL/BIGSERIAL/SMALLSERIAL, GENERATED … AS IDENTITY, SQLite AUTOINCREMENT or INTEGER PRIMARY KEY (the rowid, as ColumnInfo.autoIncrement). */
  autoIncrement: boolean;
  /** Declared inline as PRIMARY KEY. */
  primaryKey: boolean;
  /** Declared inline as UNIQUE. */
  unique: boolean;
  /** MySQL/MariaDB `CHARACTER SET x` / `CHARSET x` of the column; null when none. Always set by analyzeDdl. */
  charset?: string | null;
  /** `COLLATE x` of the column; null when none. Always set by analyzeDdl. */
  collate?: string | null;
  /** A computed column (`GENERATED ALWAYS AS (expr) [STORED|VIRTUAL]`, MySQL `AS (expr)`): its storage; null when not computed. Always set by analyzeDdl. */
  generated?: 'STORED' | 'VIRTUAL' | null;
  /** Inline `REFERENCES t [(cols)]`; null when none. Always set by analyzeDdl. */
  references?: { table: TableRef; columns: string[] } | null;
}

export interface DdlIndex {
  /** Null when the statement gives none (the engine names it). For a constraint: the index name if given, else the CONSTRAINT name. */
  name: string | null;
  /** Column names in key order (no prefix lengths or ASC/DESC); an expression part as its text in parentheses, `(lower(email))`, as IndexInfo has it. */
  columns: string[];
  unique: boolean;
  /** A FOREIGN KEY (columns → references). */
  foreignKey?: { table: TableRef; columns: string[] } | undefined;
  /** `fulltext` / `spatial` (MySQL), or the access method given with USING (`btree`, `gin`, …), lower case; null when none given. */
  method?: string | null;
  /** PostgreSQL `… NOT VALID` (a foreign key not checked against the existing rows). */
  notValid?: boolean;
  /** A partial index's predicate (`CREATE INDEX … WHERE …`) as written; absent when none. */
  where?: string | null;
}

export type AlterAction =
  | { op: 'ADD_COLUMN'; column: DdlColumn; after?: string | null; first?: boolean; ifNotExists?: boolean }
  | { op: 'DROP_COLUMN'; name: string; ifExists?: boolean }
  /**
   * MySQL MODIFY/CHANGE (CHANGE also renames: `from` ≠ column.name), PostgreSQL ALTER COLUMN TYPE/SET/DROP NOT NULL/DEFAULT.
   * `change` says which: REDEFINE (MODIFY/CHANGE: `column` is the whole new definition, absent
   * attributes are gone), TYPE (ALTER COLUMN [SET DATA] TYPE: `column.type`, `using`), NULLABILITY
   * (SET/DROP NOT NULL: `column.nullable`), DEFAULT (SET/DROP DEFAULT, also MySQL ALTER COLUMN:
   * `column.defaultValue`, null when dropped). Always set by analyzeDdl.
   */
  | {
      op: 'MODIFY_COLUMN';
      from: string;
      column: Partial<DdlColumn> & { name: string };
      change?: 'REDEFINE' | 'TYPE' | 'NULLABILITY' | 'DEFAULT';
      using?: string | null;
      after?: string | null;
      first?: boolean;
    }
  | { op: 'RENAME_COLUMN'; from: string; to: string }
  | { op: 'ADD_INDEX'; index: DdlIndex }
  | { op: 'DROP_INDEX'; name: string; ifExists?: boolean }
  | { op: 'ADD_PRIMARY_KEY'; columns: string[]; name?: string | null }
  | { op: 'DROP_PRIMARY_KEY' }
  | { op: 'RENAME_TABLE'; to: TableRef }
  /**
   * Table options: ENGINE, CHARSET, COMMENT …, as name → value (lower-case names; `charset` and
   * `collate` for every spelling, values unquoted). MySQL ALGORITHM= and LOCK= land here too.
   * `convert`: CONVERT TO CHARACTER SET (re-encodes every text column).
   */
  | { op: 'OPTIONS'; options: Record<string, string>; convert?: boolean }
  /** MySQL DROP FOREIGN KEY / DROP CHECK / DROP CONSTRAINT, PostgreSQL DROP CONSTRAINT (`foreignKey`: known to be one). */
  | { op: 'DROP_CONSTRAINT'; name: string; foreignKey?: boolean; ifExists?: boolean }
  /** MySQL RENAME INDEX|KEY a TO b. */
  | { op: 'RENAME_INDEX'; from: string; to: string }
  | { op: 'OTHER'; text: string };

export interface AnalyzedDdl {
  /** 1-based position in the script, and line of its first character. */
  index: number;
  line: number;
  sql: string;
  kind: DdlKind;
  /** The table the statement changes (CREATE/DROP INDEX: the indexed table; DROP INDEX on PostgreSQL without ON: null). DROP TABLE / RENAME TABLE of several: the first. */
  table: TableRef | null;
  /** CREATE TABLE only. */
  columns: DdlColumn[];
  /** CREATE TABLE: the primary key (inline or table constraint); [] when none. */
  primaryKey: string[];
  /**
   * CREATE TABLE: indexes, unique constraints and foreign keys declared in it (inline UNIQUE and
   * REFERENCES of a column too, as one-column entries; the primary key is not one). CREATE INDEX:
   * the one index.
   */
  indexes: DdlIndex[];
  /** ALTER TABLE: its actions in order. */
  actions: AlterAction[];
  /** RENAME TABLE / ALTER TABLE … RENAME TO: the new name. */
  renameTo: TableRef | null;
  /** DROP INDEX: the index name. */
  indexName: string | null;
  /** CREATE TABLE options (lower-case names, `charset` and `collate` for every spelling): `engine`, `charset`, `collate`, `comment`, …; values unquoted. */
  options: Record<string, string>;
  /** IF NOT EXISTS / IF EXISTS was given. */
  ifExists: boolean;
  /** PostgreSQL CREATE INDEX CONCURRENTLY (and DROP INDEX CONCURRENTLY). */
  concurrently: boolean;
  /** False when node-sql-parser could not read it; then the token reader filled in what it could (README.md lists the forms it reads). */
  parsed: boolean;
  parseError: string | null;
  /** DROP TABLE: every table dropped (the first is `table`). Always set by analyzeDdl. */
  tables?: TableRef[];
  /** RENAME TABLE: every pair (the first is `table` → `renameTo`). Always set by analyzeDdl. */
  renames?: { from: TableRef; to: TableRef }[];
  /** CREATE TEMPORARY TABLE. */
  temporary?: boolean;
  /** CREATE TABLE … LIKE other: the table copied. */
  like?: TableRef | null;
  /** CREATE TABLE … AS SELECT (its columns come from the query). */
  asSelect?: boolean;
  /** DROP INDEX schema.idx (PostgreSQL, SQLite): the schema written before the index name. */
  indexSchema?: string | null;
  /** COMMENT ON TABLE / COLUMN: what it comments and the text (null for IS NULL). */
  comment?: { on: 'TABLE' | 'COLUMN'; column: string | null; text: string | null } | null;
}

// ---- Review of DDL ----

/** An index of an existing table, as `Connector.listIndexes` gives it. */
export type DdlIndexFacts = Pick<IndexInfo, 'name' | 'columns' | 'unique' | 'primary'> & Partial<Pick<IndexInfo, 'where' | 'method'>>;

/** What the DDL rules know about a table of the schema being changed. */
export interface DdlTableFacts {
  columns: ColumnInfo[];
  /** The engine's statistics (not a count); null when unknown. */
  rows: number | null;
  indexes: DdlIndexFacts[];
}

export interface DdlReviewContext {
  engine: Engine;
  /** The environment of the database reviewed (lower case); null or absent when unknown (rule defaults apply). */
  envType?: EnvType | string | null;
  settings: readonly RuleSetting[];
  /** An existing table of the current schema; undefined when unknown or absent (rules that need it stay quiet). */
  table(schema: string | null, name: string): DdlTableFacts | undefined;
  /** `select version()` of the server (`8.0.36`, `10.11.6-MariaDB`, `PostgreSQL 16.2 on …`, `3.45.1`); absent when unknown (messages then give the version ranges). */
  serverVersion?: string | null;
}

/**
 * A table as the rules see it before a statement: the facts, changed by the earlier statements of
 * the same script (a table created earlier in the script is known, with 0 rows).
 */
export interface DdlTableState {
  /** Columns by name; type as written or as the catalog spells it. */
  columns: DdlColumnState[];
  rows: number | null;
  indexes: DdlIndexFacts[];
  /** Created by an earlier statement of this script. */
  created: boolean;
}

export interface DdlColumnState {
  name: string;
  type: string;
  nullable: boolean;
  defaultValue: string | null;
  autoIncrement: boolean;
}

export interface DdlRuleEnv {
  ctx: DdlReviewContext;
  params: Readonly<Record<string, number>>;
  /** The table as it is just before this statement (facts plus earlier statements); undefined when unknown. */
  before(ref: TableRef): DdlTableState | undefined;
}

/** A finding of a DDL rule: a message, or a message with the highest level it may have (e.g. NOTICE on a small table, whatever the rule's level). */
export type DdlDraft = string | { message: string; atMost: RuleLevel };

export interface DdlRuleDefinition extends RuleMeta {
  /** Per statement: the violations (without the `Statement N (line L):` prefix). */
  check(stmt: AnalyzedDdl, env: DdlRuleEnv): DdlDraft[];
}
