/**
 * Rules shared by the read-only sessions of every engine (the `*-reader.ts` files): the
 * whole-query deadline and the abort signal, the batch size, and the SQL a count wraps around a
 * query.
 */
import { TargetDbError, type Engine } from './connector.js';
import type { ReadOnlyQueryOptions } from './result-set.js';

export const DEFAULT_BATCH_ROWS = 1_000;

/** setTimeout's (and PostgreSQL statement_timeout's) largest delay, 2^31 − 1 ms (24.8 days); longer limits are clamped to it. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Code of the timeout raised by our own timer (the server's own limit keeps its engine code). */
export const CLIENT_TIMEOUT_CODE = 'QUERY_TIMEOUT';

/** The state a running session checks between steps: once stopped, every later step throws `reason`. */
export interface SessionStop {
  readonly stopped: boolean;
  readonly reason: unknown;
}

export function batchRowsOf(options: Pick<ReadOnlyQueryOptions, 'batchRows'>): number {
  const n = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`batchRows must be a positive integer, got ${n}`);
  return n;
}

export function queryTimeoutError(engine: Engine, timeoutMs: number): TargetDbError {
  return new TargetDbError(engine, { code: CLIENT_TIMEOUT_CODE, kind: 'timeout', message: `The query ran longer than its ${timeoutMs} ms limit and was stopped` });
}

/**
 * Runs `work` until it settles, the deadline passes, or the signal aborts, whichever comes first.
 * On deadline or abort the returned promise rejects at once (with a `timeout` TargetDbError, or the
 * signal's reason) and `interrupt` is called, which must stop the server-side work and close the
 * connection without waiting for it; `work` sees `stop.stopped` and its own pending steps fail,
 * and whatever it settles with afterwards is ignored.
 *
 * The deadline is our own timer, not only the server's limit: it also covers connecting, a
 * consumer that stops pulling, and a server that stops answering.
 */
export function runWithDeadline<T>(
  engine: Engine,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: (stop: SessionStop) => Promise<T>,
  interrupt: (reason: unknown) => void,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const stop = { stopped: false, reason: undefined as unknown };
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const halt = (reason: unknown) => {
      if (settled) return;
      finish();
      stop.stopped = true;
      stop.reason = reason;
      try {
        interrupt(reason);
      } catch {
        // Best effort: the connection is being thrown away anyway.
      }
      reject(reason);
    };
    const onAbort = () => halt(signal?.reason);
    const timer = setTimeout(() => halt(queryTimeoutError(engine, timeoutMs)), Math.min(Math.max(timeoutMs, 1), MAX_TIMEOUT_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
    work(stop).then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        finish();
        reject(err);
      },
    );
  });
}

/**
 * The statement without trailing semicolons and blanks, so it can be wrapped (`(<sql>)`); the
 * wrapper puts it on its own lines so that a trailing `-- comment` cannot swallow the closing
 * parenthesis.
 */
export function bareStatement(sql: string): string {
  let end = sql.length;
  while (end > 0 && /[\s;]/.test(sql[end - 1]!)) end--;
  return sql.slice(0, end);
}

/** `select count(*) from (<sql>) t`, shared by every engine's countRows. */
export function countSql(sql: string): string {
  return `select count(*) from (\n${bareStatement(sql)}\n) t`;
}

/**
 * What the caller's `consume` threw, wrapped on its way through a session so that the session's
 * catch-all driver-error normalization leaves it untouched (see `unwrapConsumerError`).
 */
class ConsumerFailure {
  constructor(readonly error: unknown) {}
}

/** Runs the caller's consume; what it throws is marked as the caller's, not the driver's. */
export async function runConsumer<T>(consume: () => Promise<T>): Promise<T> {
  try {
    return await consume();
  } catch (err) {
    throw new ConsumerFailure(err);
  }
}

/** The error a session rejects with: the caller's own error as thrown, a driver error normalized. */
export function sessionError(err: unknown, normalize: (err: unknown) => Error): unknown {
  return err instanceof ConsumerFailure ? err.error : normalize(err);
}
