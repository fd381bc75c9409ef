/**
 * Exactly-once execution of data-change statements (docs/adr/0005-exactly-once-data-changes.md).
 *
 * The metadata store and the target database cannot share a transaction, so the proof that a
 * statement committed is kept where the statement commits: a marker row in a small table of the
 * target database, `_opendms_exec_log`, inserted in the same transaction as the statement, before
 * it. Its primary key is `<job exec_token>:<position>`, so:
 * - a statement that committed has its marker, and after a crash between the target's COMMIT and
 *   the store's update the runner reads the marker and records SUCCESS instead of running it again;
 * - a statement that did not commit has no marker (it was rolled back with its transaction) and is
 *   safe to run again;
 * - two workers racing on the same statement (a lease that ran out, a double click) collide on the
 *   marker's primary key: the second blocks until the first commits, then fails without running
 *   the statement, because the marker comes first in the transaction.
 */
import type { Engine, WriteSession } from '../../connectors/index.js';

export const MARKER_TABLE = '_opendms_exec_log';

function ddl(engine: Engine): string {
  const cols = `statement_key VARCHAR(100) NOT NULL PRIMARY KEY,
  ticket_id BIGINT NOT NULL,
  job_id BIGINT NOT NULL,
  position INTEGER NOT NULL,
  affected_rows BIGINT NULL,
  applied_at VARCHAR(32) NOT NULL`;
  if (engine === 'mysql' || engine === 'mariadb') return `CREATE TABLE IF NOT EXISTS \`${MARKER_TABLE}\` (\n  ${cols}\n) ENGINE=InnoDB`;
  return `CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (\n  ${cols}\n)`;
}

const placeholders = (engine: Engine, n: number): string[] =>
  Array.from({ length: n }, (_, k) => (engine === 'postgresql' ? `$${k + 1}` : '?'));

export const markerKey = (execToken: string, position: number): string => `${execToken}:${position}`;

/** Creates the marker table when missing; outside any transaction (MySQL DDL commits implicitly). */
export async function ensureMarkerTable(s: WriteSession): Promise<void> {
  await s.execute(ddl(s.engine));
}

/** The positions of a job whose statements committed, with the rows each changed. */
export async function committedPositions(s: WriteSession, execToken: string): Promise<Map<number, number | null>> {
  const [p] = placeholders(s.engine, 1);
  const found = new Map<number, number | null>();
  await s.query(`SELECT position, affected_rows FROM ${MARKER_TABLE} WHERE statement_key LIKE ${p}`, [`${execToken}:%`], async (rows) => {
    for (const [position, affected] of rows) found.set(Number(position), affected === null || affected === undefined ? null : Number(affected));
  });
  return found;
}

/** First write of a statement's transaction. */
export async function insertMarker(s: WriteSession, v: { execToken: string; ticketId: number; jobId: number; position: number }): Promise<void> {
  const ps = placeholders(s.engine, 5);
  await s.execute(`INSERT INTO ${MARKER_TABLE} (statement_key, ticket_id, job_id, position, applied_at) VALUES (${ps.join(', ')})`, [
    markerKey(v.execToken, v.position),
    v.ticketId,
    v.jobId,
    v.position,
    new Date().toISOString(),
  ]);
}

/** Last write of a statement's transaction: what it changed, for a recovery that finds the marker. */
export async function recordAffected(s: WriteSession, execToken: string, position: number, affectedRows: number): Promise<void> {
  const [a, b] = placeholders(s.engine, 2);
  await s.execute(`UPDATE ${MARKER_TABLE} SET affected_rows = ${a} WHERE statement_key = ${b}`, [affectedRows, markerKey(execToken, position)]);
}

/** One marker: undefined when it is not there (not committed), else the rows recorded on it (null: not recorded). */
export async function markerAffected(s: WriteSession, execToken: string, position: number): Promise<number | null | undefined> {
  const [p] = placeholders(s.engine, 1);
  let found: number | null | undefined;
  await s.query(`SELECT affected_rows FROM ${MARKER_TABLE} WHERE statement_key = ${p}`, [markerKey(execToken, position)], async (rows) => {
    if (rows[0]) found = rows[0][0] === null || rows[0][0] === undefined ? null : Number(rows[0][0]);
  });
  return found;
}
