/**
 * The job body of lock-free data changes (DC_CHUNK) and cleanup runs (DC_CRON_CLEAR): each
 * statement in key-range batches (chunk-plan.ts), each batch in its own short transaction, with a
 * pause between batches, so no lock is held long and replicas keep up.
 *
 * Per batch: next boundary key (a plain SELECT) → store: batch RUNNING with its range → target:
 * BEGIN, marker row, pre-image (SELECT … FOR UPDATE into the batch's backup segment), the batch,
 * affected rows on the marker, COMMIT → store: batch SUCCESS and the statement's rows so far. The
 * batch size follows the measured time: it grows while batches are faster than the target and
 * shrinks when slower. After a crash the last RUNNING batch is settled from its marker (committed:
 * SUCCESS; not: planned again), so no batch runs twice.
 *
 * Stops between batches: a pause request (PAUSE), the job's end time (PAUSE: DC_CHUNK's
 * ActionDetail.endTime, a cleanup run's DurationHour; RestartDataCorrectSQLJob or the next run
 * goes on), a worker that stops (the queue resumes it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cell, ResultColumn, TableKeys, WriteSession } from '../../connectors/index.js';
import { TargetDbError } from '../../connectors/index.js';
import { inTransaction, type Deps } from '../context.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { decodeCell, encodeCell, segmentKey, SegmentWriter, type SegmentHeader } from './backup.js';
import { withReturning } from './backup-plan.js';
import { ChunkStatements, chunkKey, chunkShape, type Bound } from './chunk-plan.js';
import { insertMarker, markerAffected, recordAffected } from './exactly-once.js';
import { lagReason, replicaState } from './replica-lag.js';
import * as repo from './execution.repository.js';
import type { DcJobRow, DcStatementRow } from './execution.repository.js';
import { JobStop, type JobBody, type JobBodyContext } from './job-body.js';

/** How batches are sized and spaced (DC_CHUNK `PluginParam` extension keys; docs/data-changes.md). */
export interface ChunkSettings {
  /** Rows of the first batch. */
  batchRows: number;
  /** The time a batch should take; the size adapts towards it. */
  targetMillis: number;
  /** Pause after each batch. */
  sleepMillis: number;
  /** Bounds of the adapted size. */
  minRows: number;
  maxRows: number;
  /** MySQL/MariaDB: a replica to wait for, and the lag it may have. */
  replicaInstanceId: number | null;
  maxReplicaLagSeconds: number;
}

export const DEFAULT_CHUNK_SETTINGS: ChunkSettings = { batchRows: 1000, targetMillis: 500, sleepMillis: 100, minRows: 10, maxRows: 100_000, replicaInstanceId: null, maxReplicaLagSeconds: 10 };

/** Settings from a ticket's parameters (keys `batchRows`, `batchMillis`, `sleepMillis`, validated at filing). */
export function chunkSettings(params: Record<string, unknown>): ChunkSettings {
  const num = (k: string, d: number) => (typeof params[k] === 'number' ? (params[k] as number) : d);
  const d = DEFAULT_CHUNK_SETTINGS;
  return {
    ...d,
    batchRows: num('batchRows', d.batchRows),
    targetMillis: num('batchMillis', d.targetMillis),
    sleepMillis: num('sleepMillis', d.sleepMillis),
    replicaInstanceId: typeof params.replicaInstanceId === 'number' ? params.replicaInstanceId : null,
    maxReplicaLagSeconds: num('maxReplicaLagSeconds', d.maxReplicaLagSeconds),
  };
}

/** The next batch size: towards `targetMillis`, at most doubling or halving per batch. */
export function nextBatchRows(rows: number, elapsedMs: number, s: ChunkSettings): number {
  const ratio = Math.min(2, Math.max(0.5, s.targetMillis / Math.max(1, elapsedMs)));
  return Math.round(Math.min(s.maxRows, Math.max(s.minRows, rows * ratio)));
}

export const chunkBody: JobBody = async (ctx) => {
  const ticket = await ticketRepo.findTicket(ctx.deps.db, ctx.job.tenant_id, ctx.job.ticket_id);
  const settings = chunkSettings(ticket ? (JSON.parse(ticket.params) as Record<string, unknown>) : {});
  const why = ticket?.plugin_type === 'DC_CRON_CLEAR' ? "the run's time window (DurationHour) closed" : 'its end time (ActionDetail.endTime) passed';
  for (const st of ctx.statements) {
    if (st.status === 'SUCCESS') continue;
    await runChunked(ctx, st, settings, why);
  }
};

const tokenOf = (job: DcJobRow, position: number): string => `${job.exec_token}:c${position}`;

async function runChunked(ctx: JobBodyContext, st: DcStatementRow, settings: ChunkSettings, endReason: string): Promise<void> {
  const { deps, job, target, connector, session: s } = ctx;
  const database = target.engine === 'sqlite' ? 'main' : target.schemaName;
  const shape = chunkShape(st.sql, target.engine);
  if (!shape.ok) return failStatement(deps, job, st, `it cannot run in batches: ${shape.reason}`);
  const keys = await connector.tableKeys(database, shape.shape.table.schema, shape.shape.table.name);
  const key = chunkKey(shape.shape, keys);
  if (!key.ok) return failStatement(deps, job, st, key.reason);
  const plan = new ChunkStatements(shape.shape, target.engine, key.columns);
  const backup = await backupPlan(ctx, plan, keys!);
  const token = tokenOf(job, st.position);

  if (st.status !== 'RUNNING') {
    await repo.updateStatements(deps.db, job.id, [st.position], ['INIT', 'FAIL'], { status: 'RUNNING', execute_count: st.execute_count + 1, started_at: st.started_at ?? deps.now(), finished_at: null, message: null });
  }
  // Settle the batch a crash interrupted, then go on after the last committed one.
  let batches = await repo.listBatches(deps.db, job.id, st.position);
  const open = batches.find((b) => b.status === 'RUNNING');
  if (open) {
    const affected = await markerAffected(s, token, open.batch_no);
    if (affected !== undefined) {
      const backupKey = backup ? segmentKey(job.tenant_id, job.ticket_id, job.id, st.position, open.batch_no) : null;
      const stored = backupKey !== null && (await deps.files.stat(backupKey)) !== null;
      await settle(deps, job, st, open.batch_no, { affected: affected ?? 0, elapsed: 0, backupKey: stored ? backupKey : null, backupRows: null });
      await repo.appendLog(deps.db, job.id, 'WARN', `statement ${st.position}, batch ${open.batch_no} had committed before the interruption (${affected ?? 0} rows); it is not run again`, deps.now());
    } else {
      await repo.deleteRunningBatch(deps.db, job.id, st.position, open.batch_no);
      await repo.appendLog(deps.db, job.id, 'WARN', `statement ${st.position}, batch ${open.batch_no} was interrupted before it committed; it is planned again`, deps.now());
    }
    batches = await repo.listBatches(deps.db, job.id, st.position);
  }
  const last = batches[batches.length - 1];
  if (last && last.upper_key === null) return finishStatement(deps, job, st);
  let lower: Cell[] | null = last ? decodeKey(last.upper_key) : null;
  let batchNo = (last?.batch_no ?? 0) + 1;
  let rows = last?.batch_rows ?? settings.batchRows;
  if (batches.length === 0) await repo.appendLog(deps.db, job.id, 'INFO', `statement ${st.position}: ${plan.shape.kind} of ${plan.shape.table.name} in batches by (${key.columns.join(', ')}), ${rows} rows first, aiming at ${settings.targetMillis} ms each`, deps.now());

  for (;;) {
    if (job.end_at !== null && deps.now() > job.end_at) {
      throw new JobStop('PAUSE', `paused itself before batch ${batchNo} of statement ${st.position}: ${endReason}; RestartDataCorrectSQLJob continues from it`);
    }
    await ctx.checkpoint(`batch ${batchNo} of statement ${st.position}`);
    if (settings.replicaInstanceId !== null) await waitForReplica(ctx, settings, `batch ${batchNo} of statement ${st.position}`, endReason);
    const upper = await boundary(s, plan.boundary(lower, rows), key.columns.length);
    await repo.insertBatch(deps.db, { job_id: job.id, position: st.position, batch_no: batchNo, lower_key: encodeKey(lower), upper_key: encodeKey(upper), status: 'RUNNING', batch_rows: rows, affected_rows: null, started_at: deps.now(), finished_at: null, elapsed_ms: null, backup_key: null, backup_rows: null });
    const started = performance.now();
    const out = await runBatch(ctx, st, plan, backup, token, batchNo, lower, upper);
    const elapsed = Math.round(performance.now() - started);
    await settle(deps, job, st, batchNo, { ...out, elapsed });
    if (upper === null) break;
    rows = nextBatchRows(rows, elapsed, settings);
    lower = upper;
    batchNo++;
    if (settings.sleepMillis > 0) await sleep(settings.sleepMillis, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
  await finishStatement(deps, job, st);
}

/** Waits while the replica lags more than allowed, checking every second; pause, stop and the end time still apply. */
async function waitForReplica(ctx: JobBodyContext, settings: ChunkSettings, next: string, endReason: string): Promise<void> {
  const { deps, job } = ctx;
  let waitingSince: number | null = null;
  for (;;) {
    const reason = lagReason(await replicaState(deps, job.tenant_id, settings.replicaInstanceId!), settings.maxReplicaLagSeconds);
    if (reason === null) {
      if (waitingSince !== null) await repo.appendLog(deps.db, job.id, 'INFO', `the replica caught up after ${Math.round((deps.now() - waitingSince) / 1000)} s; ${next} goes on`, deps.now());
      return;
    }
    if (waitingSince === null) {
      waitingSince = deps.now();
      await repo.appendLog(deps.db, job.id, 'WARN', `waiting before ${next}: ${reason}`, deps.now());
    }
    await sleep(1000, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (job.end_at !== null && deps.now() > job.end_at) throw new JobStop('PAUSE', `paused itself before ${next}: ${endReason} while waiting for the replica (${reason}); RestartDataCorrectSQLJob continues from it`);
    await ctx.checkpoint(next);
  }
}

/** The key after which the next batch ends; null when fewer rows than its size are left. */
async function boundary(s: WriteSession, q: Bound, width: number): Promise<Cell[] | null> {
  let found: Cell[] | null = null;
  await s.query(q.sql, q.params, async (rows) => {
    if (rows[0]) found = rows[0].slice(0, width);
  });
  return found;
}

interface BackupPlan {
  kind: 'UPDATE' | 'DELETE' | 'INSERT';
  header: Omit<SegmentHeader, 'columns' | 'position'>;
  /** INSERT … SELECT: the key of the table it inserts into, returned by each batch. */
  returning: string[] | null;
}

/** What each batch backs up; null: nothing (backup off, or no way to tell the rows apart). */
async function backupPlan(ctx: JobBodyContext, plan: ChunkStatements, walked: TableKeys): Promise<BackupPlan | null> {
  const { job, target, connector, session } = ctx;
  if (job.backup !== 1) return null;
  const base = (keys: TableKeys, keyColumns: string[] | null) => ({
    v: 1 as const,
    table: { schema: keys.schema, name: keys.name },
    keyColumns,
    generated: keys.columns.filter((c) => c.generated).map((c) => c.name),
    identityAlways: keys.columns.filter((c) => c.identityAlways).map((c) => c.name),
  });
  const walkedKey = walked.primaryKey.length > 0 ? walked.primaryKey : (walked.uniqueKeys[0] ?? null);
  if (plan.shape.kind === 'DELETE') return { kind: 'DELETE', header: { ...base(walked, walkedKey), kind: 'DELETE', setColumns: null }, returning: null };
  if (plan.shape.kind === 'UPDATE') return { kind: 'UPDATE', header: { ...base(walked, walkedKey), kind: 'UPDATE', setColumns: plan.shape.setColumns }, returning: null };
  if (!session.insertReturning || !plan.shape.into) return null;
  const into = await connector.tableKeys(target.engine === 'sqlite' ? 'main' : target.schemaName, plan.shape.into.schema, plan.shape.into.name);
  const intoKey = into ? (into.primaryKey.length > 0 ? into.primaryKey : (into.uniqueKeys[0] ?? null)) : null;
  if (!into || !intoKey) return null;
  return { kind: 'INSERT', header: { ...base(into, intoKey), kind: 'INSERT', setColumns: null }, returning: intoKey };
}

interface BatchOutcome {
  affected: number;
  backupKey: string | null;
  backupRows: number | null;
}

async function runBatch(ctx: JobBodyContext, st: DcStatementRow, plan: ChunkStatements, backup: BackupPlan | null, token: string, batchNo: number, lower: Cell[] | null, upper: Cell[] | null): Promise<BatchOutcome> {
  const { deps, job, session: s } = ctx;
  let writer: SegmentWriter | null = null;
  const newWriter = () => new SegmentWriter(deps.files, segmentKey(job.tenant_id, job.ticket_id, job.id, st.position, batchNo), { ...backup!.header, position: st.position });
  await s.begin();
  try {
    await insertMarker(s, { execToken: token, ticketId: job.ticket_id, jobId: job.id, position: batchNo });
    if (backup && backup.kind !== 'INSERT') {
      const w = (writer = newWriter());
      const pre = plan.preImage(lower, upper);
      await s.query(pre.sql, pre.params, (rows, columns) => w.add(rows, columns));
    }
    const q = plan.batch(lower, upper);
    const sql = backup?.returning ? withReturning(q.sql, plan.engine, backup.returning) : q.sql;
    const result = await s.execute(sql, q.params);
    if (backup?.returning && result.rows.length > 0) {
      const w = (writer = newWriter());
      const cols: ResultColumn[] = result.columns.map((c, i) => ({ ...c, name: backup.returning![i] ?? c.name }));
      for (let k = 0; k < result.rows.length; k += 1000) await w.add(result.rows.slice(k, k + 1000), cols);
    }
    const backupKey = writer ? await writer.finish() : null;
    await recordAffected(s, token, batchNo, result.affectedRows);
    await s.commit();
    return { affected: result.affectedRows, backupKey, backupRows: writer ? writer.rows : null };
  } catch (e) {
    await s.rollback().catch(() => undefined);
    await writer?.abort(e as Error);
    if (ctx.signal.aborted) throw e;
    // Another worker of this job (a lease that ran out) committed it first: leave the job to it.
    if ((await markerAffected(s, token, batchNo).catch(() => undefined)) !== undefined) throw new JobStop('PAUSE', `batch ${batchNo} of statement ${st.position} was committed by another worker of this job`);
    await repo.deleteRunningBatch(deps.db, job.id, st.position, batchNo);
    const message = e instanceof TargetDbError ? `${e.message}${e.code ? ` (${e.code})` : ''}` : (e as Error).message;
    return failStatement(deps, job, st, `batch ${batchNo} failed: ${message}`);
  }
}

async function settle(deps: Deps, job: DcJobRow, st: DcStatementRow, batchNo: number, out: BatchOutcome & { elapsed: number }): Promise<void> {
  await inTransaction(deps, async (tx) => {
    await repo.settleBatch(tx.db, job.id, st.position, batchNo, { status: 'SUCCESS', affected_rows: out.affected, finished_at: tx.now(), elapsed_ms: out.elapsed, backup_key: out.backupKey, backup_rows: out.backupRows });
    const done = await repo.listBatches(tx.db, job.id, st.position);
    const sum = done.reduce((n, b) => n + (b.status === 'SUCCESS' ? Number(b.affected_rows ?? 0) : 0), 0);
    const backedUp = done.reduce((n, b) => n + Number(b.backup_rows ?? 0), 0);
    await repo.updateStatements(tx.db, job.id, [st.position], ['RUNNING'], { affected_rows: sum, backup_rows: backedUp });
  });
}

async function finishStatement(deps: Deps, job: DcJobRow, st: DcStatementRow): Promise<void> {
  const batches = await repo.listBatches(deps.db, job.id, st.position);
  const rows = batches.reduce((n, b) => n + Number(b.affected_rows ?? 0), 0);
  const backedUp = batches.reduce((n, b) => n + Number(b.backup_rows ?? 0), 0);
  const now = deps.now();
  await inTransaction(deps, async (tx) => {
    await repo.updateStatements(tx.db, job.id, [st.position], ['RUNNING'], {
      status: 'SUCCESS',
      affected_rows: rows,
      finished_at: now,
      elapsed_ms: now - (st.started_at ?? now),
      backup_rows: backedUp,
      rollback_note: job.backup === 1 ? null : 'the backup was turned off (ActionDetail.backupData false)',
      message: null,
    });
    await repo.appendLog(tx.db, job.id, 'INFO', `statement ${st.position}: ${rows} rows in ${batches.length} batch(es)${job.backup === 1 ? `, ${backedUp} backed up` : ''}`, now);
  });
}

async function failStatement(deps: Deps, job: DcJobRow, st: DcStatementRow, message: string): Promise<never> {
  const now = deps.now();
  await inTransaction(deps, async (tx) => {
    await repo.updateStatements(tx.db, job.id, [st.position], ['INIT', 'RUNNING', 'FAIL'], { status: 'FAIL', finished_at: now, message });
    await repo.appendLog(tx.db, job.id, 'ERROR', `statement ${st.position}: ${message}`, now);
  });
  throw new JobStop('FAIL', `statement ${st.position}: ${message}`);
}

const encodeKey = (k: Cell[] | null): string | null => (k === null ? null : JSON.stringify(k.map(encodeCell)));
const decodeKey = (t: string | null): Cell[] | null => (t === null ? null : (JSON.parse(t) as unknown[]).map(decodeCell));
