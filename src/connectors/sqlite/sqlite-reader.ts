/**
 * Read-only access to a SQLite file: streamed queries and bounded counts (SQLite's planner gives no
 * row estimate, so explainRows answers null). Each query opens a connection of its own with
 * SQLITE_OPEN_READONLY, so SQLite refuses any write (SQLITE_READONLY, kind `permission`), and a
 * statement that is not a read-only query is refused before it runs: `VACUUM INTO` or `ATTACH`
 * would otherwise create or open other files even on a read-only connection.
 *
 * better-sqlite3 is synchronous: rows are taken in batches, and the reader yields to the event loop
 * (setImmediate) between batches, which is also where the deadline and the abort signal act. One
 * long synchronous step (the first row of a big sort, say) cannot be interrupted.
 */
import Database from 'better-sqlite3';
import { TargetDbError } from '../connector.js';
import { batchRowsOf, runConsumer, runWithDeadline, sessionError } from '../read-session.js';
import type { Cell, QueryStream, ReadOnlyQueryOptions, RowEstimate } from '../result-set.js';
import { countSqliteRows } from './sqlite-count.js';
import { toSqliteError, unknownSqliteDatabase } from './sqlite-errors.js';
import { SQLITE_MAIN } from './sqlite-introspector.js';
import { sqliteColumns, sqliteRowsToCells } from './sqlite-types.js';

export interface SqliteReaderSource {
  /** The checked, real path of the instance's file (throws TargetDbError config / not_found). */
  resolvePath(): string;
  busyTimeoutMs: number;
}

/** Page cache of a read, in KiB (negative: a size, not a page count), SQLite's default. */
const READ_CACHE_KIB = -2000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SqliteReader {
  readonly #src: SqliteReaderSource;

  constructor(source: SqliteReaderSource) {
    this.#src = source;
  }

  async readOnlyQuery<T>(database: string, sql: string, options: ReadOnlyQueryOptions, consume: (stream: QueryStream) => Promise<T>): Promise<T> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    const batchRows = batchRowsOf(options);
    let db: Database.Database | undefined;
    let rows: IterableIterator<unknown[]> | undefined;
    const close = () => {
      try {
        rows?.return?.();
        db?.close();
      } catch {
        // Already closed.
      }
      rows = undefined;
      db = undefined;
    };
    return runWithDeadline(
      'sqlite',
      options.timeoutMs,
      options.signal,
      async (stop) => {
        let open = true;
        let exhausted = false;
        const take = (): unknown[][] => {
          const batch: unknown[][] = [];
          while (batch.length < batchRows) {
            const next = rows!.next();
            if (next.done) {
              exhausted = true;
              break;
            }
            batch.push(next.value);
          }
          return batch;
        };
        try {
          db = new Database(this.#src.resolvePath(), { readonly: true, fileMustExist: true, timeout: this.#src.busyTimeoutMs });
          // SQLite's own default page cache (2 MB), not better-sqlite3's 16 MB: an export reads
          // each page once, and the bigger cache only grew the server's RSS with the rows read
          // (by up to 16 MB per running export; bench/exports.bench.ts).
          db.pragma(`cache_size = ${READ_CACHE_KIB}`);
          const stmt = db.prepare(sql);
          if (!stmt.reader || !stmt.readonly) throw notAQuery(stmt.readonly);
          stmt.raw(true).safeIntegers(true);
          const declared = stmt.columns();
          rows = stmt.iterate() as IterableIterator<unknown[]>;
          const first = take();
          const columns = sqliteColumns(declared, first);
          const toCells = sqliteRowsToCells(columns);
          async function* batches(): AsyncGenerator<Cell[][]> {
            let batch = first;
            for (;;) {
              if (batch.length > 0) yield toCells(batch);
              if (exhausted) return;
              await nextTurn();
              if (stop.stopped) throw stop.reason;
              if (!open) throw new Error('readOnlyQuery: batches were pulled after consume settled');
              try {
                batch = take();
              } catch (err) {
                throw toSqliteError(err);
              }
            }
          }
          return await runConsumer(() => consume({ columns, batches: batches() }));
        } catch (err) {
          throw stop.stopped ? stop.reason : sessionError(err, toSqliteError);
        } finally {
          open = false;
          close();
        }
      },
      // Runs between batches (this thread is the one that iterates): the next pull sees `stopped`.
      close,
    );
  }

  /** SQLite keeps no estimate a planner would give (sqlite_stat1 describes indexes, not queries). */
  async explainRows(database: string, _sql: string): Promise<RowEstimate | null> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    return null;
  }

  async countRows(database: string, sql: string, budgetMs: number): Promise<RowEstimate | null> {
    if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
    return countSqliteRows(this.#src.resolvePath(), sql, budgetMs, this.#src.busyTimeoutMs);
  }
}

/**
 * A statement that writes (`insert`, `delete`, `vacuum into`) fails as SQLite's own read-only
 * refusal would; one that returns no rows (`attach`, `begin`) is no query either.
 */
function notAQuery(readonly: boolean): TargetDbError {
  return readonly
    ? new TargetDbError('sqlite', { code: 'NOT_A_QUERY', kind: 'permission', message: 'Only a query that returns rows can run here' })
    : new TargetDbError('sqlite', { code: 'SQLITE_READONLY', kind: 'permission', message: 'attempt to write a readonly database' });
}
