/**
 * DC_BIG_FILE execution (job-body.ts): the attachment streamed from the file store, decoded,
 * parsed and cut into the batches of import-batches.ts; each batch in one transaction on the
 * target with its marker row first (exactly-once.ts, key `<exec_token>:<batch number>`), so a
 * batch is committed once or not at all. A run that starts again (crash, lost lease,
 * RestartDataCorrectSQLJob) reads the markers back and skips the committed batches without
 * sending them: the file is read from its start, but only counted up to the first batch without
 * a marker.
 *
 * Per batch: BEGIN → marker → the batch's multi-row INSERT (CSV) or statements (SQL) → rows on
 * the marker → COMMIT → progress in the store (the job's one dc_statement: affected_rows so far).
 * A batch the database refuses is rolled back and run again row by row (statement by statement),
 * each under a savepoint, to name the failing line: with IgnoreError the refused rows are skipped
 * and logged, without it the batch is rolled back and the job fails naming the line. Rows that do
 * not fit their column (csv-values.ts) are found before the batch is sent and handled the same way.
 */
import { TargetDbError, type WriteSession } from '../../connectors/index.js';
import { inTransaction, type Deps } from '../context.js';
import * as dcRepo from '../data-changes/data-change.repository.js';
import { committedPositions, insertMarker, recordAffected } from '../data-changes/exactly-once.js';
import * as repo from '../data-changes/execution.repository.js';
import type { DcStatementRow } from '../data-changes/execution.repository.js';
import { JobStop, type JobBody, type JobBodyContext } from '../data-changes/job-body.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import type { DataImportParams } from '../tickets/types/dc-big-file.type.js';
import { CsvFileError } from './csv-rows.js';
import { EncodingError, type ResolvedEncoding } from './encoding.js';
import { findImportFile, withFileText } from './file-source.js';
import { importBatches, LayoutError, rowTuple, type Batch, type Unit } from './import-batches.js';
import { batchSpec } from './import-spec.js';
import * as importRepo from './import.repository.js';
import { arrayParams, insertSql, InsertPlanError } from './insert-sql.js';

/** Skipped rows logged one by one per run; beyond, one line per batch. */
const LOGGED_SKIPS = 100;
/** Line numbers of skipped rows named in the statement's final message. */
const NAMED_SKIPS = 20;
/**
 * Progress goes to the store (AffectRows of the statement and the job, a log line) at most once a
 * second, and after a batch with skipped or refused rows: one store transaction per batch took
 * more time than the batches themselves on a SQLite store (every commit syncs the file). The
 * markers, not the store, say what committed, so a report that lags loses nothing.
 */
const REPORT_MS = 1000;

interface Progress {
  rows: number;
  skipped: number;
  skippedLines: number[];
  logged: number;
  /** Batches run since the last report: first batch, first line, rows, when the first started. */
  pending: { from: number; line: number; rows: number; since: number } | null;
  reportedAt: number;
}

/** A unit the database refused, found by the row-by-row retry. */
interface Refusal {
  line: number;
  message: string;
}

const messageOf = (e: unknown): string => (e instanceof TargetDbError ? `${e.message}${e.code ? ` (${e.code})` : ''}` : ((e as Error).message ?? String(e)));

export const importBody: JobBody = async (ctx) => {
  const { deps, job } = ctx;
  const st = ctx.statements[0];
  if (!st) throw new JobStop('FAIL', 'the job has no import statement');
  if (st.status === 'SUCCESS') return;
  const ticket = await ticketRepo.findTicket(deps.db, job.tenant_id, job.ticket_id);
  const precheck = await dcRepo.latestPrecheck(deps.db, job.ticket_id);
  const imp = precheck ? await importRepo.findImport(deps.db, precheck.id) : undefined;
  if (!ticket || !imp) throw new JobStop('FAIL', 'the precheck of the import is missing');
  const params = JSON.parse(ticket.params) as DataImportParams;

  const committed = await committedPositions(ctx.session, job.exec_token);
  const lastCommitted = committed.size === 0 ? 0 : Math.max(...committed.keys());
  const started = deps.now();
  const p: Progress = { rows: [...committed.values()].reduce<number>((n, v) => n + (v ?? 0), 0), skipped: 0, skippedLines: [], logged: 0, pending: null, reportedAt: started };
  await repo.updateStatements(deps.db, job.id, [st.position], ['INIT', 'RUNNING', 'FAIL'], { status: 'RUNNING', execute_count: st.execute_count + 1, started_at: st.started_at ?? started, finished_at: null, message: null, affected_rows: p.rows });
  if (lastCommitted > 0) await repo.appendLog(deps.db, job.id, 'WARN', `batches 1–${lastCommitted} had committed (${p.rows} rows); they are not sent again, the import goes on with batch ${lastCommitted + 1}`, deps.now());

  let last: Batch | null = null;
  try {
    const file = await findImportFile(deps, job.tenant_id, params.attachmentName);
    const spec = await batchSpec(ctx.connector, ctx.target, params, { batchRows: imp.batch_rows, batchChars: imp.batch_chars });
    await withFileText(deps, file, imp.encoding as ResolvedEncoding, async (text) => {
      for await (const b of importBatches(text, spec, { materializeFrom: lastCommitted + 1, strict: false })) {
        if (b.number <= lastCommitted) {
          // Rows of a committed CSV batch that are not in its marker's count were skipped then.
          if (spec.fileType === 'CSV') p.skipped += b.size - (committed.get(b.number) ?? 0);
          continue;
        }
        await ctx.checkpoint(`batch ${b.number} (line ${b.line})`);
        const t0 = deps.now();
        const rowsBefore = p.rows;
        const notable = await runBatch(ctx, params, b, p);
        p.pending ??= { from: b.number, line: b.line, rows: 0, since: t0 };
        p.pending.rows += p.rows - rowsBefore;
        if (notable || deps.now() - p.reportedAt >= REPORT_MS) await report(ctx, st, p, b);
        last = b;
      }
    });
    if (last && p.pending) await report(ctx, st, p, last);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    if (e instanceof JobStop) {
      await stopStatement(deps, job.id, st, e, p);
      throw e;
    }
    const known = e instanceof LayoutError || e instanceof CsvFileError || e instanceof EncodingError;
    const stop = new JobStop('FAIL', known ? `the file cannot be imported: ${(e as Error).message}` : messageOf(e));
    await stopStatement(deps, job.id, st, stop, p);
    throw stop;
  }
  const now = deps.now();
  const skipped = p.skipped > 0 ? `; ${p.skipped} ${params.fileType === 'CSV' ? 'row' : 'statement'}(s) skipped (IgnoreError)${p.skippedLines.length > 0 ? `: line ${p.skippedLines.join(', ')}${p.skipped > p.skippedLines.length ? ' …' : ''}` : ''}` : '';
  await inTransaction(deps, async (tx) => {
    await repo.updateStatements(tx.db, job.id, [st.position], ['RUNNING'], { status: 'SUCCESS', affected_rows: p.rows, finished_at: now, elapsed_ms: now - started, message: skipped === '' ? null : `${p.rows} rows imported${skipped}` });
    await repo.appendLog(tx.db, job.id, 'INFO', `import finished: ${p.rows} rows${skipped} (${now - started} ms)`, now);
  });
};

/** The statement after a pause (INIT, resumable) or a failure (FAIL, with the reason). */
async function stopStatement(deps: Deps, jobId: number, st: DcStatementRow, e: JobStop, p: Progress): Promise<void> {
  const now = deps.now();
  if (e.status === 'PAUSE') await repo.updateStatements(deps.db, jobId, [st.position], ['RUNNING'], { status: 'INIT', affected_rows: p.rows });
  else await repo.updateStatements(deps.db, jobId, [st.position], ['RUNNING'], { status: 'FAIL', affected_rows: p.rows, finished_at: now, message: e.message });
}

/** What a batch sends: the CSV rows as one INSERT, or each statement; skipped SETs send nothing. */
function sendable(units: Unit[]): Unit[] {
  return units.filter((u) => u.kind === 'row' || u.kind === 'statement');
}

const sqlOf = (b: Batch, u: Unit): string => (u.kind === 'row' ? insertSql(b.plan!, [rowTuple(b.plan!, u)]) : u.kind === 'statement' ? u.sql : '');

/** Runs one batch; true when it had skipped or refused rows (reported at once). */
async function runBatch(ctx: JobBodyContext, params: DataImportParams, b: Batch, p: Progress): Promise<boolean> {
  const { deps, job, session: s } = ctx;
  const units = b.units!;
  const refused = units.find((u): u is Extract<Unit, { kind: 'refused' }> => u.kind === 'refused');
  if (refused) throw new JobStop('FAIL', `batch ${b.number}: ${refused.message}`);
  const bad = units.filter((u): u is Extract<Unit, { kind: 'bad' }> => u.kind === 'bad');
  if (bad.length > 0 && !params.ignoreError) {
    throw new JobStop('FAIL', `${bad[0]!.message}${bad.length > 1 ? ` (and ${bad.length - 1} more in batch ${b.number})` : ''}; nothing of batch ${b.number} was imported (batches before it were), RestartDataCorrectSQLJob goes on from it`);
  }
  const send = sendable(units);
  const t0 = deps.now();
  let rows: number;
  let refusals: Refusal[] = [];
  let retried = false;
  try {
    rows = await inTargetTransaction(ctx, b, async () => {
      if (b.plan) {
        const rows = send.flatMap((u) => (u.kind === 'row' ? [u] : []));
        if (rows.length === 0) return 0;
        if (b.plan.arrays !== null) await s.execute(b.plan.arrays, arrayParams(b.plan, rows.map((u) => u.cells)));
        else await s.execute(insertSql(b.plan, rows.map((u) => rowTuple(b.plan!, u))));
        return rows.length;
      }
      let n = 0;
      for (const u of send) n += (await s.execute(sqlOf(b, u))).affectedRows;
      return n;
    });
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    await repo.appendLog(deps.db, job.id, 'WARN', `batch ${b.number} (lines ${b.line}–${b.lastLine}) was refused (${messageOf(e)}); it runs again row by row to find the line`, deps.now());
    retried = true;
    ({ rows, refusals } = await oneByOne(ctx, params, b, send));
  }
  const skipped = [...bad.map((u) => ({ line: u.line, message: u.message })), ...refusals].sort((x, y) => x.line - y.line);
  p.rows += rows;
  p.skipped += skipped.length;
  for (const x of skipped) if (p.skippedLines.length < NAMED_SKIPS) p.skippedLines.push(x.line);
  const now = deps.now();
  let listed = 0;
  for (const x of skipped) {
    if (p.logged >= LOGGED_SKIPS) break;
    p.logged++;
    listed++;
    await repo.appendLog(deps.db, job.id, 'WARN', `skipped (IgnoreError): ${x.message}`, now);
  }
  const notListed = skipped.length - listed;
  if (skipped.length > 0 || retried) {
    await repo.appendLog(deps.db, job.id, 'INFO', `batch ${b.number} (lines ${b.line}–${b.lastLine}): ${rows} rows${skipped.length > 0 ? `, ${skipped.length} skipped${notListed > 0 ? ` (${notListed} not listed)` : ''}` : ''} (${now - t0} ms)`, now);
  }
  return skipped.length > 0 || retried;
}

/** Progress since the last report, in one store transaction. */
async function report(ctx: JobBodyContext, st: DcStatementRow, p: Progress, b: Batch): Promise<void> {
  const { deps, job } = ctx;
  const pending = p.pending!;
  const now = deps.now();
  await inTransaction(deps, async (tx) => {
    await repo.updateStatements(tx.db, job.id, [st.position], ['RUNNING'], { affected_rows: p.rows });
    await repo.updateJobIf(tx.db, job.id, { run: job.run, statuses: ['RUNNING'] }, { affected_rows: p.rows }, now);
    const which = pending.from === b.number ? `batch ${b.number}` : `batches ${pending.from}–${b.number}`;
    await repo.appendLog(tx.db, job.id, 'INFO', `${which} (lines ${pending.line}–${b.lastLine}): ${pending.rows} rows in ${now - pending.since} ms; ${p.rows} so far`, now);
  });
  p.pending = null;
  p.reportedAt = now;
}

/** BEGIN, marker, `work`, rows on the marker, COMMIT; rolled back when anything throws. */
async function inTargetTransaction(ctx: JobBodyContext, b: Batch, work: () => Promise<number>): Promise<number> {
  const { job, session: s } = ctx;
  await s.begin();
  try {
    await insertMarker(s, { execToken: job.exec_token, ticketId: job.ticket_id, jobId: job.id, position: b.number });
    const rows = await work();
    await recordAffected(s, job.exec_token, b.number, rows);
    await s.commit();
    return rows;
  } catch (e) {
    await s.rollback().catch(() => undefined);
    throw e;
  }
}

/** The batch again, each unit under a savepoint: refused ones are skipped (IgnoreError) or fail the job. */
async function oneByOne(ctx: JobBodyContext, params: DataImportParams, b: Batch, send: Unit[]): Promise<{ rows: number; refusals: Refusal[] }> {
  const s: WriteSession = ctx.session;
  const refusals: Refusal[] = [];
  let stop: JobStop | null = null;
  try {
    const rows = await inTargetTransaction(ctx, b, async () => {
      let n = 0;
      for (const u of send) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        let sql: string;
        try {
          sql = sqlOf(b, u);
        } catch (e) {
          if (!(e instanceof InsertPlanError)) throw e;
          const what = `line ${u.line}, ${e.message}`;
          if (!params.ignoreError) throw (stop = new JobStop('FAIL', `${what}; nothing of batch ${b.number} was imported (batches before it were), RestartDataCorrectSQLJob goes on from it`));
          refusals.push({ line: u.line, message: what });
          continue;
        }
        await s.execute('SAVEPOINT odms_import_unit');
        try {
          const r = await s.execute(sql);
          n += u.kind === 'row' ? 1 : r.affectedRows;
          await s.execute('RELEASE SAVEPOINT odms_import_unit');
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          await s.execute('ROLLBACK TO SAVEPOINT odms_import_unit');
          const what = `line ${u.line}: the database refused it: ${messageOf(e)}`;
          if (!params.ignoreError) {
            stop = new JobStop('FAIL', `${what}; nothing of batch ${b.number} was imported (batches before it were), RestartDataCorrectSQLJob goes on from it`);
            throw stop;
          }
          refusals.push({ line: u.line, message: what });
        }
      }
      return n;
    });
    return { rows, refusals };
  } catch (e) {
    throw stop ?? e;
  }
}
