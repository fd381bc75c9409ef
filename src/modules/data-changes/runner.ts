/**
 * One run of a data-change job (background job `run-dc-job`): the statements of one physical
 * database, in order, each in its own transaction (or all in one, `transactional`), exactly once
 * (exactly-once.ts), with the rows each one changes backed up in the same transaction first
 * (backup.ts). Progress is recorded per statement in the store, so a crash, a lost lease or a
 * restart resumes after the last statement that committed.
 *
 * Per statement: store RUNNING → BEGIN → marker row → pre-image (SELECT … FOR UPDATE into a
 * backup segment) → the statement (INSERT: RETURNING its keys) → affected rows on the marker →
 * COMMIT → store SUCCESS. A statement the database refuses is rolled back and ends the job FAIL;
 * RestartDataCorrectSQLJob runs the job again from that statement.
 */
import type { Cell, ResultColumn, TableKeys, WriteSession } from '../../connectors/index.js';
import { TargetDbError } from '../../connectors/index.js';
import { inTransaction, type Deps } from '../context.js';
import { withConnector } from '../instances/connections.js';
import { physicalTarget, type TargetDatabase } from '../instances/owners.js';
import type { TableRef } from '../review/types.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction } from '../tickets/tickets.js';
import { segmentKey, SegmentWriter } from './backup.js';
import { planChange, withReturning, type ChangePlan } from './backup-plan.js';
import { committedPositions, ensureMarkerTable, insertMarker, recordAffected } from './exactly-once.js';
import * as repo from './execution.repository.js';
import type { DcJobRow, DcStatementRow } from './execution.repository.js';
import type { DcJobStatus } from './execution.table.js';
import { JobStop, type JobBody, type JobBodyContext } from './job-body.js';
import { chunkBody } from './chunk-runner.js';
import { importBody } from '../data-imports/import-runner.js';

/** Attempts the queue makes for one run; an attempt that finds the job interrupted this often fails it cleanly. */
export const RUN_ATTEMPTS = 5;

/** What a job of each ticket type does on its database (job-body.ts); DC_COMMON runs its statements. */
const BODIES: Partial<Record<string, JobBody>> = {
  DC_CHUNK: chunkBody,
  DC_CRON_CLEAR: chunkBody,
  DC_BIG_FILE: importBody,
};

interface Run {
  deps: Deps;
  job: DcJobRow;
  target: TargetDatabase;
  signal: AbortSignal;
  keys: Map<string, Promise<TableKeys | null>>;
}

/** What was decided about a statement before its transaction. */
interface Prepared {
  plan: ChangePlan | null;
  keys: TableKeys | null;
  keyColumns: string[] | null;
  /** Why no rollback can be generated; null when it can. */
  note: string | null;
}

interface Outcome {
  affectedRows: number;
  backupKey: string | null;
  backupRows: number | null;
}

/** Another worker of this job committed the statement this one was about to: it leaves the job to that one. */
class AnotherWorker extends Error {
  constructor(readonly position: number) {
    super(`statement ${position} was committed by another worker of this job`);
  }
}

export async function runDcJob(deps: Deps, jobId: number, run: number, attempt: { number: number; signal: AbortSignal }): Promise<void> {
  const job = await repo.findJob(deps.db, jobId);
  if (!job || job.run !== run || (job.status !== 'BE_SCHEDULED' && job.status !== 'RUNNING')) return;
  if (job.status === 'RUNNING') {
    if (attempt.number >= RUN_ATTEMPTS) {
      await settleJob(deps, job, 'FAIL', `the job was interrupted ${attempt.number - 1} times (server restarts or crashes) and was given up; RestartDataCorrectSQLJob resumes it (statements that committed are not run again)`);
      return;
    }
    await repo.appendLog(deps.db, jobId, 'WARN', `resumed after an interruption (attempt ${attempt.number})`, deps.now());
  } else if (job.end_at !== null && deps.now() > job.end_at) {
    await markRunning(deps, job);
    await settleJob(deps, job, 'FAIL', 'not started before the end of its execution window (ActionDetail.endTime); RestartDataCorrectSQLJob runs it now');
    return;
  }
  if (!(await markRunning(deps, job))) return;

  const target = await physicalTarget(deps, job.tenant_id, job.db_id);
  if (!target) {
    await settleJob(deps, job, 'FAIL', `database ${job.db_id} no longer exists`);
    return;
  }
  const ticket = await ticketRepo.findTicket(deps.db, job.tenant_id, job.ticket_id);
  const body = BODIES[ticket?.plugin_type ?? ''] ?? statementsBody;
  try {
    await withConnector(deps, target.spec, (c) =>
      c.writeSession(databaseOf(target), { statementTimeoutMs: target.queryTimeoutMs, signal: attempt.signal }, async (s) => {
        await ensureMarkerTable(s);
        const statements = await repo.listStatements(deps.db, job.id);
        await body({ deps, job, target, connector: c, session: s, signal: attempt.signal, statements, checkpoint: (next) => checkpoint({ deps, job, signal: attempt.signal }, next) });
      }),
    );
    await settleJob(deps, job, 'SUCCESS', null);
  } catch (e) {
    if (e instanceof JobStop) {
      await settleJob(deps, job, e.status, e.message);
      return;
    }
    if (e instanceof AnotherWorker) {
      await repo.appendLog(deps.db, jobId, 'WARN', `${e.message}; this worker stops and leaves the job to it`, deps.now());
      return;
    }
    if (attempt.signal.aborted) throw e; // shutdown or lost lease: the queue runs it again and reconcile() settles what committed
    await settleJob(deps, job, 'FAIL', `${(e as Error).message}`);
  }
}

const databaseOf = (t: TargetDatabase): string => (t.engine === 'sqlite' ? 'main' : t.schemaName);

async function markRunning(deps: Deps, job: DcJobRow): Promise<boolean> {
  const ok = await repo.updateJobIf(deps.db, job.id, { run: job.run, statuses: ['BE_SCHEDULED', 'RUNNING'] }, { status: 'RUNNING', started_at: job.started_at ?? deps.now() }, deps.now());
  if (ok && job.status === 'BE_SCHEDULED') await repo.appendLog(deps.db, job.id, 'INFO', `run ${job.run} started`, deps.now());
  return ok;
}

/** DC_COMMON: the statements in order, each once; one transaction per statement, or one for all. */
const statementsBody: JobBody = async (ctx: JobBodyContext) => {
  const { deps, job, target, connector: c, session: s, signal } = ctx;
  const r: Run = { deps, job, target, signal, keys: new Map() };
  const statements = await reconcile(r, s);
  const pending = statements.filter((st) => st.status !== 'SUCCESS');
  const keysOf: KeysOf = (t) => c.tableKeys(databaseOf(target), t.schema, t.name);
  if (job.transactional === 1) await runInOneTransaction(r, s, pending, keysOf);
  else for (const st of pending) await runStatement(r, s, st, keysOf);
};

/**
 * Settles statements whose outcome the store does not know from the marker table: a statement
 * with a marker committed (SUCCESS, never run again); one RUNNING without a marker was rolled back
 * with its transaction and runs again.
 */
async function reconcile(r: Run, s: WriteSession): Promise<DcStatementRow[]> {
  const { deps, job } = r;
  const statements = await repo.listStatements(deps.db, job.id);
  const open = statements.filter((st) => st.status !== 'SUCCESS');
  if (open.length === 0) return statements;
  const committed = await committedPositions(s, job.exec_token);
  for (const st of open) {
    if (committed.has(st.position)) {
      const affected = committed.get(st.position) ?? st.affected_rows ?? 0;
      await repo.updateStatements(deps.db, job.id, [st.position], ['INIT', 'RUNNING', 'FAIL'], { status: 'SUCCESS', affected_rows: affected, finished_at: st.finished_at ?? deps.now(), message: null });
      await repo.appendLog(deps.db, job.id, 'WARN', `statement ${st.position} had committed before the interruption (${affected} rows); it is not run again`, deps.now());
      st.status = 'SUCCESS';
      st.affected_rows = affected;
    } else if (st.status === 'RUNNING') {
      await repo.updateStatements(deps.db, job.id, [st.position], ['RUNNING'], { status: 'INIT' });
      await repo.appendLog(deps.db, job.id, 'WARN', `statement ${st.position} was interrupted before it committed; it runs again`, deps.now());
      st.status = 'INIT';
    }
  }
  return statements;
}

/** Stops before the next unit of work when a pause was asked for, the window closed, or the worker is stopping. */
async function checkpoint(r: { deps: Deps; job: DcJobRow; signal: AbortSignal }, next: string): Promise<void> {
  if (r.signal.aborted) throw r.signal.reason;
  const fresh = await repo.findJob(r.deps.db, r.job.id);
  if (fresh?.pause_requested === 1) throw new JobStop('PAUSE', `paused before ${next} (PauseDataCorrectSQLJob); RestartDataCorrectSQLJob continues from it`);
  if (r.job.end_at !== null && r.deps.now() > r.job.end_at) {
    throw new JobStop('FAIL', `the execution window (ActionDetail.endTime) closed before ${next}; RestartDataCorrectSQLJob runs the rest`);
  }
}

type KeysOf = (t: TableRef) => Promise<TableKeys | null>;

async function prepare(r: Run, s: WriteSession, st: DcStatementRow, keysOf: KeysOf): Promise<Prepared> {
  if (r.job.backup !== 1) return { plan: null, keys: null, keyColumns: null, note: 'the backup was turned off (ActionDetail.backupData false)' };
  const plan = planChange(st.sql, r.target.engine);
  if (plan.kind === 'NONE') return { plan, keys: null, keyColumns: null, note: plan.reason };
  const k = `${plan.table.schema ?? ''}.${plan.table.name}`;
  let p = r.keys.get(k);
  if (!p) r.keys.set(k, (p = keysOf(plan.table)));
  const keys = await p;
  if (!keys) return { plan: null, keys: null, keyColumns: null, note: `table ${plan.table.name} was not found (or is a view), so nothing was backed up` };
  const keyColumns = keys.primaryKey.length > 0 ? keys.primaryKey : (keys.uniqueKeys[0] ?? null);
  let note: string | null = null;
  if (plan.kind === 'UPDATE') {
    if (keyColumns === null) note = `table ${keys.name} has no primary or unique key: the backup holds the full rows, to be restored by hand`;
    else if (plan.setColumns === null) note = 'the columns it assigns could not be read from the statement: the backup holds the full rows, to be restored by hand';
    else if (plan.setColumns.some((c) => keyColumns.some((kc) => kc.toLowerCase() === c.toLowerCase()))) note = `it changes the key (${keyColumns.join(', ')}) the rows would be restored by: the backup holds the full rows, to be restored by hand`;
  } else if (plan.kind === 'INSERT') {
    if (keyColumns === null) note = `table ${keys.name} has no primary or unique key to delete the inserted rows by`;
    else if (!s.insertReturning) note = 'this server cannot return the keys of inserted rows (MySQL has no INSERT … RETURNING)';
  }
  return { plan, keys, keyColumns, note };
}

/** Marker, backup and the statement, inside the caller's open transaction. */
async function apply(r: Run, s: WriteSession, st: DcStatementRow, prep: Prepared): Promise<Outcome> {
  const { job, target } = r;
  await insertMarker(s, { execToken: job.exec_token, ticketId: job.ticket_id, jobId: job.id, position: st.position });
  const { plan, keys, keyColumns } = prep;
  let writer: SegmentWriter | null = null;
  const header = (kind: 'UPDATE' | 'DELETE' | 'INSERT') => ({
    v: 1 as const,
    position: st.position,
    kind,
    table: { schema: keys!.schema, name: keys!.name },
    keyColumns,
    setColumns: plan?.kind === 'UPDATE' ? plan.setColumns : null,
    generated: keys!.columns.filter((c) => c.generated).map((c) => c.name),
    identityAlways: keys!.columns.filter((c) => c.identityAlways).map((c) => c.name),
  });
  try {
    let sql = st.sql;
    if (plan && keys && (plan.kind === 'UPDATE' || plan.kind === 'DELETE')) {
      writer = new SegmentWriter(r.deps.files, segmentKey(job.tenant_id, job.ticket_id, job.id, st.position), header(plan.kind));
      const w = writer;
      await s.query(target.engine === 'sqlite' ? plan.select : `${plan.select} FOR UPDATE`, [], (rows, columns) => w.add(rows, columns));
    }
    const insertKeys = plan?.kind === 'INSERT' && keys && keyColumns && s.insertReturning && prep.note === null;
    if (insertKeys && !plan.hasReturning) sql = withReturning(st.sql, target.engine, keyColumns);
    const result = await s.execute(sql);
    if (insertKeys && result.rows.length > 0) {
      const idx = keyColumns.map((k) => result.columns.findIndex((c) => c.name.toLowerCase() === k.toLowerCase()));
      if (idx.every((i) => i >= 0)) {
        writer = new SegmentWriter(r.deps.files, segmentKey(job.tenant_id, job.ticket_id, job.id, st.position), header('INSERT'));
        const cols: ResultColumn[] = idx.map((i) => ({ ...result.columns[i]!, name: keyColumns[idx.indexOf(i)]! }));
        for (let k = 0; k < result.rows.length; k += 1000) await writer.add(result.rows.slice(k, k + 1000).map((row) => idx.map((i) => row[i] as Cell)), cols);
      } else {
        prep.note = `its RETURNING clause does not return the key (${keyColumns.join(', ')}) to delete the inserted rows by`;
      }
    }
    const backupKey = writer ? await writer.finish() : null;
    await recordAffected(s, job.exec_token, st.position, result.affectedRows);
    return { affectedRows: result.affectedRows, backupKey, backupRows: writer ? writer.rows : null };
  } catch (e) {
    await writer?.abort(e as Error);
    throw e;
  }
}

async function runStatement(r: Run, s: WriteSession, st: DcStatementRow, keysOf: KeysOf): Promise<void> {
  const { deps, job } = r;
  await checkpoint(r, `statement ${st.position}`);
  const prep = await prepare(r, s, st, keysOf);
  const started = deps.now();
  await repo.updateStatements(deps.db, job.id, [st.position], ['INIT', 'FAIL'], { status: 'RUNNING', execute_count: st.execute_count + 1, started_at: started, finished_at: null, message: null });
  let out: Outcome;
  await s.begin();
  try {
    out = await apply(r, s, st, prep);
    await s.commit();
  } catch (e) {
    await s.rollback().catch(() => undefined);
    if (r.signal.aborted) throw e;
    // Another worker of the same job (a lease that ran out while this one was alive) committed it first.
    const theirs = await committedPositions(s, job.exec_token).then((m) => (m.has(st.position) ? (m.get(st.position) ?? 0) : null), () => null);
    if (theirs !== null) throw new AnotherWorker(st.position);
    await failStatements(r, [st], st, e);
    throw new JobStop('FAIL', `statement ${st.position} failed: ${messageOf(e)}`);
  }
  await succeed(r, [{ st, out, note: prep.note }], started);
}

async function runInOneTransaction(r: Run, s: WriteSession, pending: DcStatementRow[], keysOf: KeysOf): Promise<void> {
  if (pending.length === 0) return;
  const { deps, job } = r;
  await checkpoint(r, `statement ${pending[0]!.position}`);
  const prepared: Prepared[] = [];
  for (const st of pending) prepared.push(await prepare(r, s, st, keysOf));
  const started = deps.now();
  for (const st of pending) await repo.updateStatements(deps.db, job.id, [st.position], ['INIT', 'FAIL'], { status: 'RUNNING', execute_count: st.execute_count + 1, started_at: started, finished_at: null, message: null });
  const done: { st: DcStatementRow; out: Outcome; note: string | null }[] = [];
  let current = pending[0]!;
  await s.begin();
  try {
    for (let k = 0; k < pending.length; k++) {
      current = pending[k]!;
      if (r.signal.aborted) throw r.signal.reason;
      done.push({ st: current, out: await apply(r, s, current, prepared[k]!), note: prepared[k]!.note });
    }
    await s.commit();
  } catch (e) {
    await s.rollback().catch(() => undefined);
    if (r.signal.aborted) throw e;
    await failStatements(r, pending, current, e);
    throw new JobStop('FAIL', `statement ${current.position} failed, so the transaction of all ${pending.length} statements was rolled back: ${messageOf(e)}`);
  }
  await succeed(r, done, started);
}

function messageOf(e: unknown): string {
  if (e instanceof TargetDbError) return `${e.message}${e.code ? ` (${e.code})` : ''}`;
  return (e as Error).message ?? String(e);
}

/** The failing statement FAIL; the others of its transaction back to INIT (they were rolled back). */
async function failStatements(r: Run, inTx: readonly DcStatementRow[], failed: DcStatementRow, e: unknown): Promise<void> {
  const { deps, job } = r;
  const now = deps.now();
  await inTransaction(deps, async (tx) => {
    await repo.updateStatements(tx.db, job.id, [failed.position], ['RUNNING'], { status: 'FAIL', finished_at: now, elapsed_ms: now - (failed.started_at ?? now), message: messageOf(e) });
    const others = inTx.filter((x) => x.position !== failed.position).map((x) => x.position);
    await repo.updateStatements(tx.db, job.id, others, ['RUNNING'], { status: 'INIT', started_at: null });
    await repo.appendLog(tx.db, job.id, 'ERROR', `statement ${failed.position} failed: ${messageOf(e)}`, now);
  });
}

async function succeed(r: Run, done: { st: DcStatementRow; out: Outcome; note: string | null }[], started: number): Promise<void> {
  const { deps, job } = r;
  const now = deps.now();
  await inTransaction(deps, async (tx) => {
    for (const { st, out, note } of done) {
      await repo.updateStatements(tx.db, job.id, [st.position], ['RUNNING'], {
        status: 'SUCCESS',
        affected_rows: out.affectedRows,
        finished_at: now,
        elapsed_ms: now - started,
        backup_key: out.backupKey,
        backup_rows: out.backupRows,
        rollback_note: note,
        message: null,
      });
      await repo.appendLog(tx.db, job.id, 'INFO', `statement ${st.position}: ${out.affectedRows} rows${out.backupRows !== null ? `, ${out.backupRows} backed up` : ''} (${now - started} ms)`, now);
    }
  });
}

/** Ends a run (SUCCESS, FAIL or PAUSE) and, once every job of the ticket has ended, the ticket. */
export async function settleJob(deps: Deps, job: DcJobRow, status: DcJobStatus, message: string | null): Promise<void> {
  await inTransaction(deps, async (tx) => {
    await repo.lockTask(tx.db, job.task_id);
    const summary = await repo.statementSummary(tx.db, job.id);
    const rows = summary.reduce((n, x) => n + (x.status === 'SUCCESS' ? x.rows : 0), 0);
    const ok = await repo.updateJobIf(tx.db, job.id, { run: job.run, statuses: ['RUNNING'] }, { status, message, finished_at: tx.now(), affected_rows: rows, pause_requested: 0 }, tx.now());
    if (!ok) return;
    if (status === 'SUCCESS' && rows > 0) tx.metrics.dataChangeRows.inc({ type: (await ticketRepo.findTicket(tx.db, job.tenant_id, job.ticket_id))?.plugin_type ?? 'unknown' }, rows);
    await repo.appendLog(tx.db, job.id, status === 'SUCCESS' ? 'INFO' : status === 'PAUSE' ? 'WARN' : 'ERROR', status === 'SUCCESS' ? `finished: ${rows} rows changed` : `${status === 'PAUSE' ? 'paused' : 'failed'}: ${message ?? ''}`, tx.now());
    await settleTicket(tx, job.task_id, job.tenant_id, job.ticket_id);
  });
}

/** Inside the caller's transaction (which holds the task's lock). */
export async function settleTicket(deps: Deps, taskId: number, tenantId: number, ticketId: number): Promise<void> {
  const jobs = await repo.listJobs(deps.db, taskId);
  if (jobs.some((j) => j.status === 'RUNNING' || j.status === 'BE_SCHEDULED')) return;
  const ticket = await ticketRepo.findTicket(deps.db, tenantId, ticketId);
  if (!ticket || ticket.status !== 'processing') return;
  // A cleanup schedule stays processing between its runs; each run's outcome is its task's (modules/data-cron/).
  if (ticket.plugin_type === 'DC_CRON_CLEAR') return;
  const rows = jobs.reduce((n, j) => n + Number(j.affected_rows), 0);
  const failed = jobs.filter((j) => j.status === 'FAIL');
  if (jobs.every((j) => j.status === 'SUCCESS')) {
    await applyAction(deps, null, ticket, 'EXECUTION_SUCCEEDED', { parties: new Set(['SYSTEM']), comment: `${jobs.length} database(s), ${rows} rows changed` });
  } else if (failed.length > 0) {
    await applyAction(deps, null, ticket, 'EXECUTION_FAILED', {
      parties: new Set(['SYSTEM']),
      comment: `${failed.length} of ${jobs.length} database job(s) failed (job ${failed.map((j) => j.id).join(', ')}): ${failed[0]!.message ?? ''}`,
    });
  }
  // Only paused ones left: the ticket stays processing until they are restarted.
}
