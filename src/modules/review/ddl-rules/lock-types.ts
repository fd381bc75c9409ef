/** What the lock models (lock-mysql.ts, lock-postgres.ts, lock-sqlite.ts) say about one statement. */
import type { Engine } from '../../../connectors/connector.js';
import type { AnalyzedDdl, DdlTableState } from '../ddl-types.js';
import type { ServerVersion } from './server-version.js';

/**
 * How much of the table an operation touches: `metadata` (the catalog only: INSTANT, metadata-only),
 * `build` (reads every row to build an index), `scan` (reads every row to check it), `rebuild` /
 * `rewrite` (writes the table anew, in place), `copy` (MySQL ALGORITHM=COPY: a copy of the table).
 */
export type LockCost = 'metadata' | 'build' | 'scan' | 'rebuild' | 'copy';

export interface LockOp {
  /** The operation as written: `ADD COLUMN c`, `MODIFY a`. */
  what: string;
  cost: LockCost;
  /** How the engine runs it, for the message. */
  how: string;
  /** Writes (on PostgreSQL, mostly reads too) wait while it runs. */
  blocksWrites: boolean;
}

export interface LockPlan {
  ops: LockOp[];
  /** Operations the engine (version) cannot run at all (SQLite's ALTER TABLE). */
  unsupported: string[];
  /** A sentence on the statement as a whole (the algorithm it runs with, the lock it holds). */
  summary: (ops: LockOp[]) => string;
  /** What to do about it on a large table. */
  advice: (ops: LockOp[]) => string;
}

export interface LockInput {
  engine: Engine;
  s: AnalyzedDdl;
  /** The table before the statement; undefined when unknown. */
  table: DdlTableState | undefined;
  version: ServerVersion;
  /** The version was not given: a current server is assumed. */
  assumed: boolean;
}
