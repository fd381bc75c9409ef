import Database from 'better-sqlite3';
import {
  type ColumnInfo,
  type ConnectionSpec,
  type Connector,
  type DatabaseInfo,
  type IndexInfo,
  type TableInfo,
} from '../connector.js';
import type { QueryStream, ReadOnlyQueryOptions, RowEstimate } from '../result-set.js';
import { runWriteSession } from '../write-runner.js';
import type { TableKeys, WriteSession, WriteSessionOptions } from '../write-session.js';
import { toSqliteError, unknownSqliteDatabase } from './sqlite-errors.js';
import { listSqliteColumns, listSqliteDatabases, listSqliteIndexes, listSqliteTables, SQLITE_MAIN, sqliteTableKeys } from './sqlite-introspector.js';
import { resolveSqlitePath } from './sqlite-path.js';
import { SqliteReader } from './sqlite-reader.js';
import { openSqliteWriter } from './sqlite-writer.js';

/**
 * How long to wait for another process's write lock before SQLITE_BUSY. better-sqlite3 waits
 * synchronously, blocking the event loop, so this stays short whatever the instance's query timeout.
 */
const BUSY_TIMEOUT_MS = 2_000;

/**
 * A SQLite file as a target instance, through better-sqlite3. `Host` is the file path, which must
 * lie inside `allowedDir`. The file is opened read-only and must already exist: introspection never
 * creates or changes it; only write sessions open it read-write. User, password and port are ignored.
 *
 * better-sqlite3 is synchronous; the async methods keep the Connector contract, and one statement
 * at a time is what a ticket needs.
 */
export class SqliteConnector implements Connector {
  readonly engine = 'sqlite' as const;
  readonly #spec: ConnectionSpec;
  readonly #allowedDir: string;
  #db: Database.Database | undefined;
  readonly #reader: SqliteReader;

  constructor(spec: ConnectionSpec, allowedDir: string) {
    this.#spec = spec;
    this.#allowedDir = allowedDir;
    this.#reader = new SqliteReader({ resolvePath: () => resolveSqlitePath(spec.host, allowedDir), busyTimeoutMs: BUSY_TIMEOUT_MS });
  }

  async test(): Promise<{ version: string }> {
    return this.#guard((db) => {
      // Reading the schema makes SQLite check the file header (SQLITE_NOTADB for a non-database).
      db.prepare('select count(*) from sqlite_master').get();
      const row = db.prepare<[], { version: string }>('select sqlite_version() as version').get();
      return { version: String(row?.version) };
    });
  }

  async listDatabases(): Promise<DatabaseInfo[]> {
    return this.#guard(listSqliteDatabases);
  }

  async listTables(database: string): Promise<TableInfo[]> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    return this.#guard(listSqliteTables);
  }

  /** `schema` is always `main`; only `database` is checked. */
  async listColumns(database: string, _schema: string, table: string): Promise<ColumnInfo[]> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    return this.#guard((db) => listSqliteColumns(db, table));
  }

  /** On a connection of its own per call (see sqlite-reader.ts); the deadline acts between batches. */
  readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T> {
    return this.#reader.readOnlyQuery(database, sql, options, consume);
  }

  /** Always null: SQLite has no planner row estimate. */
  explainRows(database: string, sql: string): Promise<RowEstimate | null> {
    return this.#reader.explainRows(database, sql);
  }

  /** A read-write connection of its own per session; statements block the event loop (see sqlite-writer.ts). */
  writeSession<T>(database: string, options: WriteSessionOptions, work: (session: WriteSession) => Promise<T>): Promise<T> {
    const source = { resolvePath: () => resolveSqlitePath(this.#spec.host, this.#allowedDir), busyTimeoutMs: BUSY_TIMEOUT_MS };
    return runWriteSession(this.engine, options, async () => openSqliteWriter(source, database), work);
  }

  /** `schema` null or `main` (any case); another schema has no tables here. */
  async tableKeys(database: string, schema: string | null, table: string): Promise<TableKeys | null> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    if (schema !== null && schema.toLowerCase() !== SQLITE_MAIN) return null;
    return this.#guard((db) => sqliteTableKeys(db, table));
  }

  /** `schema` as for tableKeys: null or `main` (any case); another schema has no tables here. */
  async listIndexes(database: string, schema: string | null, table: string): Promise<IndexInfo[]> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    if (schema !== null && schema.toLowerCase() !== SQLITE_MAIN) return [];
    return this.#guard((db) => listSqliteIndexes(db, table));
  }

  /** In a worker thread, terminated at the budget (see sqlite-count.ts). */
  countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null> {
    return this.#reader.countRows(database, sql, budgetMs);
  }

  async close(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
  }

  /** The connection, opened on first use (path check included) so construction never fails. */
  #getDb(): Database.Database {
    this.#db ??= new Database(resolveSqlitePath(this.#spec.host, this.#allowedDir), {
      readonly: true,
      fileMustExist: true,
      timeout: BUSY_TIMEOUT_MS,
    });
    return this.#db;
  }

  #guard<T>(fn: (db: Database.Database) => T): T {
    try {
      return fn(this.#getDb());
    } catch (err) {
      throw toSqliteError(err);
    }
  }
}
