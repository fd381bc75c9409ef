import { TargetDbError, type TargetErrorKind } from '../connector.js';

/** Connector-level code: the file of a SQLite instance lies outside the allowed folder. */
export const PATH_NOT_ALLOWED = 'PATH_NOT_ALLOWED';

/** Primary result codes we classify (extended codes such as SQLITE_BUSY_SNAPSHOT fold into these). */
const KIND_BY_PRIMARY_CODE: ReadonlyMap<string, TargetErrorKind> = new Map([
  ['SQLITE_BUSY', 'timeout'],
  ['SQLITE_LOCKED', 'timeout'],
  ['SQLITE_READONLY', 'permission'],
  ['SQLITE_PERM', 'permission'],
  ['SQLITE_AUTH', 'permission'],
  ['SQLITE_CANTOPEN', 'connection'],
  ['SQLITE_NOTADB', 'connection'],
  ['SQLITE_CORRUPT', 'connection'],
]);

/** Any error thrown by better-sqlite3 (SqliteError with `code`) → TargetDbError. */
export function toSqliteError(err: unknown): TargetDbError {
  if (err instanceof TargetDbError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as { message?: unknown; code?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'SQLITE_ERROR';
  const primary = code.split('_').slice(0, 2).join('_');
  return new TargetDbError('sqlite', {
    code,
    kind: KIND_BY_PRIMARY_CODE.get(primary) ?? 'sql',
    message: String(e.message ?? err),
    cause: err,
  });
}

/** `database` other than `main`: the name SQLite itself gives an unknown schema. */
export function unknownSqliteDatabase(database: string): TargetDbError {
  return new TargetDbError('sqlite', { code: 'SQLITE_ERROR', kind: 'not_found', message: `unknown database ${database}` });
}
