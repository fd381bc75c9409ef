/**
 * What an import reads its file as, shared by the precheck, the execution and GetDataImportSQL:
 * the batch sizes (fixed per precheck run in dc_import, so a resumed run cuts the same batches)
 * and, for CSV, the target table as the connector describes it.
 */
import type { Connector } from '../../connectors/index.js';
import type { TargetDatabase } from '../instances/owners.js';
import type { DataImportParams } from '../tickets/types/dc-big-file.type.js';
import { LayoutError, type BatchSpec } from './import-batches.js';
import { readTargetTable } from './target-table.js';

/**
 * CSV rows per batch (one multi-row INSERT, one transaction with its marker), and at most this many
 * statements per transaction of a SQL file. Each batch pays a fixed cost (BEGIN, marker row, the
 * marker's count, COMMIT with its log flush, the pause check in the store): 5,000 rows per batch
 * imported 1,000,000 CSV rows in 18.2 s on PostgreSQL and 14.8 s on SQLite, against 45.8 s and
 * 29.6 s with 1,000 (bench/imports.bench.ts, same machine). A refused batch's row-by-row retry
 * stays short at this size.
 */
export const BATCH_ROWS = 5000;
/** A batch also closes once it holds this many characters of values or SQL: well under MariaDB's default max_allowed_packet (16 MiB). */
export const BATCH_CHARS = 4 * 1024 * 1024;

export const databaseOf = (t: TargetDatabase): string => (t.engine === 'sqlite' ? 'main' : t.schemaName);

export async function batchSpec(c: Connector, target: TargetDatabase, params: DataImportParams, sizes: { batchRows: number; batchChars: number }): Promise<BatchSpec> {
  if (params.fileType === 'SQL') return { fileType: 'SQL', engine: target.engine, ...sizes };
  const table = await readTargetTable(c, databaseOf(target), params.tableName ?? '', target.queryTimeoutMs);
  if (!table) throw new LayoutError(`table ${params.tableName} does not exist in ${target.searchName} (or is a view)`);
  return { fileType: 'CSV', engine: target.engine, table, header: params.csvFirstRowIsColumnDef, insertType: params.insertType, ...sizes };
}
