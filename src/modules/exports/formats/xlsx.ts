/**
 * XLSX written as SpreadsheetML by hand and streamed into a zip (archiver): each sheet's XML flows
 * through a PassThrough into its entry as the rows arrive, so memory stays flat in the row count
 * (exceljs cannot be used: its RSS grows with the rows, 414 MB at 1M rows).
 *
 * Inline strings (no shared-strings table, which would have to be held in memory), typed cells:
 * numbers Excel holds exactly (≤ 15 significant digits) as numbers, others as text; booleans;
 * `date` and `datetime` as date serials with a date format; everything else as text, binary as
 * `\x` + hex. A new sheet every 1,048,575 data rows, each with the header row.
 */
import { PassThrough } from 'node:stream';
import archiver from 'archiver';
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { ExportValueError } from './errors.js';
import { drained, type Out } from './output.js';
import { hex, numberText } from './values.js';
import {
  columnLetters,
  datetimeSerial,
  dateSerial,
  excelNumberText,
  inlineString,
  MAX_CELL_CHARS,
  STYLE_DATE,
  STYLE_DATETIME,
  STYLE_DATETIME_FRACTION,
  STYLE_HEADER,
} from './xlsx-cells.js';
import { contentTypes, ROOT_RELS, SHEET_HEAD, SHEET_TAIL, sheetPath, STYLES, workbook, workbookRels } from './xlsx-parts.js';
import { failureLatch } from './failure-latch.js';

/** Excel's 1,048,576 rows, less the header row. */
export const XLSX_ROWS_PER_SHEET = 1_048_575;
export const XLSX_MAX_COLUMNS = 16_384;

export interface XlsxLimits {
  /** Data rows per sheet (a parameter so that tests can roll over without a million rows). */
  rowsPerSheet?: number;
  /** Deflate level of the workbook's zip; default 1 (sheet XML compresses well even so). */
  compressionLevel?: number;
  /**
   * Give every cell its `r` reference, for readers that need it (EPPlus, ClosedXML, older exceljs).
   * Default false: only after a NULL, as ECMA-376 allows and Excel, LibreOffice, openpyxl read; with
   * all references the XML grows by a third, the zip nearly doubles and the CPU time grows ~45%.
   */
  allReferences?: boolean;
}

class TooLong extends Error {}

function text(open: string, value: string): string {
  if (value.length > MAX_CELL_CHARS) throw new TooLong(`${value.length} characters; an XLSX cell holds at most 32,767`);
  return inlineString(open, value);
}

/** `open` is the cell's start tag up to its attributes: `<c`, or `<c r="B7"` after a gap. */
function stringCell(open: string, kind: ColumnKind, value: string): string {
  switch (kind) {
    case 'integer':
    case 'decimal':
    case 'float': {
      const number = excelNumberText(value);
      if (number !== undefined) return `${open}><v>${number}</v></c>`;
      break;
    }
    case 'date': {
      const serial = dateSerial(value);
      if (serial !== undefined) return `${open} s="${STYLE_DATE}"><v>${serial}</v></c>`;
      break;
    }
    case 'datetime': {
      const serial = datetimeSerial(value);
      if (serial !== undefined) return `${open} s="${value.length > 19 ? STYLE_DATETIME_FRACTION : STYLE_DATETIME}"><v>${serial}</v></c>`;
      break;
    }
  }
  return text(open, value);
}

function cell(open: string, kind: ColumnKind, value: Cell): string {
  switch (typeof value) {
    case 'string':
      return stringCell(open, kind, value);
    case 'number': {
      if (Number.isInteger(value) && value < 1e15 && value > -1e15) return `${open}><v>${value}</v></c>`;
      const digits = numberText(value);
      const number = excelNumberText(digits);
      return number !== undefined ? `${open}><v>${number}</v></c>` : text(open, digits);
    }
    case 'boolean':
      return `${open} t="b"><v>${value ? 1 : 0}</v></c>`;
    default:
      return text(open, `\\x${hex(value as Uint8Array)}`);
  }
}

/**
 * The XML of rows `batch[from..to)`, as Excel rows `firstExcelRow`… (row 1 is the header);
 * `firstDataRow` is the 1-based data row of `batch[from]`, for errors.
 */
export function rowsXml(
  columns: readonly ResultColumn[],
  letters: readonly string[],
  batch: readonly Cell[][],
  from: number,
  to: number,
  firstExcelRow: number,
  firstDataRow: number,
  allReferences: boolean,
): string {
  const n = columns.length;
  const kinds = columns.map((c) => c.kind);
  let xml = '';
  let r = from;
  let i = 0;
  try {
    for (; r < to; r++) {
      const row = batch[r]!;
      const rn = firstExcelRow + r - from;
      xml += `<row r="${rn}">`;
      // A cell's `r` is optional (ECMA-376 §18.3.1.4: it follows the previous cell). Unless
      // `allReferences`, it is written only after a gap (NULL has no cell; '' is an empty text
      // cell), which saves a quarter of the XML (see XlsxLimits).
      let gap = allReferences;
      for (i = 0; i < n; i++) {
        const v = row[i];
        if (v === null || v === undefined) gap = true;
        else {
          xml += cell(gap ? `<c r="${letters[i]!}${rn}"` : '<c', kinds[i]!, v);
          gap = allReferences;
        }
      }
      xml += '</row>';
    }
  } catch (error) {
    if (error instanceof TooLong) throw new ExportValueError(firstDataRow + r - from, columns[i]!.name, error.message);
    throw error;
  }
  return xml;
}

export async function writeXlsx(
  columns: readonly ResultColumn[],
  batches: AsyncIterable<Cell[][]>,
  out: Out,
  onProgress?: (rowsSoFar: number) => void,
  limits: XlsxLimits = {},
): Promise<{ rows: number; bytes: number }> {
  if (columns.length > XLSX_MAX_COLUMNS) throw new ExportValueError(0, '', `an XLSX sheet holds at most 16,384 columns; the result has ${columns.length}`);
  for (const c of columns) if (c.name.length > MAX_CELL_CHARS) throw new ExportValueError(0, c.name.slice(0, 64), 'the column name is longer than an XLSX cell holds');
  const perSheet = Math.max(1, limits.rowsPerSheet ?? XLSX_ROWS_PER_SHEET);
  const letters = columns.map((_, i) => columnLetters(i));
  const allReferences = limits.allReferences ?? false;
  const header = (): string => `<row r="1">${columns.map((c) => inlineString('<c', c.name, ` s="${STYLE_HEADER}"`)).join('')}</row>`;

  const archive = archiver('zip', { zlib: { level: limits.compressionLevel ?? 1 } });
  const latch = failureLatch();
  const { failure, fail } = latch;
  const onOutClose = (): void => fail(new Error('The output stream was closed before the export finished'));
  // Kept for good: the archive may still report an error after we gave up on it.
  archive.on('error', fail);
  archive.on('warning', fail);
  out.on('error', fail);
  out.on('close', onOutClose);
  let bytes = 0;
  archive.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const ended = new Promise<void>((resolve) => archive.once('end', resolve));
  archive.pipe(out as NodeJS.WritableStream, { end: false });

  let sheet: PassThrough | undefined;
  let sheets = 0;
  let sheetRows = 0;
  let rows = 0;
  const put = async (xml: string): Promise<void> => {
    if (!sheet!.write(xml)) await Promise.race([drained(sheet!), failure]);
  };
  const closeSheet = async (): Promise<void> => {
    await put(SHEET_TAIL);
    sheet!.end();
  };
  const openSheet = async (): Promise<void> => {
    sheets++;
    sheetRows = 0;
    sheet = new PassThrough();
    archive.append(sheet, { name: sheetPath(sheets) });
    await put(SHEET_HEAD + header());
  };

  try {
    archive.append(ROOT_RELS, { name: '_rels/.rels' });
    archive.append(STYLES, { name: 'xl/styles.xml' });
    for await (const batch of batches) {
      let from = 0;
      while (from < batch.length) {
        if (latch.failed) await failure;
        if (sheet === undefined || sheetRows === perSheet) {
          if (sheet !== undefined) await closeSheet();
          await openSheet();
        }
        const to = Math.min(batch.length, from + perSheet - sheetRows);
        const xml = rowsXml(columns, letters, batch, from, to, sheetRows + 2, rows + 1, allReferences);
        await put(xml);
        sheetRows += to - from;
        rows += to - from;
        from = to;
      }
      onProgress?.(rows);
    }
    if (sheet === undefined) await openSheet();
    await closeSheet();
    archive.append(workbook(sheets), { name: 'xl/workbook.xml' });
    archive.append(workbookRels(sheets), { name: 'xl/_rels/workbook.xml.rels' });
    archive.append(contentTypes(sheets), { name: '[Content_Types].xml' });
    archive.finalize().catch(fail);
    await Promise.race([ended, failure]);
    return { rows, bytes };
  } catch (error) {
    fail(error);
    archive.unpipe(out as NodeJS.WritableStream);
    sheet?.destroy();
    archive.abort();
    archive.destroy();
    throw error;
  } finally {
    out.off('error', fail);
    out.off('close', onOutClose);
  }
}
