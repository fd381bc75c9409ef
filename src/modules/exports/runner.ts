import crypto from 'node:crypto';
import { PassThrough, type Writable } from 'node:stream';
import { inTransaction, type Deps } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { recordEvent } from '../tickets/events.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction } from '../tickets/tickets.js';
import type { DataExportParams } from '../tickets/types/data-export.type.js';
import { RUN_ATTEMPTS } from './execution.js';
import * as repo from './export.repository.js';
import type { ExportJobRow } from './export.repository.js';
import { writeRows, type FormatOptions } from './formats/index.js';
import { writeCopyCsv } from './formats/pg-copy-csv.js';
import { writeCopyXlsx } from './formats/pg-copy-xlsx.js';
import { FILE_EXTENSIONS, type ExportOptions } from './options.js';
import { writeZip, type Manifest, type PackagedFile } from './package/index.js';
import { databaseName } from './precheck.js';
import { checkExportSql } from './read-only-check.js';

/**
 * One run of an export job (background job `run-export`): every statement on every member
 * database is streamed from a read-only transaction (Connector.readOnlyQuery: server-side cursor,
 * the instance's ExportTimeout) through its format writer into one zip entry, the zip straight
 * into the file store, whose `put` is atomic: a result is either complete or absent. Memory stays
 * flat: rows move in batches with back-pressure from the writers down to the file.
 *
 * Crash safety: the job row says DOING_EXPORT while a worker runs it. If the process dies, the
 * queue runs the job again once its lease runs out; the new attempt finds DOING_EXPORT and starts
 * the export over (it only reads, so a re-run is always safe), and after RUN_ATTEMPTS interrupted
 * attempts it fails the ticket with a clear message instead of leaving it `processing`.
 */

/** How often a running export records its progress and checks for a stop request. */
const PROGRESS_INTERVAL_MS = 500;

export async function runExportJob(deps: Deps, jobId: number, run: number, attempt: { number: number; signal: AbortSignal }): Promise<void> {
  const job = await repo.findJob(deps.db, jobId);
  if (!job || job.run !== run || (job.status !== 'WAITING_EXPORT' && job.status !== 'DOING_EXPORT')) return;
  if (job.status === 'DOING_EXPORT') {
    if (attempt.number >= RUN_ATTEMPTS) {
      await settleFailure(deps, job, `the export was interrupted ${attempt.number - 1} times (server restarts or crashes) and was given up; RestartDataExportJob runs it again`);
      return;
    }
    await recordEvent(deps, { ticketId: job.ticket_id, tenantId: job.tenant_id, actor: null, action: 'EXPORT_RESUMED', fromStatus: 'processing', toStatus: 'processing', comment: `export job ${jobId} starts over after an interruption` });
  }
  const started = await repo.updateJobIf(deps.db, jobId, { run, statuses: ['WAITING_EXPORT', 'DOING_EXPORT'] }, { status: 'DOING_EXPORT', rows_done: 0, started_at: deps.now() }, deps.now());
  if (!started) return;

  const progress = new Progress(deps, job);
  try {
    const result = await produce(deps, job, progress, attempt.signal);
    await settleSuccess(deps, job, result);
  } catch (e) {
    if (progress.stopReason === null && attempt.signal.aborted) throw e; // shutdown or lost lease: the queue runs it again
    await settleFailure(deps, job, progress.stopReason ?? failureMessage(e));
  } finally {
    progress.close();
  }
}

interface Produced {
  key: string;
  size: number;
  sha256: string;
  manifest: Manifest;
  rows: number;
}

async function produce(deps: Deps, job: ExportJobRow, progress: Progress, signal: AbortSignal): Promise<Produced> {
  const ticket = await ticketRepo.findTicket(deps.db, job.tenant_id, job.ticket_id);
  if (!ticket) throw new Error(`ticket ${job.ticket_id} does not exist`);
  const params = JSON.parse(ticket.params) as DataExportParams;
  const options = JSON.parse(job.options) as ExportOptions;
  const committer = await resolveActor(deps, ticket.committer_id, ticket.tenant_id);
  const target = await resolveTargetDatabase(deps, committer, params.dbId, params.logic);
  const abort = progress.linkTo(signal);
  const deadline = deps.now() + deps.config.exports.maxRunSeconds * 1000;

  const files: PackagedFile[] = [];
  for (const member of target.members) {
    // Checked again at execution: the database may have changed engine-relevant facts since the precheck.
    const check = checkExportSql(params.exeSQL, member.engine);
    const refused = check.statements.find((s) => !s.ok);
    if (refused) throw new Error(`${refused.reason} (database ${member.searchName})`);
    for (const s of check.statements) {
      const only = s.tables.length === 1 ? s.tables[0]! : undefined;
      const name = target.members.length > 1 ? `export_${s.index}_${safeName(member.schemaName)}_${member.dbId}` : `export_${s.index}`;
      files.push({
        name: `${name}.${FILE_EXTENSIONS[options.fileType]}`,
        statement: s.sql,
        write: (out) =>
          writeStatement(deps, member, s.sql, out, {
            options,
            table: only ? { schema: only.schema ?? undefined, name: only.name } : { name },
            timeoutMs: Math.max(1, Math.min(member.exportTimeoutMs, deadline - deps.now())),
            signal: abort,
            progress,
          }),
      });
    }
  }

  const key = `exports/t${job.tenant_id}/o${job.ticket_id}/${job.id}-${job.run}-${crypto.randomBytes(6).toString('hex')}.zip`;
  const password = job.password_enc === null ? undefined : deps.secrets.decrypt(job.password_enc);
  const zip = new PassThrough();
  const zipping = writeZip(files, zip, { password, compressionLevel: deps.config.exports.compressionLevel });
  // Whichever side fails first stops the other: a failed writer destroys the zip stream (so the
  // store's put discards the partial file); a failed put (disk full) aborts the queries.
  zipping.catch((e: unknown) => zip.destroy(e as Error));
  let storeError: unknown = null;
  const stored = deps.files.put(key, zip).catch((e: unknown) => {
    storeError = e;
    progress.abort(e);
    throw e;
  });
  // The file store's error (disk full) is the cause; the aborted query's error only follows from it.
  const [manifest, file] = await Promise.all([zipping, stored]).catch((e: unknown) => {
    throw storeError ?? e;
  });
  return { key, size: file.size, sha256: file.sha256, manifest, rows: manifest.files.reduce((n, f) => n + f.rows, 0) };
}

async function writeStatement(
  deps: Deps,
  member: TargetDatabase,
  sql: string,
  out: Writable,
  run: { options: ExportOptions; table: { schema?: string | undefined; name: string }; timeoutMs: number; signal: AbortSignal; progress: Progress },
): Promise<{ rows: number }> {
  const o = run.options;
  const format: FormatOptions = {
    encoding: o.encoding,
    unmappable: o.unmappable,
    csvBom: o.csvBom,
    csvFormulaEscape: o.formulaEscape,
    jsonLines: o.jsonLines,
    sqlDialect: member.engine === 'mariadb' ? 'mysql' : member.engine,
    sqlTable: run.table,
    sqlRowsPerInsert: 100,
  };
  const base = run.progress.rows;
  const progress = (n: number): void => run.progress.set(base + n);
  // SQLite text formats: 4,000-row batches (a synchronous read has no round trip to overlap, and each
  // batch costs a turn of the event loop and a write down the zip and file layers: CSV of 1M rows,
  // −0.1 s CPU). Not XLSX: a batch's XML would then outgrow the sheet entry's 1 MiB buffer and take
  // turns with deflate instead of overlapping it (1M rows: +0.3 s).
  const batchRows = member.engine === 'sqlite' && o.fileType !== 'XLSX' ? 4000 : 1000;
  const query = { timeoutMs: run.timeoutMs, signal: run.signal, batchRows };
  return withConnector(deps, member.spec, async (connector) => {
    // PostgreSQL UTF-8 CSV and XLSX: the engine's own COPY bytes, adapted (formats/pg-copy-csv.ts,
    // pg-copy-xlsx.ts), the same output as the row path.
    const r =
      o.fileType === 'CSV' && connector.copyCsv && (o.encoding === 'UTF8' || o.encoding === 'UTF8MB4')
        ? await connector.copyCsv(databaseName(member), sql, query, (csv, columns) => writeCopyCsv(csv, columns, out, format, progress))
        : o.fileType === 'XLSX' && connector.copyText
          ? await connector.copyText(databaseName(member), sql, query, (text, columns) => writeCopyXlsx(text, columns, out, progress))
        : await connector.readOnlyQuery(databaseName(member), sql, query, (stream) => writeRows(o.fileType, stream.columns, stream.batches, out, format, progress));
    progress(r.rows);
    return { rows: r.rows };
  });
}

/**
 * Rows written so far, recorded twice a second; the same tick reads the job back and aborts the
 * export when someone asked it to stop or the job is no longer this run's.
 */
class Progress {
  rows = 0;
  stopReason: string | null = null;
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly deps: Deps,
    private readonly job: ExportJobRow,
  ) {
    this.#timer = setInterval(() => void this.#tick(), PROGRESS_INTERVAL_MS);
    this.#timer.unref();
  }

  set(rows: number): void {
    this.rows = rows;
  }

  /** The signal the queries and writers follow: this export's own, aborted also when the queue's is. */
  linkTo(outer: AbortSignal): AbortSignal {
    if (outer.aborted) this.#controller.abort(outer.reason);
    else outer.addEventListener('abort', () => this.#controller.abort(outer.reason), { once: true });
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    try {
      const state = await repo.recordProgress(this.deps.db, this.job.id, this.job.run, this.rows, this.deps.now());
      if (state === null) this.#stop('the export job was changed by someone else while it ran');
      else if (state.stopRequested) this.#stop(`${state.stopRequested === 'PAUSE' ? 'terminated' : 'suspended'} at row ${this.rows}; RestartDataExportJob runs it again`);
    } catch {
      // The store is briefly unavailable: try again at the next tick.
    }
  }

  #stop(reason: string): void {
    this.stopReason ??= reason;
    this.#controller.abort(new Error(reason));
  }
}

async function settleSuccess(deps: Deps, job: ExportJobRow, r: Produced): Promise<void> {
  const now = deps.now();
  const committed = await inTransaction(deps, async (tx) => {
    const ok = await repo.updateJobIf(
      tx.db,
      job.id,
      { run: job.run, statuses: ['DOING_EXPORT'] },
      {
        status: 'EXPORT_SUCCESS',
        rows_done: r.rows,
        finished_at: now,
        message: null,
        stop_requested: null,
        file_key: r.key,
        file_bytes: r.size,
        file_sha256: r.sha256,
        manifest: JSON.stringify(r.manifest),
        expires_at: now + deps.config.exports.retentionDays * 86_400_000,
        purged_at: null,
        removed: 0,
      },
      now,
    );
    if (!ok) return false;
    const row = await ticketRepo.findTicket(tx.db, job.tenant_id, job.ticket_id);
    if (row) await applyAction(tx, null, row, 'EXECUTION_SUCCEEDED', { parties: new Set(['SYSTEM']), comment: `${r.rows} rows in ${r.manifest.files.length} file(s), ${r.size} bytes` });
    return true;
  });
  // Another run took over meanwhile: this run's file is nobody's.
  if (!committed) await deps.files.delete(r.key);
  else if (job.file_key && job.file_key !== r.key) await deps.files.delete(job.file_key);
  if (committed) {
    deps.metrics.exportRows.inc(r.rows);
    deps.metrics.exportBytes.inc(r.size);
  }
}

async function settleFailure(deps: Deps, job: ExportJobRow, message: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const ok = await repo.updateJobIf(tx.db, job.id, { run: job.run, statuses: ['DOING_EXPORT'] }, { status: 'EXPORT_FAIL', finished_at: tx.now(), message: message.slice(0, 2000), stop_requested: null }, tx.now());
    if (!ok) return;
    const row = await ticketRepo.findTicket(tx.db, job.tenant_id, job.ticket_id);
    if (row?.status === 'processing') await applyAction(tx, null, row, 'EXECUTION_FAILED', { parties: new Set(['SYSTEM']), comment: message.slice(0, 2000) });
  });
}

/** The job's message for an error: a full disk (or quota) of the local file store says so. */
function failureMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return `the file store has no space left: the disk is full (${(e as Error).message}); nothing was kept. Free space in OPENDMS_FILES_DIR, then RestartDataExportJob runs the export again`;
  }
  return (e as Error).message;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'db';
}
