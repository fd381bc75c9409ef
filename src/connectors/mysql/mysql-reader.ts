/**
 * Read-only access to a MySQL/MariaDB database: streamed queries, EXPLAIN estimates and bounded
 * counts. Every call runs on a connection of its own inside `START TRANSACTION READ ONLY` (the
 * server refuses writes with errno 1792, classified `permission`) and ends with ROLLBACK.
 *
 * The server-side time limit is the session's statement limit, whose name and unit differ by
 * engine (decided from the version string, not from the instance's declared engine):
 * MariaDB `max_statement_time` in seconds, MySQL `max_execution_time` in milliseconds (SELECT only).
 * It is set for the call and put back to the server default before the connection returns to the
 * pool. Our own deadline (read-session.ts) backs it up; whenever a call is cut short, the server
 * thread is killed and the connection destroyed, never returned to the pool mid-result.
 *
 * The connections do not allow multiple statements (pool option), so `select 1; commit; delete …`
 * is a syntax error, not a way out of the transaction.
 */
import type { Connection as CoreConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { TargetDbError, type Engine } from '../connector.js';
import { integerCell } from '../cells.js';
import { batchRowsOf, countSql, runConsumer, runWithDeadline, sessionError, type SessionStop } from '../read-session.js';
import type { Cell, QueryStream, ReadOnlyQueryOptions, RowEstimate } from '../result-set.js';
import { toMysqlError } from './mysql-errors.js';
import { writesServerFile } from './mysql-outfile.js';
import { mysqlRowsToCells, RowFeed, type RawRow } from './mysql-row-feed.js';
import { core, killThread, timeLimit } from './mysql-session.js';
import { rawTypeCast } from './mysql-types.js';

export interface MysqlReaderSource {
  engine: Engine;
  /** Dedicated connections for long reads (they must not starve metadata calls). */
  readerPool(): mysql.Pool;
  /** The connector's pool: EXPLAIN and counts (short statements). */
  metaPool(): mysql.Pool;
  isMariaDb(): Promise<boolean>;
  /** Login of the short-lived connection that kills a session cut short. */
  login: mysql.ConnectionOptions;
  password: string;
  /** Limit of an EXPLAIN (the instance's query timeout). */
  queryTimeoutMs: number;
}

/** A connection held for one read; `discard` kills its server thread and destroys it instead of releasing it. */
interface Held {
  conn: CoreConnection;
  stop: SessionStop;
  discard(): void;
  /** Called when the connection is destroyed (deadline, abort, discard). */
  onDestroy(fn: () => void): void;
}

type Options = Pick<ReadOnlyQueryOptions, 'timeoutMs' | 'signal'>;

const ignore = () => {};

export class MysqlReader {
  readonly #src: MysqlReaderSource;

  constructor(source: MysqlReaderSource) {
    this.#src = source;
  }

  async readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T> {
    const batchRows = batchRowsOf(options);
    this.#refuseFileWrites(sql);
    return this.#inReadOnlyTransaction(this.#src.readerPool(), database, options, async ({ conn, stop, discard, onDestroy }) => {
      const feed = new RowFeed(conn, sql, batchRows);
      onDestroy(() => feed.fail(stop.reason ?? new Error('connection closed')));
      const columns = await feed.columns;
      const toCells = mysqlRowsToCells(columns);
      const { engine, password } = this.#src;
      let open = true;
      async function* batches(): AsyncGenerator<Cell[][]> {
        for (;;) {
          if (!open) throw new Error('readOnlyQuery: batches were pulled after consume settled');
          if (stop.stopped) throw stop.reason;
          let rows: RawRow[] | null;
          try {
            rows = await feed.next();
          } catch (err) {
            throw stop.stopped ? stop.reason : toMysqlError(engine, err, password);
          }
          if (rows === null) return;
          yield toCells(rows);
        }
      }
      try {
        return await runConsumer(() => consume({ columns, batches: batches() }));
      } finally {
        open = false;
        // Rows still coming: the result cannot be skipped on the wire without reading it all.
        if (!feed.ended && !stop.stopped) discard();
      }
    });
  }

  async explainRows(database: string, sql: string): Promise<RowEstimate | null> {
    this.#refuseFileWrites(sql);
    return this.#inReadOnlyTransaction(this.#src.metaPool(), database, { timeoutMs: this.#src.queryTimeoutMs }, async ({ conn }) => {
      // MariaDB shows `filtered` only with EXTENDED; MySQL 8 always shows it and no longer accepts EXTENDED.
      const explain = (await this.#src.isMariaDb()) ? 'EXPLAIN EXTENDED' : 'EXPLAIN';
      const rows = await query<Record<string, unknown>>(conn, { sql: `${explain} ${sql}` });
      return { rows: estimateFromExplain(rows), exact: false };
    });
  }

  async countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null> {
    this.#refuseFileWrites(sql);
    try {
      return await this.#inReadOnlyTransaction(this.#src.metaPool(), database, { timeoutMs: budgetMs }, async ({ conn }) => {
        const rows = await query<(string | null)[]>(conn, { sql: countSql(sql), rowsAsArray: true, typeCast: rawTypeCast });
        return { rows: Number(integerCell(String(rows[0]?.[0]))), exact: true };
      });
    } catch (err) {
      // Our timer or the server's statement limit (1969 / 3024): the budget ran out, the count is killed.
      if (err instanceof TargetDbError && err.kind === 'timeout') return null;
      throw err;
    }
  }

  #refuseFileWrites(sql: string): void {
    if (!writesServerFile(sql)) return;
    throw new TargetDbError(this.#src.engine, {
      code: 'INTO_OUTFILE',
      kind: 'permission',
      message: 'SELECT … INTO OUTFILE/DUMPFILE writes a file on the database server, which a read-only query may not do',
    });
  }

  /**
   * One read-only transaction on a connection of `pool`, in `database`, under the deadline and
   * signal of `options`. Success or an SQL error: ROLLBACK, default time limit, release. Deadline,
   * abort or `discard()`: kill the server thread and destroy the connection.
   */
  #inReadOnlyTransaction<T>(pool: mysql.Pool, database: string, options: Options, body: (held: Held) => Promise<T>): Promise<T> {
    const { engine, password } = this.#src;
    let conn: mysql.PoolConnection | undefined;
    let done = false;
    const onDestroy: (() => void)[] = [];
    const release = (destroy: boolean) => {
      if (!conn || done) return;
      done = true;
      if (destroy) {
        killThread(this.#src.login, core(conn).threadId);
        conn.destroy();
        for (const fn of onDestroy) fn();
      } else {
        core(conn).removeListener('error', ignore);
        conn.release();
      }
    };
    const work = async (stop: SessionStop): Promise<T> => {
      let limit: { set: string; reset: string };
      try {
        limit = timeLimit(await this.#src.isMariaDb(), options.timeoutMs);
        conn = await pool.getConnection();
      } catch (err) {
        throw toMysqlError(engine, err, password);
      }
      // A fatal connection error with no listener would crash the process.
      core(conn).on('error', ignore);
      if (stop.stopped) {
        release(true);
        throw stop.reason;
      }
      const c = conn;
      let discarded = false;
      const discard = () => {
        discarded = true;
        release(true);
      };
      const endTransaction = async () => {
        if (discarded) return;
        try {
          await c.query('ROLLBACK');
          await c.query(limit.reset);
          release(false);
        } catch {
          release(true);
        }
      };
      let result: T;
      try {
        await c.query(`USE ${mysql.escapeId(database)}`);
        await c.query(limit.set);
        await c.query('START TRANSACTION READ ONLY');
        result = await body({ conn: core(c), stop, discard, onDestroy: (fn) => onDestroy.push(fn) });
      } catch (err) {
        if (stop.stopped) throw stop.reason;
        await endTransaction();
        throw sessionError(err, (e) => toMysqlError(engine, e, password));
      }
      await endTransaction();
      return result;
    };
    return runWithDeadline(engine, options.timeoutMs, options.signal, work, () => release(true));
  }
}

/** A query on a core connection, as a promise (the promise wrapper would not take a core connection). */
function query<R>(conn: CoreConnection, options: { sql: string; rowsAsArray?: boolean; typeCast?: typeof rawTypeCast }): Promise<R[]> {
  return new Promise((resolve, reject) => {
    conn.query(options, (err: unknown, rows: unknown) => (err ? reject(err) : resolve(rows as R[])));
  });
}

/**
 * Planner rows of the top-level select (the id of EXPLAIN's first row): the product of
 * rows × filtered / 100 over its tables (a join multiplies). A row without `rows` is a select
 * without tables (`select 1`, `Select tables optimized away`: one row) or one the optimizer
 * proved empty (`Impossible WHERE`, `no matching row`: zero).
 */
export function estimateFromExplain(rows: readonly Record<string, unknown>[]): number {
  const top = rows[0]?.id;
  let product = 1;
  for (const r of rows) {
    if (r.id !== top) continue;
    if (r.rows === null || r.rows === undefined) {
      if (/impossible|no matching/i.test(String(r.Extra ?? ''))) return 0;
      continue;
    }
    const filtered = r.filtered === null || r.filtered === undefined ? 100 : Number(r.filtered);
    product *= (Number(r.rows) * filtered) / 100;
  }
  // Rounded, but a plan that expects any row at all estimates at least one.
  return product > 0 ? Math.max(1, Math.round(product)) : 0;
}
