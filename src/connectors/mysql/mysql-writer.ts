/**
 * Write sessions on MySQL/MariaDB (write-session.ts, write-runner.ts): one connection of the
 * connector's writer pool per session, in `database` (USE), with the session's statement limit
 * (mysql-session.ts timeLimit: MariaDB max_statement_time stops any statement, MySQL
 * max_execution_time only SELECTs) backing up each statement's own deadline. A statement cut
 * short has its thread killed and its connection destroyed.
 *
 * affectedRows: the writer pool connects without CLIENT_FOUND_ROWS (mysql2 sets it by default), so
 * an UPDATE counts the rows it changed, not those it matched, as the mysql client prints them
 * ("Rows matched: 2  Changed: 1" → 1). A statement that returns rows (MariaDB `… RETURNING`, a
 * SELECT) counts the rows it returned.
 *
 * Parameters (`?`) are bound client-side by mysql2 (quoted literals in the statement text), so the
 * rows come over the text protocol and get the reader's exact cells (mysql-row-feed.ts).
 */
import mysql from 'mysql2/promise';
import type { Engine, TargetDbError } from '../connector.js';
import { runConsumer, sessionError } from '../read-session.js';
import type { Cell } from '../result-set.js';
import type { OnBatch, WriteConnection } from '../write-runner.js';
import type { ExecuteResult } from '../write-session.js';
import { toMysqlError } from './mysql-errors.js';
import { mysqlRowsToCells, RowFeed } from './mysql-row-feed.js';
import { core, killThread, timeLimit } from './mysql-session.js';

export interface MysqlWriterSource {
  engine: Engine;
  /** Connections held for a whole session, without CLIENT_FOUND_ROWS (see above). */
  writerPool(): mysql.Pool;
  /** `select version()`, asked once per connector. */
  serverVersion(): Promise<string>;
  /** Login of the short-lived connection that kills a session cut short. */
  login: mysql.ConnectionOptions;
  password: string;
}

/** Errnos of a statement the server stopped: MariaDB max_statement_time, MySQL max_execution_time, KILL QUERY. */
const INTERRUPTED_ERRNOS: ReadonlySet<number> = new Set([1969, 3024, 1317]);

/** Rows per pull while execute() collects a result (RETURNING). */
const EXECUTE_BATCH_ROWS = 1_000;

const ignore = () => {};

/** MariaDB ≥ 10.5 has INSERT … RETURNING; MySQL has none. From the version string, not the declared engine. */
export function mysqlInsertReturning(version: string): boolean {
  if (!/mariadb/i.test(version)) return false;
  const [major = 0, minor = 0] = (/^(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  return major > 10 || (major === 10 && minor >= 5);
}

export class MysqlWriter {
  readonly #src: MysqlWriterSource;

  constructor(source: MysqlWriterSource) {
    this.#src = source;
  }

  async open(database: string, statementTimeoutMs: number): Promise<WriteConnection> {
    const { engine, password } = this.#src;
    let conn: mysql.PoolConnection;
    let version: string;
    try {
      version = await this.#src.serverVersion();
      conn = await this.#src.writerPool().getConnection();
    } catch (err) {
      throw toMysqlError(engine, err, password);
    }
    // A fatal connection error with no listener would crash the process.
    core(conn).on('error', ignore);
    const limit = timeLimit(/mariadb/i.test(version), statementTimeoutMs);
    try {
      await conn.query(`USE ${mysql.escapeId(database)}`);
      await conn.query(limit.set);
    } catch (err) {
      conn.destroy();
      throw toMysqlError(engine, err, password);
    }
    return new MysqlWriteConnection(this.#src, conn, limit.reset, mysqlInsertReturning(version));
  }
}

class MysqlWriteConnection implements WriteConnection {
  readonly insertReturning: boolean;
  readonly #src: MysqlWriterSource;
  readonly #conn: mysql.PoolConnection;
  readonly #resetLimit: string;
  /** The statement whose rows are coming, failed when the connection is destroyed. */
  #feed: RowFeed | undefined;
  #destroyed = false;

  constructor(src: MysqlWriterSource, conn: mysql.PoolConnection, resetLimit: string, insertReturning: boolean) {
    this.#src = src;
    this.#conn = conn;
    this.#resetLimit = resetLimit;
    this.insertReturning = insertReturning;
  }

  async execute(sql: string, params: readonly Cell[]): Promise<ExecuteResult> {
    const feed = this.#start(sql, params, EXECUTE_BATCH_ROWS);
    try {
      const columns = await feed.columns;
      const toCells = mysqlRowsToCells(columns);
      const rows: Cell[][] = [];
      for (let batch = await feed.next(); batch !== null; batch = await feed.next()) {
        for (const row of toCells(batch)) rows.push(row);
      }
      const affectedRows = columns.length > 0 ? rows.length : Number(feed.header?.affectedRows ?? 0);
      return { affectedRows, rows, columns };
    } catch (err) {
      throw this.#normalize(err);
    } finally {
      this.#feed = undefined;
    }
  }

  async query(sql: string, params: readonly Cell[], onBatch: OnBatch, batchRows: number): Promise<void> {
    const feed = this.#start(sql, params, batchRows);
    try {
      const columns = await feed.columns;
      const toCells = mysqlRowsToCells(columns);
      let delivered = false;
      for (let batch = await feed.next(); batch !== null; batch = await feed.next()) {
        delivered = true;
        const rows = toCells(batch);
        await runConsumer(() => onBatch(rows, columns));
      }
      if (!delivered) await runConsumer(() => onBatch([], columns));
    } catch (err) {
      // onBatch threw with rows still coming: read them away so the connection can go on.
      if (!feed.ended && !this.#destroyed) await feed.drain();
      throw sessionError(err, (e) => this.#normalize(e));
    } finally {
      this.#feed = undefined;
    }
  }

  begin(): Promise<void> {
    return this.#run('START TRANSACTION');
  }

  commit(): Promise<void> {
    return this.#run('COMMIT');
  }

  rollback(): Promise<void> {
    return this.#run('ROLLBACK');
  }

  interrupted(err: TargetDbError): boolean {
    return err.errno !== undefined && INTERRUPTED_ERRNOS.has(err.errno);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    killThread(this.#src.login, core(this.#conn).threadId);
    this.#conn.destroy();
    this.#feed?.fail(new Error('connection closed'));
  }

  /**
   * ROLLBACK whatever is open (also a transaction a statement started itself), the default limit,
   * then COM_RESET_CONNECTION (a ticket's `SET autocommit = 0`, `SET sql_mode`, user variables or
   * temporary tables must not reach the next session), and release.
   */
  async finish(): Promise<void> {
    try {
      await this.#conn.query('ROLLBACK');
      await this.#conn.query(this.#resetLimit);
      await this.#conn.reset();
    } catch (err) {
      this.destroy();
      throw this.#normalize(err);
    }
    if (this.#destroyed) return; // the deadline of this very step ran out meanwhile
    this.#destroyed = true;
    core(this.#conn).removeListener('error', ignore);
    this.#conn.release();
  }

  #start(sql: string, params: readonly Cell[], batchRows: number): RowFeed {
    const values = params.length > 0 ? params.map(bindValue) : undefined;
    this.#feed = new RowFeed(core(this.#conn), sql, batchRows, values);
    return this.#feed;
  }

  async #run(sql: string): Promise<void> {
    try {
      await this.#conn.query(sql);
    } catch (err) {
      throw this.#normalize(err);
    }
  }

  #normalize(err: unknown): TargetDbError {
    return toMysqlError(this.#src.engine, err, this.#src.password);
  }
}

/** A cell as mysql2 escapes it: bytes as a Buffer (X'…'); the rest as they are. */
function bindValue(cell: Cell): unknown {
  return cell instanceof Uint8Array && !Buffer.isBuffer(cell) ? Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength) : cell;
}
