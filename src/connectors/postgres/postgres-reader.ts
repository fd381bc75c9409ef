/**
 * Read-only access to a PostgreSQL database: streamed queries (pg-cursor), COPY to CSV
 * (pg-copy-streams), EXPLAIN estimates and bounded counts. Every call runs in its own
 * `BEGIN TRANSACTION READ ONLY` on a dedicated client, so the server refuses any write (SQLSTATE
 * 25006, which the normalizer classifies as `permission`), and ends with ROLLBACK.
 *
 * User SQL only ever travels through the extended protocol (a cursor: Parse/Bind/Execute), which
 * takes exactly one statement: `select 1; commit; delete …` is refused by the server instead of
 * ending the read-only transaction. COPY is the exception (pg-copy-streams sends a simple query),
 * which is why copyCsv first describes the same text through a cursor.
 */
import type { Readable } from 'node:stream';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { to as copyTo } from 'pg-copy-streams';
import { integerCell } from '../cells.js';
import { bareStatement, batchRowsOf, countSql, MAX_TIMEOUT_MS, runConsumer, runWithDeadline, sessionError, type SessionStop } from '../read-session.js';
import type { Cell, QueryStream, ReadOnlyQueryOptions, ResultColumn, RowEstimate } from '../result-set.js';
import { toPostgresError } from './postgres-errors.js';
import { cancelBackend, PG_FORMAT_SETTINGS, PgResultColumns, pgRowsToCells, readBatch, type PgBatch } from './postgres-session.js';
import { RAW_TEXT_TYPES } from './postgres-types.js';

export interface PostgresReaderSource {
  /** Dedicated connections for long reads: no client-side query timeout (our deadline rules). */
  readerPool(database: string): pg.Pool;
  /** The connector's metadata pool: EXPLAIN, counts, type names (short statements). */
  metaPool(database: string): pg.Pool;
  /** Where cancel requests go (the server of the pools). */
  host: string;
  port: number;
  password: string;
  /** Limit of an EXPLAIN (the instance's query timeout). */
  queryTimeoutMs: number;
}

/**
 * The session settings of every read: the transaction is read-only; statement_timeout is the
 * server-side half of the deadline (with the extended protocol it runs from Parse to Sync, i.e. the
 * whole life of the cursor, consumer pauses included); PG_FORMAT_SETTINGS pin the text of the values.
 */
function beginSql(timeoutMs: number): string {
  return [
    'BEGIN TRANSACTION READ ONLY',
    `SET LOCAL statement_timeout = ${Math.min(Math.max(1, Math.ceil(timeoutMs)), MAX_TIMEOUT_MS)}`,
    ...PG_FORMAT_SETTINGS.map((setting) => `SET LOCAL ${setting}`),
  ].join('; ');
}

/** A client held for one read; `discard` throws it away (cancelling what it runs) instead of releasing it. */
interface Held {
  client: pg.PoolClient;
  stop: SessionStop;
  discard(): void;
}

const ignore = () => {};

export class PostgresReader {
  readonly #src: PostgresReaderSource;
  readonly #columnsOf: PgResultColumns;

  constructor(source: PostgresReaderSource) {
    this.#src = source;
    // On the metadata pool: this reader's client is busy with the open cursor.
    this.#columnsOf = new PgResultColumns((database) => source.metaPool(database));
  }

  async readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T> {
    const batchRows = batchRowsOf(options);
    return this.#inReadOnlyTransaction(this.#src.readerPool(database), options, async ({ client, stop }) => {
      const cursor = client.query(new Cursor<(string | null)[]>(sql, [], { rowMode: 'array', types: RAW_TEXT_TYPES }));
      let open = true;
      try {
        const first = await readBatch(cursor, batchRows);
        const columns = await this.#columnsOf.of(database, first.fields);
        const toCells = pgRowsToCells(first.fields);
        const password = this.#src.password;
        // The next batch is asked for before this one is handed on: the server produces it (and pg
        // parses it, whenever the consumer awaits) while the consumer works on this one, instead of
        // each waiting for the other (XLSX of 1M rows: ~0.3 s less). At most two batches are held.
        // A read still pending when the consumer stops is settled by the cursor's close.
        async function* batches(): AsyncGenerator<Cell[][]> {
          let rows = first.rows;
          for (;;) {
            if (rows.length < batchRows) {
              if (rows.length > 0) yield toCells(rows);
              return;
            }
            const next = readBatch(cursor, batchRows);
            next.catch(ignore); // (seen below, or dropped with the stopped read)
            yield toCells(rows);
            if (!open) throw new Error('readOnlyQuery: batches were pulled after consume settled');
            if (stop.stopped) throw stop.reason;
            try {
              rows = (await next).rows;
            } catch (err) {
              throw stop.stopped ? stop.reason : toPostgresError(err, password);
            }
          }
        }
        return await runConsumer(() => consume({ columns, batches: batches() }));
      } finally {
        open = false;
        // Closing the portal (and Sync) leaves the client idle inside the transaction; ROLLBACK follows.
        if (!stop.stopped) await cursor.close();
      }
    });
  }

  copyCsv<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (csv: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T> {
    return this.#copy(database, sql, '(FORMAT csv, HEADER true)', options, consume);
  }

  /** COPY's text format (no header): what the XLSX fast path reads. */
  copyText<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (text: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T> {
    return this.#copy(database, sql, '', options, consume);
  }

  async #copy<T>(database: string, sql: string, format: string, options: ReadOnlyQueryOptions, consume: (csv: Readable, columns: readonly ResultColumn[]) => Promise<T>): Promise<T> {
    return this.#inReadOnlyTransaction(this.#src.readerPool(database), options, async ({ client, stop, discard }) => {
      // The describe step: the columns, and (through the extended protocol) proof that the text is
      // one query, before it is pasted into a COPY sent as a simple query.
      const probe = await queryAll(client, `select * from (\n${bareStatement(sql)}\n) t limit 0`);
      const columns = await this.#columnsOf.of(database, probe.fields);
      const copy = client.query(copyTo(`COPY (\n${bareStatement(sql)}\n) TO STDOUT ${format}`));
      // The consumer reads COPY's own stream (no PassThrough: a stream hop per piece, ~17,000 per
      // million rows); when it fails with the stream's error, that error is normalized here.
      let ended = false;
      let copyError: unknown;
      copy.on('end', () => (ended = true));
      copy.on('error', (err) => (copyError ??= err));
      const normalized = (err: unknown): unknown => (err !== copyError ? err : stop.stopped ? stop.reason : toPostgresError(err, this.#src.password));
      try {
        return await runConsumer(() =>
          consume(copy, columns).catch((err: unknown) => {
            throw normalized(err);
          }),
        );
      } finally {
        // A COPY that was not read to its end still owns the connection: cancel it and throw the client away.
        if (!ended && !stop.stopped) {
          copy.destroy();
          discard();
        }
      }
    });
  }

  async explainRows(database: string, sql: string): Promise<RowEstimate | null> {
    const options = { timeoutMs: this.#src.queryTimeoutMs };
    return this.#inReadOnlyTransaction(this.#src.metaPool(database), options, async ({ client }) => {
      const { rows } = await queryAll(client, `EXPLAIN (FORMAT JSON) ${bareStatement(sql)}`);
      const plan = JSON.parse(String(rows[0]?.[0])) as [{ Plan: { 'Plan Rows': number } }];
      return { rows: Math.round(plan[0].Plan['Plan Rows']), exact: false };
    });
  }

  async countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null> {
    try {
      return await this.#inReadOnlyTransaction(this.#src.metaPool(database), { timeoutMs: budgetMs }, async ({ client }) => {
        const { rows } = await queryAll(client, countSql(sql));
        return { rows: Number(integerCell(String(rows[0]?.[0]))), exact: true };
      });
    } catch (err) {
      // Our timer or the server's statement_timeout (57014): the budget ran out, the count is cancelled.
      if (err instanceof Error && 'kind' in err && err.kind === 'timeout') return null;
      throw err;
    }
  }

  /**
   * One read-only transaction on a client of `pool`, under the deadline and signal of `options`.
   * Success or an SQL error: ROLLBACK and release. Deadline, abort, or `discard()`: cancel the
   * running statement server-side and destroy the client (a client cannot be trusted mid-protocol).
   */
  #inReadOnlyTransaction<T>(pool: pg.Pool, options: Pick<ReadOnlyQueryOptions, 'timeoutMs' | 'signal'>, body: (held: Held) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    let done = false;
    const release = (destroy: boolean) => {
      if (!client || done) return;
      done = true;
      if (destroy) {
        cancelBackend(this.#src.host, this.#src.port, client);
        client.release(new Error('discarded by the reader'));
      } else {
        client.removeListener('error', ignore);
        client.release();
      }
    };
    const password = this.#src.password;
    const work = async (stop: SessionStop): Promise<T> => {
      try {
        client = await pool.connect();
      } catch (err) {
        throw toPostgresError(err, password);
      }
      // A checked-out client has no pool listener: a connection error with no listener would crash the process.
      client.on('error', ignore);
      if (stop.stopped) {
        release(true);
        throw stop.reason;
      }
      const c = client;
      let discarded = false;
      const discard = () => {
        discarded = true;
        release(true);
      };
      // ROLLBACK of a healthy client, which then goes back to the pool; a client that fails it is destroyed.
      const endTransaction = () => (discarded ? Promise.resolve() : c.query('ROLLBACK').then(() => release(false), () => release(true)));
      let result: T;
      try {
        await c.query(beginSql(options.timeoutMs));
        result = await body({ client: c, stop, discard });
      } catch (err) {
        if (stop.stopped) throw stop.reason;
        await endTransaction();
        throw sessionError(err, (e) => toPostgresError(e, password));
      }
      await endTransaction();
      return result;
    };
    return runWithDeadline('postgresql', options.timeoutMs, options.signal, work, () => release(true));
  }
}

/** A short statement through a cursor (extended protocol: one statement only); its first rows are enough here. */
async function queryAll(client: pg.PoolClient, sql: string): Promise<PgBatch> {
  const cursor = client.query(new Cursor<(string | null)[]>(sql, [], { rowMode: 'array', types: RAW_TEXT_TYPES }));
  try {
    return await readBatch(cursor, 100);
  } finally {
    await cursor.close();
  }
}
