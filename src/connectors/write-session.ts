/**
 * Writing to a target database: what data-change tickets (modules/data-changes/) run their
 * statements through. A write session is one connection, held for the duration of `work`, on
 * which the caller owns the transaction (begin/commit/rollback). Engine implementations live in
 * each engine folder's `*-writer.ts`.
 */
import type { Engine } from './connector.js';
import type { Cell, ResultColumn } from './result-set.js';

export interface WriteSessionOptions {
  /**
   * Per statement (the instance's QueryTimeout). A statement running longer is cancelled
   * server-side where the engine allows it and fails with TargetDbError kind `timeout`; the
   * session is then unusable (its connection is closed) and `work`'s later calls reject.
   */
  statementTimeoutMs: number;
  /** Aborting cancels the running statement and closes the connection; pending and later calls reject with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface ExecuteResult {
  /** Rows the statement changed as the engine reports them (MySQL: found-or-changed rows, see the writer). 0 for DDL. */
  affectedRows: number;
  /** The rows a statement returned (`… RETURNING …`, or a query); [] when it returns none. */
  rows: Cell[][];
  columns: ResultColumn[];
}

export interface WriteSession {
  readonly engine: Engine;
  /**
   * True when `INSERT … RETURNING` works on this server: PostgreSQL, SQLite ≥ 3.35, MariaDB ≥ 10.5;
   * false on MySQL.
   */
  readonly insertReturning: boolean;
  /**
   * Runs one statement with bound parameters: `?` placeholders on MySQL/MariaDB and SQLite, `$1 …`
   * on PostgreSQL. Cells are bound as their JS values (Uint8Array as binary). A statement the
   * database refuses rejects with a TargetDbError; the transaction, if any, stays open for the
   * caller to roll back (PostgreSQL: it is aborted and only a rollback is accepted).
   */
  execute(sql: string, params?: readonly Cell[]): Promise<ExecuteResult>;
  /**
   * Runs a query and hands its rows over in batches (at most `batchRows`, default 1,000), as exact
   * Cells (result-set.ts, the same conversions as the read-only readers). Rows are pulled as
   * `onBatch` settles (server-side cursor where the engine has one), so memory does not grow
   * with the row count. Used inside the caller's transaction, e.g. for `SELECT … FOR UPDATE`.
   */
  query(sql: string, params: readonly Cell[], onBatch: (rows: Cell[][], columns: readonly ResultColumn[]) => Promise<void>, batchRows?: number): Promise<void>;
  /** Starts a transaction (SQLite: BEGIN IMMEDIATE, so the write lock is taken at once). */
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** A column of TableKeys. */
export interface KeyColumn {
  name: string;
  /**
   * A value the database computes and refuses to be given: generated/computed columns (all
   * engines) and PostgreSQL `GENERATED ALWAYS AS IDENTITY` columns (which accept one only with
   * `OVERRIDING SYSTEM VALUE`, see `identityAlways`).
   */
  generated: boolean;
  /** PostgreSQL `GENERATED ALWAYS AS IDENTITY`. */
  identityAlways: boolean;
  /** AUTO_INCREMENT, serial/identity, SQLite `INTEGER PRIMARY KEY`. */
  autoIncrement: boolean;
}

/** What a backup needs to know about a table to restore rows of it by key. */
export interface TableKeys {
  /** Resolved names (MySQL: the database; PostgreSQL: the schema, e.g. `public`; SQLite: `main`). */
  schema: string;
  name: string;
  /** In table order. */
  columns: KeyColumn[];
  /** Column names of the primary key in key order; [] when none. */
  primaryKey: string[];
  /** Unique keys (constraints or unique indexes) whose columns are all NOT NULL, in key order; without the primary key. */
  uniqueKeys: string[][];
}
