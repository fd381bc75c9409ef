/**
 * The precheck of a DC_BIG_FILE ticket (job `dc-precheck`, dispatched by the ticket's type), in
 * the data-change precheck rows (dc_precheck_step: the same steps GetDataCorrectOrderDetail shows):
 * 1. SQL_PARSE: the file is found, its encoding resolved (AUTO: encoding.ts); CSV: the table
 *    exists and the header (or the column count) fits it. SAFE_MODE reads the whole file: every
 *    CSV record parses, every SQL statement is split and lexed (strings, comments terminated).
 * 2. SQL_TYPE_CHECK: SAFE_MODE SQL files hold only INSERT, REPLACE, UPDATE, DELETE (and client
 *    encoding SETs, which are skipped); a CSV becomes INSERTs of its InsertType.
 * 3. PERMISSION_CHECK: the committer may still file a ticket on the database.
 * 4. ROW_CHECK: SAFE_MODE counts rows (CSV) or statements (SQL) and checks every CSV value against
 *    its column's type; a bad row fails the step naming its line, unless IgnoreError (then they are
 *    listed and will be skipped). FAST_MODE: counted at execution.
 * 5. SQL_REVIEW: the review rules are for hand-written changes; not applied to imports.
 * SAFE_MODE records each SQL statement, or each CSV batch, in dc_import_sql. One dc_precheck_sql
 * row describes the whole import: the one statement of the one job execution creates.
 * Nothing is written to the target.
 */
import type { Insertable } from 'kysely';
import type { Deps } from '../context.js';
import { resolveActor } from '../identity/authentication.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { assertMayFile } from '../tickets/tickets.js';
import type { DataImportParams } from '../tickets/types/dc-big-file.type.js';
import { runPrecheck, type StepResult } from '../data-changes/precheck-run.js';
import type { CheckStep } from '../data-changes/data-change.table.js';
import { CsvFileError } from './csv-rows.js';
import { EncodingError, type ResolvedEncoding } from './encoding.js';
import { findImportFile, resolveEncoding, withFileText, type ImportFile } from './file-source.js';
import { importBatches, LayoutError, type BatchSpec } from './import-batches.js';
import { BATCH_CHARS, BATCH_ROWS, batchSpec } from './import-spec.js';
import type { DcImportSqlTable } from './import.table.js';
import * as repo from './import.repository.js';

/** What reading the file found (SAFE_MODE: all of it; FAST_MODE: the CSV header). */
interface Reading {
  rows: number;
  batches: number;
  bad: string[];
  badCount: number;
  refused: string[];
  refusedCount: number;
  types: Set<string>;
  columns: string[];
}

const KEEP = 20;

/** Runs one precheck of a DC_BIG_FILE ticket; one already settled (a duplicate job) is left alone. */
export async function runImportPrecheck(deps: Deps, precheckId: number): Promise<void> {
  let params: DataImportParams | undefined;
  let ticketId = 0;
  await runPrecheck<Outcome | null>(deps, precheckId, {
    async check(ctx) {
      params = JSON.parse(ctx.ticket.params) as DataImportParams;
      ticketId = ctx.ticket.id;
      return check(deps, precheckId, ctx.ticket.committer_id, ctx.ticket.tenant_id, params, ctx.set);
    },
    async settle(tx, outcome, { message }) {
      const p = params ?? ({} as DataImportParams);
      const rows = outcome?.reading && p.importMode === 'SAFE_MODE' ? outcome.reading.rows - outcome.reading.badCount : null;
      if (!outcome) return { rows: null, estimate: null, passed: 'passed; rows counted at execution' };
      await repo.replaceImport(tx.db, {
        precheck_id: precheckId,
        ticket_id: ticketId,
        encoding: outcome.encoding,
        file_bytes: outcome.file.size,
        rows: p.importMode === 'SAFE_MODE' && outcome.reading ? outcome.reading.rows : null,
        bad_rows: p.importMode === 'SAFE_MODE' && outcome.reading ? outcome.reading.badCount : null,
        batch_rows: BATCH_ROWS,
        batch_chars: BATCH_CHARS,
      });
      return {
        rows: [
          {
            precheck_id: precheckId,
            db_id: outcome.target.dbId,
            position: 1,
            line: 1,
            sql: description(p, outcome),
            sql_type: 'INSERT',
            table_names: p.fileType === 'CSV' ? (p.tableName ?? '') : '',
            affect_rows: rows,
            exact: rows === null ? 0 : 1,
            review_status: 'PASS',
            findings: '[]',
            message,
          },
        ],
        estimate: rows,
        passed: rows === null ? 'passed; rows counted at execution' : `passed; ${rows} rows`,
      };
    },
  });
}

interface Outcome {
  target: TargetDatabase;
  file: ImportFile;
  encoding: ResolvedEncoding;
  detected: boolean;
  reading: Reading | null;
}

function description(p: DataImportParams, o: Outcome): string {
  const what = p.fileType === 'CSV' ? `CSV, ${o.encoding}) into table ${p.tableName}, ${p.insertType}` : `SQL, ${o.encoding})`;
  const size = p.importMode === 'SAFE_MODE' && o.reading ? `${o.reading.rows} ${p.fileType === 'CSV' ? 'rows' : 'statements'}${o.reading.badCount > 0 ? `, ${o.reading.badCount} to skip` : ''}` : 'rows counted at execution (FAST_MODE)';
  return `-- import of attachment ${p.attachmentName} (${what}, ${size}`;
}

const more = (list: string[], count: number, where: string): string => list[0]! + (count > 1 ? ` (and ${count - 1} more${where})` : '');

async function check(deps: Deps, precheckId: number, committerId: number, tenantId: number, params: DataImportParams, set: (step: CheckStep, r: StepResult) => Promise<void>): Promise<Outcome | null> {
  await set('SQL_PARSE', { status: 'RUNNING', tip: null });
  const committer = await resolveActor(deps, committerId, tenantId);
  const item = params.dbItemList[0]!;
  const target = (await resolveTargetDatabase(deps, committer, item.dbId, false)).members[0]!;
  const file = await findImportFile(deps, tenantId, params.attachmentName);
  const encoding = await resolveEncoding(deps, file, params.fileEncoding);
  const outcome: Outcome = { target, file, encoding, detected: params.fileEncoding === 'AUTO', reading: null };
  const enc = `${encoding}${outcome.detected ? ' (detected)' : ''}`;
  await repo.deleteImportSql(deps.db, precheckId);
  try {
    outcome.reading = await withConnector(deps, target.spec, async (c) => {
      const spec = await batchSpec(c, target, params, { batchRows: BATCH_ROWS, batchChars: BATCH_CHARS });
      return read(deps, precheckId, file, encoding, spec, params.importMode === 'SAFE_MODE');
    });
  } catch (e) {
    if (e instanceof LayoutError || e instanceof CsvFileError || e instanceof EncodingError) {
      await set('SQL_PARSE', { status: 'FAIL', tip: `${params.fileType} file ${params.attachmentName} (${enc}): ${e.message}` });
      return outcome;
    }
    throw e;
  }
  const r = outcome.reading;
  const safe = params.importMode === 'SAFE_MODE';
  const unit = params.fileType === 'CSV' ? 'row' : 'statement';
  if (safe && r.rows === 0) {
    await set('SQL_PARSE', { status: 'FAIL', tip: `${params.fileType} file ${params.attachmentName} (${enc}) holds no ${unit} to import.` });
    return outcome;
  }
  const cols = params.fileType === 'CSV' ? `; columns ${r.columns.join(', ')}` : '';
  await set('SQL_PARSE', { status: 'SUCCESS', tip: safe ? `${params.fileType}, ${enc}: ${r.rows} ${unit}(s) in ${r.batches} batch(es) read${cols}.` : `${params.fileType}, ${enc}${cols}; FAST_MODE: the file is read at execution.` });

  await set('SQL_TYPE_CHECK', { status: 'RUNNING', tip: null });
  if (r.refusedCount > 0) {
    await set('SQL_TYPE_CHECK', { status: 'FAIL', tip: more(r.refused, r.refusedCount, ': ListDataImportSQLPreCheckDetail lists them') });
    return outcome;
  }
  const kinds = params.fileType === 'CSV' ? `INSERT (InsertType ${params.insertType})` : safe ? [...r.types].join(', ') || 'none' : 'checked per statement at execution (FAST_MODE)';
  await set('SQL_TYPE_CHECK', { status: 'SUCCESS', tip: `Statements: ${kinds}.` });

  await set('PERMISSION_CHECK', { status: 'RUNNING', tip: null });
  try {
    await assertMayFile(deps, committer, [{ dbId: item.dbId, logic: false }]);
  } catch (e) {
    await set('PERMISSION_CHECK', { status: 'FAIL', tip: (e as Error).message });
    return outcome;
  }
  await set('PERMISSION_CHECK', { status: 'SUCCESS', tip: `${committer.nickName} may change ${target.searchName}.` });

  await set('ROW_CHECK', { status: 'RUNNING', tip: null });
  if (!safe) await set('ROW_CHECK', { status: 'SUCCESS', tip: 'FAST_MODE: rows are counted and checked at execution.' });
  else if (r.badCount > 0 && !params.ignoreError) await set('ROW_CHECK', { status: 'FAIL', tip: `${more(r.bad, r.badCount, ': ListDataImportSQLPreCheckDetail lists them')}; fix the file, or file the ticket with IgnoreError to skip bad rows.` });
  else if (r.badCount > 0) await set('ROW_CHECK', { status: 'SUCCESS', tip: `${r.rows - r.badCount} ${unit}(s) to import; ${r.badCount} bad ${unit}(s) will be skipped (IgnoreError): ${r.bad.slice(0, 5).join('; ')}${r.badCount > 5 ? ' …' : ''}` });
  else await set('ROW_CHECK', { status: 'SUCCESS', tip: `${r.rows} ${unit}(s) to import.` });
  await set('SQL_REVIEW', { status: 'SUCCESS', tip: 'Not applicable: the review rules check hand-written changes, not imported files.' });
  return outcome;
}

/** Reads the file (SAFE_MODE: all of it, recording each unit; FAST_MODE: its first batch, for the layout). */
async function read(deps: Deps, precheckId: number, file: ImportFile, encoding: ResolvedEncoding, spec: BatchSpec, safe: boolean): Promise<Reading> {
  const r: Reading = { rows: 0, batches: 0, bad: [], badCount: 0, refused: [], refusedCount: 0, types: new Set(), columns: [] };
  await withFileText(deps, file, encoding, async (text) => {
    let position = 0;
    for await (const b of importBatches(text, spec, { materializeFrom: safe ? 1 : Number.MAX_SAFE_INTEGER, strict: true })) {
      if (b.plan && r.columns.length === 0) r.columns = b.plan.columns.map((c) => c.name);
      if (!safe) return;
      r.batches++;
      r.rows += b.size;
      const records: Insertable<DcImportSqlTable>[] = [];
      const badHere: string[] = [];
      for (const u of b.units!) {
        if (u.kind === 'bad') {
          r.badCount++;
          badHere.push(u.message);
          if (r.bad.length < KEEP) r.bad.push(u.message);
        } else if (u.kind === 'refused') {
          r.refusedCount++;
          if (r.refused.length < KEEP) r.refused.push(u.message);
        } else if (u.kind !== 'row') r.types.add(u.sqlType);
        if (spec.fileType === 'SQL') {
          const failed = u.kind === 'bad' || u.kind === 'refused';
          records.push({ precheck_id: precheckId, position: ++position, line: u.line, last_line: u.line, sql_type: u.kind === 'row' ? 'INSERT' : u.sqlType, status: failed ? 'FAIL' : 'SUCCESS', rows: 1, message: failed ? u.message : u.kind === 'skip' ? 'skipped: the file is decoded by OpenDMS' : null });
        }
      }
      if (spec.fileType === 'CSV') {
        records.push({ precheck_id: precheckId, position: b.number, line: b.line, last_line: b.lastLine, sql_type: 'INSERT', status: badHere.length > 0 ? 'FAIL' : 'SUCCESS', rows: b.size, message: badHere.length > 0 ? more(badHere.slice(0, 3), badHere.length, '') : null });
      }
      await repo.insertImportSql(deps.db, records);
    }
  });
  return r;
}
