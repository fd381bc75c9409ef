/**
 * Target databases: the customer databases that tickets read and change (not our metadata store).
 * One `Connector` per registered instance, one implementation per engine family:
 * mysql/ (MySQL and MariaDB), postgres/, sqlite/. Each folder has the same roles:
 * `*-connector.ts` (pool + lifecycle), `*-introspector.ts` (catalog SQL → the types below),
 * `*-errors.ts` (driver error → TargetDbError), `*-reader.ts` (read-only queries: stream, explain,
 * count). Rows come out as result-set.ts describes them.
 *
 * Writes (data-change tickets) go through `writeSession` (write-session.ts), implemented in each
 * folder's `*-writer.ts` with the connector's own pool and error normalizer.
 */
import type { Readable } from 'node:stream';
import type { QueryStream, ReadOnlyQueryOptions, ResultColumn, RowEstimate } from './result-set.js';
import type { TableKeys, WriteSession, WriteSessionOptions } from './write-session.js';

export type Engine = 'mysql' | 'mariadb' | 'postgresql' | 'sqlite';

export interface ConnectionSpec {
  engine: Engine;
  /** Server host name or IP. SQLite: path of the database file (relative paths: to the allowed dir). */
  host: string;
  /** Ignored for SQLite. */
  port: number;
  /** Ignored for SQLite. */
  user: string;
  /** Ignored for SQLite. Never part of any error message. */
  password: string;
  /** Database to log in to. PostgreSQL: default `postgres`; MySQL: none; SQLite: ignored. */
  database?: string | undefined;
  /** Default DEFAULT_CONNECT_TIMEOUT_MS. Ignored for SQLite. */
  connectTimeoutMs?: number | undefined;
  /** Per statement; default DEFAULT_QUERY_TIMEOUT_MS. Ignored for SQLite (see its connector). */
  queryTimeoutMs?: number | undefined;
}

/** 10 s: long enough for a remote server across a VPN, short enough for a "test connection" button. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** 60 s: the DMS default `QueryTimeout` of an instance (reference §7, RegisterInstance). */
export const DEFAULT_QUERY_TIMEOUT_MS = 60_000;

/** A database as DMS lists it (ListDatabases: SchemaName, Encoding). */
export interface DatabaseInfo {
  /** MySQL: schema name; PostgreSQL: database name; SQLite: always `main`. */
  name: string;
  /** Character set, in the engine's spelling: `utf8mb4`, `UTF8`, `UTF-8`. */
  encoding: string;
}

/** A table or view (ListTables: TableName, TableSchemaName, Engine, Description, NumRows, …). */
export interface TableInfo {
  /** MySQL: the database; PostgreSQL: the schema inside the database; SQLite: `main`. */
  schema: string;
  name: string;
  /** PostgreSQL materialized views are `VIEW`; partitioned and foreign tables are `TABLE`. */
  type: 'TABLE' | 'VIEW';
  /** Storage engine (`InnoDB`); null where the engine has no such notion (PostgreSQL, SQLite). */
  engine: string | null;
  /** '' when there is none (always '' on SQLite, which has no comments). */
  comment: string;
  /** The engine's statistics, not a count; null for views or when never analyzed. */
  estimatedRows: number | null;
  /** Data plus indexes, from statistics; null for views and on SQLite (it keeps no such statistics). */
  sizeBytes: number | null;
  /** Character set of the table's text; null for views. */
  encoding: string | null;
}

/** A column (ListColumns: ColumnName, ColumnType, Nullable, DefaultValue, DataLength, …). */
export interface ColumnInfo {
  name: string;
  /** 1-based and dense, in table order (PostgreSQL dropped columns leave no gap). */
  position: number;
  /** Full type in the engine's own spelling: `varchar(64)`, `character varying(64)`, `decimal(10,2)`. */
  dataType: string;
  nullable: boolean;
  /**
   * Literal defaults as their plain value (`new`, `0.00`), expression defaults as SQL text
   * (`current_timestamp()`, `now()`, `nextval('t_id_seq'::regclass)`); null when none or NULL.
   */
  defaultValue: string | null;
  /** '' when there is none. */
  comment: string;
  primaryKey: boolean;
  /** AUTO_INCREMENT, identity/serial, or SQLite rowid alias (`INTEGER PRIMARY KEY`). */
  autoIncrement: boolean;
  /** Characters for character types; null otherwise. */
  maxLength: number | null;
  /** Numeric precision as the engine's information_schema reports it (PostgreSQL ints: bits). */
  precision: number | null;
  scale: number | null;
}

/** An index of a table, as schema-design tickets compare them between databases (drift). */
export interface IndexInfo {
  /**
   * The engine's name (MySQL: `PRIMARY` for the primary key; PostgreSQL: the constraint/index name;
   * SQLite: `sqlite_autoindex_…` for implicit ones, and `PRIMARY` for an `INTEGER PRIMARY KEY`,
   * which is the rowid itself and has no index of its own).
   */
  name: string;
  /**
   * Key columns in index order; an expression part as its SQL text in parentheses. Not included:
   * PostgreSQL INCLUDE columns, MySQL prefix lengths, ASC/DESC, collations, operator classes.
   */
  columns: string[];
  unique: boolean;
  primary: boolean;
  /** PostgreSQL partial index predicate; null otherwise. */
  where: string | null;
  /** btree, hash, gin, … (lower case); null when the engine does not say (SQLite). */
  method: string | null;
}

export interface Connector {
  readonly engine: Engine;
  /** Connects and asks the server for its version string (`select version()`). */
  test(): Promise<{ version: string }>;
  /** All user databases: without system schemas (MySQL), templates or no-connect databases (PostgreSQL). */
  listDatabases(): Promise<DatabaseInfo[]>;
  /** Tables and views of every non-system schema, ordered by schema and name. Unknown database: `not_found`. */
  listTables(database: string): Promise<TableInfo[]>;
  /** Columns in table order; [] when the table does not exist. */
  listColumns(database: string, schema: string, table: string): Promise<ColumnInfo[]>;
  /**
   * Runs one query in a read-only transaction (the database itself refuses any write), streaming its
   * rows from a server-side cursor; `consume` pulls batches (back-pressure: the cursor advances only
   * as batches are pulled). The connection is released and the transaction rolled back when
   * `consume` settles, throws, or the signal aborts; a timeout (options.timeoutMs, the whole query)
   * fails with TargetDbError kind 'timeout'.
   *
   * A write the database refuses fails with kind `permission` on every engine (PostgreSQL SQLSTATE
   * 25006, MySQL/MariaDB errno 1792, SQLite SQLITE_READONLY); MySQL/MariaDB `SELECT … INTO
   * OUTFILE/DUMPFILE`, which the server allows in a read-only transaction, is refused before it
   * is sent (code `INTO_OUTFILE`, kind `permission`). The batches must be pulled inside `consume`.
   */
  readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T>;
  /**
   * The planner's estimate of the rows the query returns (PostgreSQL EXPLAIN (FORMAT JSON) "Plan
   * Rows"; MySQL/MariaDB EXPLAIN: product of rows×filtered/100 over the top-level select's rows);
   * null where the engine has no planner estimate (SQLite). Runs read-only, never executes the query.
   * A statement the engine refuses (syntax, missing table) rejects.
   */
  explainRows(database: string, sql: string): Promise<RowEstimate | null>;
  /**
   * Exact `select count(*) from (<sql>) t` within budgetMs, read-only; null when the budget ran out
   * (the count is then cancelled server-side, and on SQLite it must not block the event loop past
   * the budget: it runs in a worker_thread that is terminated).
   */
  countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null>;
  /**
   * PostgreSQL only. COPY (<sql>) TO STDOUT (FORMAT csv, HEADER true) in a read-only transaction:
   * the engine's own CSV bytes (NULL unquoted empty, '' as ""), for the fast export path. Same
   * release/timeout/abort rules as readOnlyQuery; `csv` must be read to its end inside `consume`
   * (a COPY left unread is cancelled and its connection closed).
   */
  copyCsv?<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (csv: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL only. COPY (<sql>) TO STDOUT in its text format (tab-separated, `\N` for NULL,
   * backslash escapes, LF after each row, no header), under the same rules as copyCsv: for the
   * XLSX fast path, which types the cells by the columns' kinds.
   */
  copyText?<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (text: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T>;
  /**
   * One connection for writes, held while `work` runs (write-session.ts). When `work` settles or
   * throws, a transaction still open is rolled back and the connection released (closed, when a
   * statement was interrupted). `database` as for readOnlyQuery (SQLite: `main`).
   */
  writeSession<T>(database: string, options: WriteSessionOptions, work: (session: WriteSession) => Promise<T>): Promise<T>;
  /**
   * Columns, primary key and NOT NULL unique keys of a table; null when it does not exist (or is a
   * view). `schema` null: MySQL the database, PostgreSQL the first schema of the search_path that
   * has the table, SQLite `main`. Names compare as the engine does (see review/facts.ts).
   */
  tableKeys(database: string, schema: string | null, table: string): Promise<TableKeys | null>;
  /** Indexes of a table (primary key included, as primary: true), ordered by name; [] when the table does not exist. `schema` as for tableKeys. */
  listIndexes(database: string, schema: string | null, table: string): Promise<IndexInfo[]>;
  /** Ends the connector's pool; the connector cannot be used afterwards. */
  close(): Promise<void>;
}

/**
 * What went wrong, independent of the engine, so callers can react without knowing engine codes:
 * - connection: server unreachable, refused, connect timeout, connection lost
 * - auth: wrong user or password
 * - permission: logged in, but not allowed
 * - not_found: unknown database (or file, for SQLite)
 * - timeout: statement ran longer than queryTimeoutMs, or waited too long for a lock
 * - config: the connection spec itself is refused (SQLite path outside the allowed folder)
 * - sql: any other error reported by the server
 */
export type TargetErrorKind = 'connection' | 'auth' | 'permission' | 'not_found' | 'timeout' | 'config' | 'sql';

export interface TargetDbErrorInit {
  /** PostgreSQL SQLSTATE (`28P01`), MySQL error name (`ER_ACCESS_DENIED_ERROR`), `SQLITE_*`, or a Node network code. */
  code: string;
  kind: TargetErrorKind;
  message: string;
  /** SQLSTATE when the server reported one (also MySQL's). */
  sqlState?: string | undefined;
  /** MySQL error number (1045). */
  errno?: number | undefined;
  detail?: string | undefined;
  hint?: string | undefined;
  /** 1-based character position in the statement (PostgreSQL). */
  position?: number | undefined;
  cause?: unknown;
}

/** A failure reported by (or while reaching) a target database, normalized across drivers. */
export class TargetDbError extends Error {
  readonly engine: Engine;
  readonly code: string;
  readonly kind: TargetErrorKind;
  readonly sqlState: string | undefined;
  readonly errno: number | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;

  constructor(engine: Engine, init: TargetDbErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TargetDbError';
    this.engine = engine;
    this.code = init.code;
    this.kind = init.kind;
    this.sqlState = init.sqlState;
    this.errno = init.errno;
    this.detail = init.detail;
    this.hint = init.hint;
    this.position = init.position;
  }
}

/** Node socket/DNS error codes that mean "could not reach the server". */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * Drivers do not echo passwords today; this guards against one that does (or a connection URL in a
 * message). Passwords shorter than 4 characters are left alone: replacing every `a` would garble
 * the message without protecting anything.
 */
export function redactSecret<T extends string | undefined>(text: T, secret: string): T {
  if (text === undefined || secret.length < 4) return text;
  return text.split(secret).join('******') as T;
}
