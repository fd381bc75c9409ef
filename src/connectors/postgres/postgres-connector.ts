import type { Readable } from 'node:stream';
import pg from 'pg';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  type ColumnInfo,
  type ConnectionSpec,
  type Connector,
  type DatabaseInfo,
  type IndexInfo,
  type TableInfo,
} from '../connector.js';
import type { QueryStream, ReadOnlyQueryOptions, ResultColumn, RowEstimate } from '../result-set.js';
import { runWriteSession } from '../write-runner.js';
import type { TableKeys, WriteSession, WriteSessionOptions } from '../write-session.js';
import { toPostgresError } from './postgres-errors.js';
import { listPgColumns, listPgDatabases, listPgIndexes, listPgTables, pgTableKeys, type PgRun } from './postgres-introspector.js';
import { PostgresReader } from './postgres-reader.js';
import { PostgresWriter } from './postgres-writer.js';

/** The database a PostgreSQL login reaches when the spec names none (always present). */
const DEFAULT_DATABASE = 'postgres';
/** Two connections per database: metadata calls are short and a ticket runs one statement at a time. */
const POOL_SIZE = 2;
/**
 * Reads (exports) hold a connection for as long as the consumer pulls, so they get their own pool:
 * they never starve metadata calls, and it has no client-side query_timeout, which node-postgres
 * would apply to a cursor's whole life (the reader enforces each call's own deadline instead).
 */
const READER_POOL_SIZE = 4;
/** Write sessions (data-change tickets) hold a connection for their whole work: a pool of their own too. */
const WRITER_POOL_SIZE = 4;
/** Idle connections are closed after 30 s so browsing many databases holds no server sessions. */
const IDLE_TIMEOUT_MS = 30_000;
/**
 * The server enforces queryTimeoutMs (statement_timeout, SQLSTATE 57014, a clear error); the client
 * gives up this much later, only for a server that stopped answering.
 */
const CLIENT_TIMEOUT_GRACE_MS = 5_000;

/**
 * PostgreSQL through node-postgres. A PostgreSQL session is bound to one database, so the
 * connector keeps one small pool per database it has visited.
 */
export class PostgresConnector implements Connector {
  readonly engine = 'postgresql' as const;
  readonly #spec: ConnectionSpec;
  readonly #pools = new Map<string, pg.Pool>();
  readonly #readerPools = new Map<string, pg.Pool>();
  readonly #writerPools = new Map<string, pg.Pool>();
  readonly #reader: PostgresReader;
  readonly #writer: PostgresWriter;

  constructor(spec: ConnectionSpec) {
    this.#spec = spec;
    this.#reader = new PostgresReader({
      readerPool: (database) => this.#getPool(database, 'reader'),
      metaPool: (database) => this.#getPool(database, 'meta'),
      host: spec.host,
      port: spec.port,
      password: spec.password,
      queryTimeoutMs: spec.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    });
    this.#writer = new PostgresWriter({
      writerPool: (database) => this.#getPool(database, 'writer'),
      metaPool: (database) => this.#getPool(database, 'meta'),
      host: spec.host,
      port: spec.port,
      password: spec.password,
    });
  }

  test(): Promise<{ version: string }> {
    return this.#guard(async () => {
      const [row] = await this.#runIn(this.#defaultDatabase())('select version() as version');
      return { version: String(row?.version) };
    });
  }

  listDatabases(): Promise<DatabaseInfo[]> {
    return this.#guard(() => listPgDatabases(this.#runIn(this.#defaultDatabase())));
  }

  /** Connects to `database` itself: catalogs only describe the database of the session. */
  listTables(database: string): Promise<TableInfo[]> {
    return this.#guard(() => listPgTables(this.#runIn(database)));
  }

  listColumns(database: string, schema: string, table: string): Promise<ColumnInfo[]> {
    return this.#guard(() => listPgColumns(this.#runIn(database), schema, table));
  }

  readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T> {
    return this.#reader.readOnlyQuery(database, sql, options, consume);
  }

  copyCsv<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (csv: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T> {
    return this.#reader.copyCsv(database, sql, options, consume);
  }

  copyText<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (text: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T> {
    return this.#reader.copyText(database, sql, options, consume);
  }

  explainRows(database: string, sql: string): Promise<RowEstimate | null> {
    return this.#reader.explainRows(database, sql);
  }

  countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null> {
    return this.#reader.countRows(database, sql, budgetMs);
  }

  /** See postgres-writer.ts. */
  writeSession<T>(database: string, options: WriteSessionOptions, work: (session: WriteSession) => Promise<T>): Promise<T> {
    return runWriteSession(this.engine, options, () => this.#writer.open(database, options.statementTimeoutMs), work);
  }

  tableKeys(database: string, schema: string | null, table: string): Promise<TableKeys | null> {
    return this.#guard(() => pgTableKeys(this.#runIn(database), schema, table));
  }

  listIndexes(database: string, schema: string | null, table: string): Promise<IndexInfo[]> {
    return this.#guard(() => listPgIndexes(this.#runIn(database), schema, table));
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values(), ...this.#readerPools.values(), ...this.#writerPools.values()];
    this.#pools.clear();
    this.#readerPools.clear();
    this.#writerPools.clear();
    await Promise.all(pools.map((p) => p.end()));
  }

  #defaultDatabase(): string {
    return this.#spec.database || DEFAULT_DATABASE;
  }

  /** The metadata (reader, writer) pool of one database, created on first use. */
  #getPool(database: string, role: 'meta' | 'reader' | 'writer' = 'meta'): pg.Pool {
    const pools = role === 'meta' ? this.#pools : role === 'reader' ? this.#readerPools : this.#writerPools;
    let pool = pools.get(database);
    if (!pool) {
      const queryTimeoutMs = this.#spec.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
      const timeouts = role === 'meta' ? { statement_timeout: queryTimeoutMs, query_timeout: queryTimeoutMs + CLIENT_TIMEOUT_GRACE_MS } : {};
      pool = new pg.Pool({
        host: this.#spec.host,
        port: this.#spec.port,
        user: this.#spec.user,
        password: this.#spec.password,
        database,
        max: role === 'meta' ? POOL_SIZE : role === 'reader' ? READER_POOL_SIZE : WRITER_POOL_SIZE,
        idleTimeoutMillis: IDLE_TIMEOUT_MS,
        connectionTimeoutMillis: this.#spec.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        ...timeouts,
        application_name: 'opendms',
        allowExitOnIdle: true,
      });
      // An idle connection that dies (server restart, network) is dropped by the pool; the next
      // query opens a new one and reports its own error. Without a listener the process would crash.
      pool.on('error', () => {});
      pools.set(database, pool);
    }
    return pool;
  }

  #runIn(database: string): PgRun {
    return async (sql, params = []) => (await this.#getPool(database).query(sql, params)).rows as Record<string, unknown>[];
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPostgresError(err, this.#spec.password);
    }
  }
}
