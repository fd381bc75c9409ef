/**
 * Export formats: the rows of a query (src/connectors/result-set.ts) streamed into a file. Values
 * are exact in every format and NULL is always distinct from ''; see each writer for its rules.
 */
import type { Writable } from 'node:stream';
import type { Cell, ResultColumn } from '../../../connectors/result-set.js';
import { csvWriter } from './csv.js';
import { createEncoder, type ExportEncoding, isUtf8 } from './encoding.js';
import { jsonWriter } from './json.js';
import { type SqlDialect, sqlWriter } from './sql.js';
import { type TextFormatWriter, writeText } from './text-format.js';
import { txtWriter } from './txt.js';
import { writeXlsx } from './xlsx.js';

export { ExportValueError } from './errors.js';
export { EXPORT_ENCODINGS, type ExportEncoding } from './encoding.js';
export type { SqlDialect } from './sql.js';

export type ExportFormat = 'CSV' | 'TXT' | 'JSON' | 'SQL' | 'XLSX';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['CSV', 'TXT', 'JSON', 'SQL', 'XLSX'];

export interface FormatOptions {
  /** Ignored for XLSX (always UTF-8 XML). */
  encoding: ExportEncoding;
  /** A character the encoding cannot represent: a clear ExportValueError (default), or '?'. */
  unmappable: 'error' | 'replace';
  /** UTF-8 BOM at the start (only for UTF-8 CSV/TXT; ignored otherwise). */
  csvBom: boolean;
  /** Default true: neutralise spreadsheet formulas in text cells (and the header) with a leading `'`. */
  csvFormulaEscape: boolean;
  /** JSON Lines instead of one array document. */
  jsonLines: boolean;
  sqlDialect: SqlDialect;
  /** Target table of the INSERTs. */
  sqlTable: { schema?: string | undefined; name: string };
  /** Rows per multi-row INSERT; default 100. */
  sqlRowsPerInsert: number;
  /** What the rows came from (database, query), named in the SQL file's first comment line; default the table. */
  sqlSource?: string | undefined;
}

export function defaultFormatOptions(table: string): FormatOptions {
  return {
    encoding: 'UTF8',
    unmappable: 'error',
    csvBom: false,
    csvFormulaEscape: true,
    jsonLines: false,
    sqlDialect: 'mysql',
    sqlTable: { name: table },
    sqlRowsPerInsert: 100,
  };
}

/** The usual file extension, with the dot. */
export function formatExtension(format: ExportFormat, options: Pick<FormatOptions, 'jsonLines'>): string {
  if (format === 'JSON' && options.jsonLines) return '.jsonl';
  return `.${format.toLowerCase()}`;
}

function textWriter(format: Exclude<ExportFormat, 'XLSX'>, columns: readonly ResultColumn[], options: FormatOptions): TextFormatWriter {
  switch (format) {
    case 'CSV':
      return csvWriter(columns, options);
    case 'TXT':
      return txtWriter(columns);
    case 'JSON':
      return jsonWriter(columns, options);
    case 'SQL':
      return sqlWriter(columns, options);
  }
}

/**
 * Streams all rows into `out` with back-pressure (await drain); returns counts (`bytes` as written
 * to `out`; for XLSX the zip's). Never buffers the whole result. Never ends `out`: the caller does
 * (and destroys it when this rejects). Throws ExportValueError for a value the format cannot write.
 */
export function writeRows(
  format: ExportFormat,
  columns: readonly ResultColumn[],
  batches: AsyncIterable<Cell[][]>,
  out: NodeJS.WritableStream | Writable,
  options: FormatOptions,
  onProgress?: (rowsSoFar: number) => void,
): Promise<{ rows: number; bytes: number }> {
  if (format === 'XLSX') return writeXlsx(columns, batches, out, onProgress);
  const encoder = createEncoder(options.encoding, options.unmappable);
  const bom = options.csvBom && (format === 'CSV' || format === 'TXT') && isUtf8(options.encoding);
  return writeText(textWriter(format, columns, options), columns, batches, out, encoder, bom, onProgress);
}
