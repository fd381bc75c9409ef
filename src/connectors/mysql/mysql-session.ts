/**
 * What the reader's and the writer's MySQL/MariaDB sessions share: the session time limit, the
 * kill of a thread cut short, and the callback connection under a promise one.
 */
import type { Connection as CoreConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { MAX_TIMEOUT_MS } from '../read-session.js';

const ignore = () => {};

/**
 * Session statements that bound each statement's run time, and put the default back. The name
 * and unit differ by engine: MariaDB `max_statement_time` in seconds (every statement), MySQL
 * `max_execution_time` in milliseconds (SELECT only).
 */
export function timeLimit(mariaDb: boolean, timeoutMs: number): { set: string; reset: string } {
  const ms = Math.min(Math.max(1, Math.ceil(timeoutMs)), MAX_TIMEOUT_MS);
  return mariaDb
    ? { set: `SET SESSION max_statement_time = ${ms / 1000}`, reset: 'SET SESSION max_statement_time = DEFAULT' }
    : { set: `SET SESSION max_execution_time = ${ms}`, reset: 'SET SESSION max_execution_time = DEFAULT' };
}

/**
 * Ends a server thread from a short-lived connection of its own (the pools may be full): closing
 * our socket alone would leave the thread running a `sleep()` or a long sort. Best effort.
 */
export function killThread(login: mysql.ConnectionOptions, threadId: number | null | undefined): void {
  if (!threadId) return;
  void mysql
    .createConnection(login)
    .then(async (killer) => {
      killer.on('error', ignore);
      try {
        await killer.query(`KILL ${Number(threadId)}`);
      } finally {
        await killer.end();
      }
    })
    .catch(ignore);
}

/**
 * The callback connection under a promise one, which streams (events, pause/resume). mysql2's
 * typing gives `PoolConnection.connection` the promise class; at run time it is the core one.
 */
export function core(conn: mysql.PoolConnection): CoreConnection {
  return conn.connection as unknown as CoreConnection;
}
