/**
 * What one run of a data-change job does on its database, per ticket type. runner.ts owns the
 * run's life (claiming the job, resolving the database, opening the write session, creating the
 * marker table, settling the job and the ticket); a body does the work in between:
 * - DC_COMMON: the statements, each once (runner.ts `statementsBody`);
 * - DC_CHUNK and DC_CRON_CLEAR: one statement in key-range batches (chunk-runner.ts);
 * - DC_BIG_FILE: an attachment streamed into a table (modules/data-imports/).
 *
 * A body returns when its work is done (the job ends SUCCESS with the rows its statements record),
 * throws JobStop to end the run PAUSE or FAIL with a message, or rethrows the signal's reason when
 * the worker stops (the queue runs it again; the body resumes from what the target proves committed).
 */
import type { Connector, WriteSession } from '../../connectors/index.js';
import type { Deps } from '../context.js';
import type { TargetDatabase } from '../instances/owners.js';
import type { DcJobRow, DcStatementRow } from './execution.repository.js';

export class JobStop extends Error {
  constructor(
    readonly status: 'PAUSE' | 'FAIL',
    message: string,
  ) {
    super(message);
  }
}

export interface JobBodyContext {
  deps: Deps;
  job: DcJobRow;
  /** The job's physical database. */
  target: TargetDatabase;
  connector: Connector;
  /** One connection for the whole run; the body owns its transactions. The marker table exists. */
  session: WriteSession;
  /** Aborted when the worker stops (shutdown, lost lease). */
  signal: AbortSignal;
  /** The job's statements as the store has them (DC_CHUNK, DC_CRON_CLEAR: one; DC_BIG_FILE: one describing the import). */
  statements: DcStatementRow[];
  /**
   * Call between units of work (a statement, a batch): throws JobStop PAUSE when
   * PauseDataCorrectSQLJob asked for it, JobStop FAIL when the job's end time passed, and the
   * signal's reason when the worker stops. `next` names what would run next, for the message.
   */
  checkpoint(next: string): Promise<void>;
}

export type JobBody = (ctx: JobBodyContext) => Promise<void>;
