import pg from 'pg';
import { NETWORK_ERROR_CODES, redactSecret, TargetDbError, type TargetErrorKind } from '../connector.js';

/** SQLSTATEs we classify (PostgreSQL Appendix A). Everything else from the server is `sql`. */
export const PG_SQLSTATE = {
  invalidAuthorization: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  insufficientPrivilege: '42501',
  /** A write inside a read-only transaction (the readers' sessions, a hot standby). */
  readOnlySqlTransaction: '25006',
  queryCanceled: '57014',
  lockNotAvailable: '55P03',
  tooManyConnections: '53300',
  cannotConnectNow: '57P03',
  adminShutdown: '57P01',
} as const;

/** SQLSTATE classes: 08 connection exception, 28 invalid authorization. */
const CONNECTION_CLASS = '08';

const KIND_BY_SQLSTATE: ReadonlyMap<string, TargetErrorKind> = new Map([
  [PG_SQLSTATE.invalidAuthorization, 'auth'],
  [PG_SQLSTATE.invalidPassword, 'auth'],
  [PG_SQLSTATE.invalidCatalogName, 'not_found'],
  [PG_SQLSTATE.insufficientPrivilege, 'permission'],
  // `permission`, not `sql`: the statement is valid, the session is just not allowed to write.
  [PG_SQLSTATE.readOnlySqlTransaction, 'permission'],
  [PG_SQLSTATE.queryCanceled, 'timeout'],
  [PG_SQLSTATE.lockNotAvailable, 'timeout'],
  [PG_SQLSTATE.tooManyConnections, 'connection'],
  [PG_SQLSTATE.cannotConnectNow, 'connection'],
  [PG_SQLSTATE.adminShutdown, 'connection'],
]);

/**
 * node-postgres raises some client-side errors without a code; these are its exact messages
 * (pg/lib/client.js, pg-pool/index.js). Matching them here, at the driver boundary, is the only way
 * to give them a code.
 */
const CLIENT_ERRORS: ReadonlyArray<{ message: string; code: string; kind: TargetErrorKind }> = [
  { message: 'Query read timeout', code: 'QUERY_TIMEOUT', kind: 'timeout' },
  { message: 'Connection terminated due to connection timeout', code: 'CONNECT_TIMEOUT', kind: 'connection' },
  { message: 'timeout exceeded when trying to connect', code: 'CONNECT_TIMEOUT', kind: 'connection' },
  { message: 'timeout expired', code: 'CONNECT_TIMEOUT', kind: 'connection' },
  { message: 'Connection terminated unexpectedly', code: 'CONNECTION_LOST', kind: 'connection' },
];

/** The fields of a pg DatabaseError (or a Node socket error). */
interface PgDriverError {
  message?: unknown;
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  position?: unknown;
}

/** Any error thrown by node-postgres → TargetDbError keeping SQLSTATE, detail, hint and position. */
export function toPostgresError(err: unknown, password: string): TargetDbError {
  if (err instanceof TargetDbError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as PgDriverError;
  const message = String(e.message ?? err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const isSqlState = err instanceof pg.DatabaseError && code !== undefined;
  const client = code === undefined ? CLIENT_ERRORS.find((c) => c.message === message) : undefined;
  let kind: TargetErrorKind;
  if (isSqlState) kind = KIND_BY_SQLSTATE.get(code) ?? (code.startsWith(CONNECTION_CLASS) ? 'connection' : 'sql');
  else if (code !== undefined) kind = NETWORK_ERROR_CODES.has(code) ? 'connection' : 'sql';
  else kind = client?.kind ?? 'connection';
  return new TargetDbError('postgresql', {
    code: code ?? client?.code ?? 'DRIVER_ERROR',
    kind,
    message: redactSecret(message, password),
    sqlState: isSqlState ? code : undefined,
    detail: typeof e.detail === 'string' ? redactSecret(e.detail, password) : undefined,
    hint: typeof e.hint === 'string' ? e.hint : undefined,
    position: typeof e.position === 'string' && e.position !== '' ? Number(e.position) : undefined,
    cause: err,
  });
}
