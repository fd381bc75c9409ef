/**
 * Whether an error means the metadata store cannot be reached right now (down, restarting, out of
 * connections, network gone), as opposed to a bug or a refused statement. The protocol layer
 * answers such failures with the gateway's `ServiceUnavailable` (HTTP 503) instead of
 * `InternalError`. A target database's errors are not the store's: they are `TargetDbError`s
 * (src/connectors/, recognized by name: storage does not import connectors), usually already
 * turned into business errors (`AppError`, modules/instances/connections.ts).
 */
import { AppError } from '../errors.js';

/** Socket errors of a lost or refused connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin shutdown, crash
 * shutdown, cannot connect now: starting up or in recovery), 53300 (too many connections).
 */
const PG_STATES = /^(08...|57P0[123]|53300)$/;

/** What node-postgres and its pool say when the server went away without an error packet. */
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)/;

export function isStoreUnavailable(e: unknown, depth = 0): boolean {
  // A business error is the domain's answer (e.g. ConnectionFailed for a target database), whatever its cause.
  if (typeof e !== 'object' || e === null || depth > 4 || e instanceof AppError || (e as Error).name === 'TargetDbError') return false;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof err.code === 'string' && (NETWORK_CODES.has(err.code) || PG_STATES.test(err.code))) return true;
  if (typeof err.message === 'string' && PG_MESSAGES.test(err.message)) return true;
  // Node's connection attempts to several addresses fail with an AggregateError.
  if (Array.isArray(err.errors) && err.errors.length > 0 && err.errors.every((x) => isStoreUnavailable(x, depth + 1))) return true;
  return err.cause !== undefined && isStoreUnavailable(err.cause, depth + 1);
}

/**
 * For the processes of `opendms serve` and `opendms worker`: pg-boss 10 records job outcomes
 * without handling their failure (src/jobs/pgboss-runner.ts waits for the store first, which
 * leaves a small window), so a store outage at that moment is an unhandled rejection, which would
 * end the process. Those (and only those: a store that cannot be reached) are logged; any other
 * unhandled rejection still ends the process, as Node does by default.
 */
export function surviveStoreOutages(log: (error: unknown) => void): void {
  process.on('unhandledRejection', (reason) => {
    if (!isStoreUnavailable(reason)) throw reason;
    log(reason);
  });
}
