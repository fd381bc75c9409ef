/**
 * Rules shared by the write sessions of every engine. Each `*-writer.ts` opens a `WriteConnection`
 * (one connection, its statements, how to stop and how to give it back); `runWriteSession` turns it
 * into the `WriteSession` that `work` gets:
 * - one call at a time, in call order; each call is one statement under its own deadline
 *   (options.statementTimeoutMs, runWithDeadline), connecting included;
 * - a statement cut short (deadline, abort, or the server's own time limit or a cancel) closes the
 *   session: the connection is cancelled server-side and destroyed, later calls reject
 *   (abort: with the signal's reason; otherwise TargetDbError code SESSION_CLOSED, with the cause);
 * - an abort while no statement runs closes it the same way;
 * - when `work` settles or throws: calls it left running finish first, then a transaction still
 *   open is rolled back and the connection returned to its pool (destroyed when that fails);
 *   writeSession then settles as `work` did (an abort does not override what work returned: work
 *   knows which of its calls took effect);
 * - while query() waits for onBatch, other calls reject at once (SESSION_BUSY): the connection is
 *   busy with that query's rows, so they could only wait for the query that waits for them.
 */
import { TargetDbError, type Engine } from './connector.js';
import { batchRowsOf, runWithDeadline } from './read-session.js';
import type { Cell, ResultColumn } from './result-set.js';
import type { ExecuteResult, WriteSession, WriteSessionOptions } from './write-session.js';

export type OnBatch = (rows: Cell[][], columns: readonly ResultColumn[]) => Promise<void>;

/** One engine's connection as a write session drives it; what it throws is a TargetDbError (or the caller's own onBatch error, through runConsumer). */
export interface WriteConnection {
  readonly insertReturning: boolean;
  execute(sql: string, params: readonly Cell[]): Promise<ExecuteResult>;
  /** Hands over every batch; at least one call (with no rows for an empty result), so the columns are always known. */
  query(sql: string, params: readonly Cell[], onBatch: OnBatch, batchRows: number): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** The statement failed because the server stopped it (its time limit, a cancel): the session must not go on. */
  interrupted(err: TargetDbError): boolean;
  /** Stops what runs server-side and closes the connection, without waiting. Called once. */
  destroy(): void;
  /** Rolls back what is open, restores the session's defaults and returns the connection to its pool; throws when it cannot. */
  finish(): Promise<void>;
}

export const SESSION_CLOSED = 'SESSION_CLOSED';

/** Opens the connection (under the statement deadline), runs `work` on it, then ends the session. */
export async function runWriteSession<T>(
  engine: Engine,
  options: WriteSessionOptions,
  open: () => Promise<WriteConnection>,
  work: (session: WriteSession) => Promise<T>,
): Promise<T> {
  const conn = await runWithDeadline(
    engine,
    options.statementTimeoutMs,
    options.signal,
    async (stop) => {
      const c = await open();
      // Opened after the deadline or the abort: nobody will use it.
      if (stop.stopped) c.destroy();
      return c;
    },
    () => {},
  );
  const session = new Session(engine, options, conn);
  try {
    return await work(session.api);
  } finally {
    await session.end();
  }
}

class Session {
  readonly api: WriteSession;
  readonly #engine: Engine;
  readonly #options: WriteSessionOptions;
  readonly #conn: WriteConnection;
  /** The calls so far, chained: each starts when the one before settled. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Why later calls reject; undefined while the session is open. */
  #closedBy: { reason: unknown } | undefined;
  #destroyed = false;
  #ended = false;
  /** query() is inside onBatch: the connection is busy with that query's rows. */
  #delivering = 0;
  readonly #onAbort = () => this.#close(this.#options.signal?.reason);

  constructor(engine: Engine, options: WriteSessionOptions, conn: WriteConnection) {
    this.#engine = engine;
    this.#options = options;
    this.#conn = conn;
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (options.signal?.aborted) this.#onAbort();
    this.api = {
      engine,
      insertReturning: conn.insertReturning,
      execute: (sql, params = []) => this.#call(() => conn.execute(sql, params)),
      query: (sql, params, onBatch, batchRows) =>
        this.#call(() => conn.query(sql, params, this.#delivery(onBatch), batchRowsOf({ batchRows })), true),
      begin: () => this.#call(() => conn.begin()),
      commit: () => this.#call(() => conn.commit()),
      rollback: () => this.#call(() => conn.rollback()),
    };
  }

  /** Waits for the calls `work` left running, then gives the connection back (or destroys it). */
  async end(): Promise<void> {
    this.#ended = true;
    await this.#tail;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    if (this.#destroyed) return;
    try {
      await runWithDeadline(this.#engine, this.#options.statementTimeoutMs, undefined, () => this.#conn.finish(), () => this.#destroy());
    } catch {
      this.#destroy();
    }
  }

  #call<T>(step: () => Promise<T>, isQuery = false): Promise<T> {
    if (this.#ended) return Promise.reject(this.#error('SESSION_ENDED', 'The write session has ended: its work already settled'));
    if (this.#delivering > 0) {
      const what = isQuery ? 'A query' : 'A statement';
      return Promise.reject(this.#error('SESSION_BUSY', `${what} cannot run on this write session while query() is handing over rows`));
    }
    const run = (): Promise<T> => {
      if (this.#closedBy) return Promise.reject(this.#closedBy.reason);
      return runWithDeadline(
        this.#engine,
        this.#options.statementTimeoutMs,
        this.#options.signal,
        async () => {
          try {
            return await step();
          } catch (err) {
            if (err instanceof TargetDbError && this.#conn.interrupted(err)) this.#close(err);
            throw err;
          }
        },
        (reason) => this.#close(reason),
      );
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => {});
    return result;
  }

  #delivery(onBatch: OnBatch): OnBatch {
    return async (rows, columns) => {
      this.#delivering++;
      try {
        await onBatch(rows, columns);
      } finally {
        this.#delivering--;
      }
    };
  }

  /** Closes the session for good: later calls reject with the abort reason, or SESSION_CLOSED caused by `reason`. */
  #close(reason: unknown): void {
    if (!this.#closedBy) {
      const signal = this.#options.signal;
      const aborted = signal?.aborted === true && reason === signal.reason;
      this.#closedBy = { reason: aborted ? reason : this.#closedAfter(reason) };
    }
    this.#destroy();
  }

  #closedAfter(cause: unknown): TargetDbError {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new TargetDbError(this.#engine, { code: SESSION_CLOSED, kind: 'connection', message: `The write session was closed after a statement was interrupted: ${why}`, cause });
  }

  #error(code: string, message: string): TargetDbError {
    return new TargetDbError(this.#engine, { code, kind: 'connection', message });
  }

  #destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    try {
      this.#conn.destroy();
    } catch {
      // Best effort: the connection is being thrown away anyway.
    }
  }
}
