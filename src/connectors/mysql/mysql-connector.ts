import mysql from 'mysql2/promise';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  TargetDbError,
  type ColumnInfo,
  type ConnectionSpec,
  type Connector,
  type DatabaseInfo,
  type Engine,
  type IndexInfo,
  type TableInfo,
} from '../connector.js';
import type { QueryStream, ReadOnlyQueryOptions, RowEstimate } from '../result-set.js';
import { runWriteSession } from '../write-runner.js';
import type { TableKeys, WriteSession, WriteSessionOptions } from '../write-session.js';
import { MYSQL_ERRORS, toMysqlError } from './mysql-errors.js';
import {
  listMysqlColumns,
  listMysqlDatabases,
  listMysqlIndexes,
  listMysqlTables,
  mysqlFunctionalKeyParts,
  mysqlSchemaExists,
  mysqlTableKeys,
  type MysqlRun,
} from './mysql-introspector.js';
import { MysqlReader } from './mysql-reader.js';
import { MysqlWriter } from './mysql-writer.js';

/** Two connections: metadata calls are short and a ticket runs one statement at a time. */
const POOL_SIZE = 2;
/** Reads (exports) hold a connection while the consumer pulls: a pool of their own, so metadata calls never wait behind them. */
const READER_POOL_SIZE = 4;
/** Write sessions (data-change tickets) hold a connection for their whole work: a pool of their own too. */
const WRITER_POOL_SIZE = 4;
/** Idle connections are closed after 30 s so a rarely used instance holds no server sessions. */
const IDLE_TIMEOUT_MS = 30_000;

/** MySQL and MariaDB (same protocol and catalogs) through mysql2. */
export class MysqlConnector implements Connector {
  readonly engine: Engine;
  readonly #spec: ConnectionSpec;
  readonly #queryTimeoutMs: number;
  #pool: mysql.Pool | undefined;
  #readerPool: mysql.Pool | undefined;
  #writerPool: mysql.Pool | undefined;
  #version: Promise<string> | undefined;
  readonly #reader: MysqlReader;
  readonly #writer: MysqlWriter;

  constructor(spec: ConnectionSpec) {
    this.engine = spec.engine;
    this.#spec = spec;
    this.#queryTimeoutMs = spec.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.#reader = new MysqlReader({
      engine: spec.engine,
      // BIGINT as a number when safe, else its digits: the cell itself (see steerRowParser).
      readerPool: () => (this.#readerPool ??= this.#createPool(READER_POOL_SIZE, { bigNumberStrings: false })),
      metaPool: () => this.#getPool(),
      isMariaDb: () => this.#isMariaDb(),
      login: this.#login(),
      password: spec.password,
      queryTimeoutMs: this.#queryTimeoutMs,
    });
    this.#writer = new MysqlWriter({
      engine: spec.engine,
      // Cells as the reader's (bigNumberStrings off); affectedRows = changed rows (no CLIENT_FOUND_ROWS);
      // LOAD DATA LOCAL refused by the server (no CLIENT_LOCAL_FILES).
      writerPool: () => (this.#writerPool ??= this.#createPool(WRITER_POOL_SIZE, { bigNumberStrings: false, flags: ['-FOUND_ROWS', '-LOCAL_FILES'] })),
      serverVersion: () => this.#serverVersion(),
      login: this.#login(),
      password: spec.password,
    });
  }

  async test(): Promise<{ version: string }> {
    return this.#guard(async () => {
      const [row] = await this.#run('select version() as version');
      return { version: String(row?.version) };
    });
  }

  listDatabases(): Promise<DatabaseInfo[]> {
    return this.#guard(() => listMysqlDatabases(this.#run));
  }

  listTables(database: string): Promise<TableInfo[]> {
    return this.#guard(async () => {
      const tables = await listMysqlTables(this.#run, database);
      if (tables.length === 0 && !(await mysqlSchemaExists(this.#run, database))) {
        const message = `Unknown database '${database}'`;
        throw new TargetDbError(this.engine, { code: MYSQL_ERRORS.badDb, kind: 'not_found', errno: 1049, sqlState: '42000', message });
      }
      return tables;
    });
  }

  /** `schema` is the database itself on MySQL; only `database` is used. */
  listColumns(database: string, _schema: string, table: string): Promise<ColumnInfo[]> {
    return this.#guard(async () => listMysqlColumns(this.#run, database, table, await this.#isMariaDb()));
  }

  readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T> {
    return this.#reader.readOnlyQuery(database, sql, options, consume);
  }

  explainRows(database: string, sql: string): Promise<RowEstimate | null> {
    return this.#reader.explainRows(database, sql);
  }

  countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null> {
    return this.#reader.countRows(database, sql, budgetMs);
  }

  /** See mysql-writer.ts. */
  writeSession<T>(database: string, options: WriteSessionOptions, work: (session: WriteSession) => Promise<T>): Promise<T> {
    return runWriteSession(this.engine, options, () => this.#writer.open(database, options.statementTimeoutMs), work);
  }

  /** `schema` null: the database itself. */
  tableKeys(database: string, schema: string | null, table: string): Promise<TableKeys | null> {
    return this.#guard(() => mysqlTableKeys(this.#run, schema ?? database, table));
  }

  /** `schema` null: the database itself. Functional key parts from the server version (MySQL ≥ 8.0.13). */
  listIndexes(database: string, schema: string | null, table: string): Promise<IndexInfo[]> {
    return this.#guard(async () => listMysqlIndexes(this.#run, schema ?? database, table, mysqlFunctionalKeyParts(await this.#serverVersion())));
  }

  async close(): Promise<void> {
    const pools = [this.#pool, this.#readerPool, this.#writerPool];
    this.#pool = undefined;
    this.#readerPool = undefined;
    this.#writerPool = undefined;
    await Promise.all(pools.map((p) => p?.end()));
  }

  /** The pool, created on first use so that constructing a connector never touches the network. */
  #getPool(): mysql.Pool {
    this.#pool ??= this.#createPool(POOL_SIZE);
    return this.#pool;
  }

  #login(): mysql.ConnectionOptions {
    return {
      host: this.#spec.host,
      port: this.#spec.port,
      user: this.#spec.user,
      password: this.#spec.password,
      connectTimeout: this.#spec.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    };
  }

  #createPool(size: number, overrides: Pick<mysql.PoolOptions, 'bigNumberStrings' | 'flags'> = {}): mysql.Pool {
    return mysql.createPool({
      ...this.#login(),
      database: this.#spec.database || undefined,
      connectionLimit: size,
      maxIdle: size,
      idleTimeout: IDLE_TIMEOUT_MS,
      // Exact values for later data access: BIGINT/DECIMAL as strings, dates as the server prints them.
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      multipleStatements: false,
      ...overrides,
    });
  }

  #run: MysqlRun = async (sql, params = []) => {
    const [rows] = await this.#getPool().query({ sql, timeout: this.#queryTimeoutMs }, params);
    return rows as Record<string, unknown>[];
  };

  /** information_schema spells defaults differently on MariaDB. */
  async #isMariaDb(): Promise<boolean> {
    return /mariadb/i.test(await this.#serverVersion());
  }

  /** `select version()`, asked once per connector (again after a failure). */
  #serverVersion(): Promise<string> {
    this.#version ??= this.#run('select version() as version').then(
      ([row]) => String(row?.version),
      (err: unknown) => {
        this.#version = undefined;
        throw err;
      },
    );
    return this.#version;
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMysqlError(this.engine, err, this.#spec.password);
    }
  }
}
