import { NETWORK_ERROR_CODES, redactSecret, TargetDbError, type Engine, type TargetErrorKind } from '../connector.js';

/** Server error names (mysql2 `code`) we classify; errno in the comment. Everything else is `sql`. */
export const MYSQL_ERRORS = {
  /** 1045: wrong user or password. */
  accessDenied: 'ER_ACCESS_DENIED_ERROR',
  /** 1698: user exists but may not log in this way (e.g. unix_socket plugin over TCP). */
  accessDeniedNoPassword: 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  /** 1044: logged in, but no rights on the database named at login. */
  dbAccessDenied: 'ER_DBACCESS_DENIED_ERROR',
  /** 1049: unknown database. */
  badDb: 'ER_BAD_DB_ERROR',
  /** 1142 / 1143 / 1227: missing table, column or global privilege. */
  tableAccessDenied: 'ER_TABLEACCESS_DENIED_ERROR',
  columnAccessDenied: 'ER_COLUMNACCESS_DENIED_ERROR',
  specificAccessDenied: 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  /** 1040: too many connections. */
  tooManyConnections: 'ER_CON_COUNT_ERROR',
  /** 1969 (MariaDB max_statement_time) / 3024 (MySQL max_execution_time). */
  mariaDbStatementTimeout: 'ER_STATEMENT_TIMEOUT',
  mysqlQueryTimeout: 'ER_QUERY_TIMEOUT',
  /** 1792: a write inside a READ ONLY transaction (the readers' sessions). */
  readOnlyTransaction: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
  /** 1205: lock wait timeout. */
  lockWaitTimeout: 'ER_LOCK_WAIT_TIMEOUT',
  /** mysql2 client side: the `timeout` of a query expired. */
  clientQueryTimeout: 'PROTOCOL_SEQUENCE_TIMEOUT',
  /** mysql2 client side: the server closed the connection. */
  connectionLost: 'PROTOCOL_CONNECTION_LOST',
} as const;

const KIND_BY_CODE: ReadonlyMap<string, TargetErrorKind> = new Map([
  [MYSQL_ERRORS.accessDenied, 'auth'],
  [MYSQL_ERRORS.accessDeniedNoPassword, 'auth'],
  [MYSQL_ERRORS.dbAccessDenied, 'permission'],
  [MYSQL_ERRORS.badDb, 'not_found'],
  [MYSQL_ERRORS.tableAccessDenied, 'permission'],
  [MYSQL_ERRORS.columnAccessDenied, 'permission'],
  [MYSQL_ERRORS.specificAccessDenied, 'permission'],
  [MYSQL_ERRORS.tooManyConnections, 'connection'],
  [MYSQL_ERRORS.mariaDbStatementTimeout, 'timeout'],
  [MYSQL_ERRORS.mysqlQueryTimeout, 'timeout'],
  [MYSQL_ERRORS.lockWaitTimeout, 'timeout'],
  // `permission`, not `sql`: the statement is valid, the session is just not allowed to write.
  [MYSQL_ERRORS.readOnlyTransaction, 'permission'],
  [MYSQL_ERRORS.clientQueryTimeout, 'timeout'],
  [MYSQL_ERRORS.connectionLost, 'connection'],
]);

/**
 * Names for server errors that mysql2 (3.x) leaves without a `code`, by errno: MariaDB-only numbers
 * are not in its list (MariaDB 10.11 answers max_statement_time with errno 1969 and no name).
 */
const NAME_BY_ERRNO: ReadonlyMap<number, string> = new Map([
  [1969, MYSQL_ERRORS.mariaDbStatementTimeout],
  [3024, MYSQL_ERRORS.mysqlQueryTimeout],
  [1792, MYSQL_ERRORS.readOnlyTransaction],
]);

/** The fields of a mysql2 error (a plain Error with these properties added). */
interface MysqlDriverError {
  message?: unknown;
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
}

/** Any error thrown by mysql2 → TargetDbError keeping errno, name and SQLSTATE. */
export function toMysqlError(engine: Engine, err: unknown, password: string): TargetDbError {
  if (err instanceof TargetDbError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as MysqlDriverError;
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  const code = typeof e.code === 'string' ? e.code : ((errno !== undefined ? NAME_BY_ERRNO.get(errno) : undefined) ?? 'UNKNOWN');
  const message = typeof e.sqlMessage === 'string' ? e.sqlMessage : String(e.message ?? err);
  return new TargetDbError(engine, {
    code,
    kind: KIND_BY_CODE.get(code) ?? (NETWORK_ERROR_CODES.has(code) ? 'connection' : 'sql'),
    message: redactSecret(message, password),
    sqlState: typeof e.sqlState === 'string' ? e.sqlState : undefined,
    errno: typeof e.errno === 'number' && e.errno > 0 ? e.errno : undefined,
    cause: err,
  });
}
