/**
 * Write sessions on a SQLite file (write-session.ts, write-runner.ts): a read-write connection of
 * its own per session (the file must exist, inside the allowed folder: resolveSqlitePath), closed
 * at the end; a transaction left open is rolled back first. `begin()` is BEGIN IMMEDIATE: the
 * write lock is taken at once, waiting at most the connector's busy timeout (then SQLITE_BUSY,
 * kind `timeout`).
 *
 * better-sqlite3 is synchronous: a statement blocks the event loop while it runs, and neither the
 * statement deadline nor an abort can interrupt it (SQLite has no time limit of its own either).
 * They act between steps: between statements and while query() waits for onBatch, where they close
 * the connection (which rolls back what it had open).
 *
 * affectedRows: sqlite3_changes() of an INSERT/UPDATE/DELETE (rows matched and written, triggers'
 * rows not counted); 0 for other statements (changes() keeps the last DML's count across DDL, so it
 * is only taken when total_changes() moved); a statement returning rows counts the rows returned.
 */
import Database from 'better-sqlite3';
import { runConsumer, sessionError } from '../read-session.js';
import type { Cell } from '../result-set.js';
import type { OnBatch, WriteConnection } from '../write-runner.js';
import type { ExecuteResult } from '../write-session.js';
import { toSqliteError, unknownSqliteDatabase } from './sqlite-errors.js';
import { SQLITE_MAIN } from './sqlite-introspector.js';
import { sqliteColumns, sqliteRowsToCells } from './sqlite-types.js';

export interface SqliteWriterSource {
  /** The checked, real path of the instance's file (throws TargetDbError config / not_found). */
  resolvePath(): string;
  busyTimeoutMs: number;
}

/** RETURNING came with SQLite 3.35.0. */
const RETURNING_SINCE = [3, 35];

export function openSqliteWriter(source: SqliteWriterSource, database: string): WriteConnection {
  if (database !== SQLITE_MAIN) throw unknownSqliteDatabase(database);
  let db: Database.Database | undefined;
  try {
    db = new Database(source.resolvePath(), { fileMustExist: true, timeout: source.busyTimeoutMs });
    return new SqliteWriteConnection(db);
  } catch (err) {
    db?.close();
    throw toSqliteError(err);
  }
}

class SqliteWriteConnection implements WriteConnection {
  readonly insertReturning: boolean;
  readonly #db: Database.Database;
  readonly #totalChanges: Database.Statement<[], bigint>;
  /** The rows query() is iterating, ended before the connection closes. */
  #rows: IterableIterator<unknown[]> | undefined;
  #closed = false;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#totalChanges = db.prepare<[], bigint>('select total_changes()').pluck().safeIntegers(true);
    const version = String(db.prepare('select sqlite_version()').pluck().get());
    const [major = 0, minor = 0] = version.split('.').map(Number);
    this.insertReturning = major > RETURNING_SINCE[0]! || (major === RETURNING_SINCE[0] && minor >= RETURNING_SINCE[1]!);
  }

  async execute(sql: string, params: readonly Cell[]): Promise<ExecuteResult> {
    try {
      const stmt = this.#db.prepare(sql);
      const args = params.map(bindValue);
      if (stmt.reader) {
        const raw = stmt.raw(true).safeIntegers(true).all(...args) as unknown[][];
        const columns = sqliteColumns(stmt.columns(), raw);
        return { affectedRows: raw.length, rows: sqliteRowsToCells(columns)(raw), columns };
      }
      const before = this.#totalChanges.get();
      const { changes } = stmt.run(...args);
      return { affectedRows: this.#totalChanges.get() === before ? 0 : changes, rows: [], columns: [] };
    } catch (err) {
      throw toSqliteError(err);
    }
  }

  async query(sql: string, params: readonly Cell[], onBatch: OnBatch, batchRows: number): Promise<void> {
    try {
      const stmt = this.#db.prepare(sql).raw(true).safeIntegers(true);
      const rows = stmt.iterate(...params.map(bindValue)) as IterableIterator<unknown[]>;
      this.#rows = rows;
      let columns: ReturnType<typeof sqliteColumns> | undefined;
      let toCells: ((rows: unknown[][]) => Cell[][]) | undefined;
      for (;;) {
        if (this.#closed) return; // closed by the deadline or an abort while onBatch ran
        const batch: unknown[][] = [];
        let done = false;
        while (batch.length < batchRows) {
          const next = rows.next();
          if (next.done) {
            done = true;
            break;
          }
          batch.push(next.value);
        }
        const first = columns === undefined;
        columns ??= sqliteColumns(stmt.columns(), batch);
        toCells ??= sqliteRowsToCells(columns);
        if (batch.length > 0 || first) {
          const cells = toCells(batch);
          const cols = columns;
          await runConsumer(() => onBatch(cells, cols));
        }
        if (done) return;
      }
    } catch (err) {
      throw sessionError(err, toSqliteError);
    } finally {
      this.#endRows();
    }
  }

  begin(): Promise<void> {
    return this.#exec('BEGIN IMMEDIATE');
  }

  commit(): Promise<void> {
    return this.#exec('COMMIT');
  }

  rollback(): Promise<void> {
    return this.#exec('ROLLBACK');
  }

  /** Nothing stops a SQLite statement from outside. */
  interrupted(): boolean {
    return false;
  }

  destroy(): void {
    this.#close();
  }

  async finish(): Promise<void> {
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } finally {
      this.#close();
    }
  }

  async #exec(sql: string): Promise<void> {
    try {
      this.#db.exec(sql);
    } catch (err) {
      throw toSqliteError(err);
    }
  }

  #endRows(): void {
    const rows = this.#rows;
    this.#rows = undefined;
    try {
      rows?.return?.();
    } catch {
      // Already ended.
    }
  }

  /** Closing a connection rolls back the transaction it had open. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endRows();
    try {
      this.#db.close();
    } catch {
      // Already closed.
    }
  }
}

/** better-sqlite3 binds numbers, bigints, strings, Buffers and null: booleans as 1/0, bytes as a Buffer. */
function bindValue(cell: Cell): unknown {
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (cell instanceof Uint8Array && !Buffer.isBuffer(cell)) return Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength);
  return cell;
}
