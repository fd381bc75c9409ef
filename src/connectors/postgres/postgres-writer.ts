/**
 * Write sessions on PostgreSQL (write-session.ts, write-runner.ts): one client of the connector's
 * writer pool per session. The session sets `statement_timeout` (the server-side half of each
 * statement's deadline; a statement it stops fails with 57014, kind `timeout`, and closes the
 * session like our own deadline does) and PG_FORMAT_SETTINGS except TimeZone, so cells come out
 * as readOnlyQuery's while the statements see the server's own time zone (`now()::date`, a
 * timestamptz literal without offset mean what they mean in psql); timestamptz cells carry their
 * offset, so they stay exact either way.
 *
 * User SQL travels through the extended protocol only (one statement per call, `$1 …` parameters):
 * `execute` as one Parse/Bind/Execute, `query` through a cursor (pg-cursor), which streams its
 * batches. A deadline or abort sends a CancelRequest and destroys the client. At the end the
 * client is rolled back if a transaction is open, `DISCARD ALL`ed (a `SET ROLE` or `SET
 * search_path` of one ticket must not reach the next) and released.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { TargetDbError } from '../connector.js';
import { MAX_TIMEOUT_MS, runConsumer, sessionError } from '../read-session.js';
import type { Cell } from '../result-set.js';
import type { OnBatch, WriteConnection } from '../write-runner.js';
import type { ExecuteResult } from '../write-session.js';
import { PG_SQLSTATE, toPostgresError } from './postgres-errors.js';
import { cancelBackend, PG_FORMAT_SETTINGS, PgResultColumns, pgRowsToCells, readBatch } from './postgres-session.js';
import { RAW_TEXT_TYPES } from './postgres-types.js';

export interface PostgresWriterSource {
  /** Connections held for a whole session: no client-side query timeout (each statement has its own deadline). */
  writerPool(database: string): pg.Pool;
  /** Where unknown type names are looked up. */
  metaPool(database: string): pg.Pool;
  /** Where cancel requests go (the server of the pools). */
  host: string;
  port: number;
  password: string;
}

/** SQLSTATE 25P02: what COMMIT of a transaction an error aborted does instead (it answers ROLLBACK). */
const IN_FAILED_TRANSACTION = '25P02';

const ignore = () => {};

export class PostgresWriter {
  readonly #src: PostgresWriterSource;
  readonly #columnsOf: PgResultColumns;

  constructor(source: PostgresWriterSource) {
    this.#src = source;
    this.#columnsOf = new PgResultColumns((database) => source.metaPool(database));
  }

  /** A client of the writer pool, its session set up for `statementTimeoutMs`. */
  async open(database: string, statementTimeoutMs: number): Promise<WriteConnection> {
    const password = this.#src.password;
    let client: pg.PoolClient;
    try {
      client = await this.#src.writerPool(database).connect();
    } catch (err) {
      throw toPostgresError(err, password);
    }
    // A checked-out client has no pool listener: a connection error with no listener would crash the process.
    // It is kept: a statement sent after the connection broke fails with "not queryable", and the
    // error that broke it (the server's FATAL, "Connection terminated unexpectedly") is the one to report.
    const lost: { error?: unknown } = {};
    const onError = (e: unknown) => (lost.error ??= e);
    client.on('error', onError);
    const timeout = Math.min(Math.max(1, Math.ceil(statementTimeoutMs)), MAX_TIMEOUT_MS);
    try {
      await client.query([`SET statement_timeout = ${timeout}`, ...PG_FORMAT_SETTINGS.filter((s) => !s.startsWith('TimeZone')).map((s) => `SET ${s}`)].join('; '));
    } catch (err) {
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw toPostgresError(err, password);
    }
    return new PostgresWriteConnection(this.#src, this.#columnsOf, database, client, lost, onError);
  }
}

class PostgresWriteConnection implements WriteConnection {
  readonly insertReturning = true;
  readonly #src: PostgresWriterSource;
  readonly #columnsOf: PgResultColumns;
  readonly #database: string;
  readonly #client: pg.PoolClient;
  readonly #lost: { error?: unknown };
  readonly #onError: (e: unknown) => void;
  #destroyed = false;

  constructor(src: PostgresWriterSource, columnsOf: PgResultColumns, database: string, client: pg.PoolClient, lost: { error?: unknown }, onError: (e: unknown) => void) {
    this.#src = src;
    this.#columnsOf = columnsOf;
    this.#database = database;
    this.#client = client;
    this.#lost = lost;
    this.#onError = onError;
  }

  async execute(sql: string, params: readonly Cell[]): Promise<ExecuteResult> {
    return this.#guard(async () => {
      // queryMode 'extended' (not in @types/pg): Parse/Bind/Execute even without parameters, so one statement only.
      const config: pg.QueryArrayConfig & { queryMode: 'extended' } = { text: sql, values: [...params], rowMode: 'array', types: RAW_TEXT_TYPES, queryMode: 'extended' };
      const result = await this.#client.query<(string | null)[]>(config);
      const fields = result.fields ?? [];
      const columns = fields.length > 0 ? await this.#columnsOf.of(this.#database, fields) : [];
      // rowCount: rows of INSERT/UPDATE/DELETE/MERGE (RETURNING or not), of a SELECT; null for DDL.
      return { affectedRows: result.rowCount ?? 0, rows: pgRowsToCells(fields)(result.rows), columns };
    });
  }

  async query(sql: string, params: readonly Cell[], onBatch: OnBatch, batchRows: number): Promise<void> {
    const cursor = this.#client.query(new Cursor<(string | null)[]>(sql, [...params], { rowMode: 'array', types: RAW_TEXT_TYPES }));
    try {
      let batch = await readBatch(cursor, batchRows);
      const columns = await this.#columnsOf.of(this.#database, batch.fields);
      const toCells = pgRowsToCells(batch.fields);
      for (;;) {
        const rows = toCells(batch.rows);
        await runConsumer(() => onBatch(rows, columns));
        if (batch.rows.length < batchRows) break;
        batch = await readBatch(cursor, batchRows);
        if (batch.rows.length === 0) break;
      }
    } catch (err) {
      throw sessionError(err, (e) => toPostgresError(this.#lost.error ?? e, this.#src.password));
    } finally {
      // Closing the portal leaves the client idle (or in the caller's transaction); not on a destroyed client.
      if (!this.#destroyed) await cursor.close().catch(ignore);
    }
  }

  begin(): Promise<void> {
    return this.#guard(async () => void (await this.#client.query('BEGIN')));
  }

  /** COMMIT of a transaction that an error aborted answers ROLLBACK, not an error: that is one here. */
  commit(): Promise<void> {
    return this.#guard(async () => {
      const result = await this.#client.query('COMMIT');
      if (result.command !== 'ROLLBACK') return;
      throw new TargetDbError('postgresql', {
        code: IN_FAILED_TRANSACTION,
        sqlState: IN_FAILED_TRANSACTION,
        kind: 'sql',
        message: 'The transaction was aborted by an earlier error: COMMIT rolled it back',
      });
    });
  }

  rollback(): Promise<void> {
    return this.#guard(async () => void (await this.#client.query('ROLLBACK')));
  }

  /** 57014: statement_timeout, or a cancel request (ours or anyone's). */
  interrupted(err: TargetDbError): boolean {
    return err.code === PG_SQLSTATE.queryCanceled;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    cancelBackend(this.#src.host, this.#src.port, this.#client);
    this.#client.release(new Error('discarded by the writer'));
  }

  async finish(): Promise<void> {
    try {
      if (this.#client.getTransactionStatus() !== 'I') await this.#client.query('ROLLBACK');
      await this.#client.query('DISCARD ALL');
    } catch (err) {
      this.destroy();
      throw toPostgresError(err, this.#src.password);
    }
    if (this.#destroyed) return; // the deadline of this very step ran out meanwhile
    this.#destroyed = true;
    this.#client.removeListener('error', this.#onError);
    this.#client.release();
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPostgresError(this.#lost.error ?? err, this.#src.password);
    }
  }
}
