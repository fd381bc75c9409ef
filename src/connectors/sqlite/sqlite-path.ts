import fs from 'node:fs';
import path from 'node:path';
import { TargetDbError } from '../connector.js';
import { PATH_NOT_ALLOWED } from './sqlite-errors.js';

/**
 * The real path of a SQLite instance's file, which must lie inside `allowedDir` (a SQLite "host"
 * is a file path, and letting API callers open any file would expose the server's disk).
 *
 * Checked twice: first on the path as written, without touching the disk, so a refused path does not
 * reveal whether a file exists there; then after resolving symbolic links, so a link inside the
 * folder cannot point outside it. Relative paths are relative to `allowedDir`.
 */
export function resolveSqlitePath(host: string, allowedDir: string): string {
  const dir = path.resolve(allowedDir);
  const wanted = path.resolve(dir, host);
  if (!isInside(dir, wanted)) throw notAllowed(host, dir);
  let real: string;
  try {
    real = fs.realpathSync(wanted);
  } catch (err) {
    const message = `SQLite database file ${JSON.stringify(host)} does not exist`;
    throw new TargetDbError('sqlite', { code: 'SQLITE_CANTOPEN', kind: 'not_found', message, cause: err });
  }
  if (!isInside(fs.realpathSync(dir), real)) throw notAllowed(host, dir);
  return real;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function notAllowed(host: string, dir: string): TargetDbError {
  const message = `SQLite database file ${JSON.stringify(host)} is outside the folder allowed for SQLite instances (${dir})`;
  return new TargetDbError('sqlite', { code: PATH_NOT_ALLOWED, kind: 'config', message });
}
