/**
 * What the SAFE_MODE precheck of an import recorded (ListDataImportSQLPreCheckDetail,
 * ListDataImportSQLType) and the SQL of one recorded unit (GetDataImportSQL). The store keeps no
 * copy of the file's SQL: GetDataImportSQL reads the file again up to the unit asked for and
 * renders it as the execution would send it (a SQL statement as written; a CSV batch as its
 * multi-row INSERT, with the rows the check refused named in a comment).
 */
import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { withConnector } from '../instances/connections.js';
import { physicalTarget } from '../instances/owners.js';
import * as dcRepo from '../data-changes/data-change.repository.js';
import { visibleDataChange } from '../data-changes/detail.js';
import type { DataImportParams } from '../tickets/types/dc-big-file.type.js';
import type { ResolvedEncoding } from './encoding.js';
import { findImportFile, withFileText } from './file-source.js';
import { importBatches, rowTuple } from './import-batches.js';
import { batchSpec } from './import-spec.js';
import type { ImportSqlStatus } from './import.table.js';
import * as repo from './import.repository.js';
import { insertSql } from './insert-sql.js';
import { fileStatements } from './sql-statements.js';

async function safeModeImport(deps: Deps, actor: Actor, orderId: number) {
  const ticket = await visibleDataChange(deps, actor, orderId, ['DC_BIG_FILE']);
  const params = ticket.params as DataImportParams;
  if (params.importMode !== 'SAFE_MODE') {
    throw new AppError('InvalidStatus', `Ticket ${orderId} imports in FAST_MODE: its file is read at execution, so no statement was recorded (file it with ImportMode SAFE_MODE).`);
  }
  const precheck = await dcRepo.latestPrecheck(deps.db, orderId);
  const imp = precheck ? await repo.findImport(deps.db, precheck.id) : undefined;
  return { ticket, params, precheck, imp };
}

export interface ImportSqlPage {
  totalCount: number;
  items: { sqlId: number; sqlType: string; status: ImportSqlStatus; skip: boolean; line: number; lastLine: number; rows: number; message: string | null }[];
}

/** ListDataImportSQLPreCheckDetail. */
export async function importPrecheckUnits(deps: Deps, actor: Actor, orderId: number, filter: { sqlType?: string | undefined; status?: ImportSqlStatus | undefined }, page: { number: number; size: number }): Promise<ImportSqlPage> {
  const { precheck } = await safeModeImport(deps, actor, orderId);
  if (!precheck) return { totalCount: 0, items: [] };
  const [totalCount, rows] = await Promise.all([repo.countImportSql(deps.db, precheck.id, filter), repo.pageImportSql(deps.db, precheck.id, filter, (page.number - 1) * page.size, page.size)]);
  return {
    totalCount,
    items: rows.map((r) => ({ sqlId: r.position, sqlType: r.sql_type, status: r.status, skip: r.sql_type === 'SET' && r.status === 'SUCCESS', line: r.line, lastLine: r.last_line, rows: Number(r.rows), message: r.message })),
  };
}

/** ListDataImportSQLType. */
export async function importSqlTypes(deps: Deps, actor: Actor, orderId: number): Promise<string[]> {
  const { precheck } = await safeModeImport(deps, actor, orderId);
  return precheck ? repo.distinctSqlTypes(deps.db, precheck.id) : [];
}

/** GetDataImportSQL: the SQL of statement (SQL file) or batch (CSV) `sqlId`. */
export async function importSql(deps: Deps, actor: Actor, orderId: number, sqlId: number): Promise<string> {
  const { ticket, params, precheck, imp } = await safeModeImport(deps, actor, orderId);
  const unit = precheck && imp ? await repo.findImportSql(deps.db, precheck.id, sqlId) : undefined;
  if (!precheck || !imp || !unit) throw new AppError('InvalidSqlId', `Specified parameter SqlId is not valid: the precheck of ticket ${orderId} recorded no statement ${sqlId} (ListDataImportSQLPreCheckDetail lists them).`);
  const file = await findImportFile(deps, ticket.row.tenant_id, params.attachmentName);
  const encoding = imp.encoding as ResolvedEncoding;
  const target = await physicalTarget(deps, ticket.row.tenant_id, params.dbItemList[0]!.dbId);
  if (!target) throw new AppError('InvalidStatus', `The database of ticket ${orderId} no longer exists.`);
  if (params.fileType === 'SQL') {
    return withFileText(deps, file, encoding, async (text) => {
      for await (const s of fileStatements(text as AsyncIterable<string>, target.engine)) if (s.index === sqlId) return s.text;
      throw new AppError('InvalidSqlId', `Specified parameter SqlId is not valid: the file of ticket ${orderId} has no statement ${sqlId} any more.`);
    });
  }
  return withConnector(deps, target.spec, async (c) => {
    const spec = await batchSpec(c, target, params, { batchRows: imp.batch_rows, batchChars: imp.batch_chars });
    return withFileText(deps, file, encoding, async (text) => {
      for await (const b of importBatches(text, spec, { materializeFrom: sqlId, strict: false })) {
        if (b.number !== sqlId) continue;
        const units = b.units!;
        const refused = units.flatMap((u) => (u.kind === 'bad' ? [`-- not imported: ${u.message}`] : []));
        const tuples = units.flatMap((u) => (u.kind === 'row' ? [rowTuple(b.plan!, u)] : []));
        return [`-- batch ${b.number}: lines ${b.line}–${b.lastLine}`, ...refused, tuples.length > 0 ? `${insertSql(b.plan!, tuples)};` : '-- (no row to insert)'].join('\n');
      }
      throw new AppError('InvalidSqlId', `Specified parameter SqlId is not valid: the file of ticket ${orderId} has no batch ${sqlId} any more.`);
    });
  });
}
