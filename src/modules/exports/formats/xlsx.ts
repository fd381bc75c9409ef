/**
 * XLSX written as SpreadsheetML by hand and streamed into a zip: each sheet's XML is written as
 * bytes, a batch of rows at a time, straight into its deflated zip entry (package/zip-writer.ts,
 * the export zip's own writer: native CRC-32, no SHA-256 for the parts, `out` left open), so
 * memory stays flat in the row count (exceljs cannot be used: its RSS grows with the rows,
 * 414 MB at 1M rows).
 *
 * Inline strings (no shared-strings table, which would have to be held in memory), typed cells:
 * numbers Excel holds exactly (≤ 15 significant digits) as numbers, others as text; booleans;
 * `date` and `datetime` as date serials with a date format; everything else as text, binary as
 * `\x` + hex. A new sheet every 1,048,575 data rows, each with the header row.
 *
 * Why bytes and not one string per batch, and not archiver (as before): at 1M rows × 8 columns,
 * flattening each batch's rope of cell strings into a Buffer, archiver's JavaScript CRC-32 and its
 * stream layers were ~1.3 s of main-thread CPU out of ~5, and the numbers' text (String(n), see
 * values.ts numberString) was old-generation garbage that made the RSS grow by ~70 MB at 1M rows.
 */
import type { Writable } from 'node:stream';
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { ZipWriter, type ZipEntry } from '../package/zip-writer.js';
import { ExportValueError } from './errors.js';
import { drained, type Out } from './output.js';
import { Utf8Out } from './utf8-out.js';
import { hex, numberString, numberText } from './values.js';
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
  xmlText,
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

export class TooLong extends Error {}

/** XML whitespace: space, TAB, LF, CR (as inlineString in xlsx-cells.ts, which writes the header). */
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

const TEXT_START = ' t="inlineStr"><is><t>';
const TEXT_START_PRESERVE = ' t="inlineStr"><is><t xml:space="preserve">';
const TEXT_END = '</t></is></c>';
const VALUE_START = '><v>';
const VALUE_END = '</v></c>';

/** Copies the ASCII string `s` into `buf` at `p` (room made by the caller); returns the new position. */
function put(buf: Buffer, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

/**
 * An inline-string cell, as xlsx-cells.ts inlineString writes it (no style: data cells). Text that
 * is printable ASCII without `& < > _` (nearly every cell) is copied as it is checked, in one
 * pass; anything else goes through xmlText and Buffer#write.
 */
export function textCell(out: Utf8Out, open: string, value: string): void {
  const len = value.length;
  if (len > MAX_CELL_CHARS) throw new TooLong(`${len} characters; an XLSX cell holds at most 32,767`);
  out.room(open.length + TEXT_START_PRESERVE.length + len + TEXT_END.length);
  const buf = out.buf;
  const preserve = len > 0 && (isSpace(value.charCodeAt(0)) || isSpace(value.charCodeAt(len - 1)));
  let p = put(buf, put(buf, out.pos, open), preserve ? TEXT_START_PRESERVE : TEXT_START);
  for (let i = 0; i < len; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80 || c === 38 || c === 60 || c === 62 || c === 95 || (c < 0x20 && c !== 9 && c !== 10)) {
      out.pos = p - i; // the text's start: the rest of it is escaped (and may not be ASCII)
      out.text(xmlText(value));
      out.ascii(TEXT_END);
      return;
    }
    buf[p++] = c;
  }
  out.pos = put(buf, p, TEXT_END);
}

/** `<c…><v>text</v></c>` with `attributes` (a style) after `open`; `text` is ASCII. */
export function valueCell(out: Utf8Out, open: string, attributes: string, text: string): void {
  out.room(open.length + attributes.length + text.length + VALUE_START.length + VALUE_END.length);
  out.pos = put(out.buf, put(out.buf, put(out.buf, put(out.buf, out.pos, open), attributes), VALUE_START), text);
  out.pos = put(out.buf, out.pos, VALUE_END);
}

/** `open` is the cell's start tag up to its attributes: `<c`, or `<c r="B7"` after a gap. */
function stringCell(out: Utf8Out, open: string, kind: ColumnKind, value: string): void {
  switch (kind) {
    case 'integer':
    case 'decimal':
    case 'float': {
      const number = excelNumberText(value);
      if (number !== undefined) return valueCell(out, open, '', number);
      break;
    }
    case 'date': {
      const serial = dateSerial(value);
      if (serial !== undefined) return valueCell(out, open, ` s="${STYLE_DATE}"`, numberString(serial));
      break;
    }
    case 'datetime': {
      const serial = datetimeSerial(value);
      if (serial !== undefined) return valueCell(out, open, value.length > 19 ? ` s="${STYLE_DATETIME_FRACTION}"` : ` s="${STYLE_DATETIME}"`, numberString(serial));
      break;
    }
  }
  textCell(out, open, value);
}

export function cell(out: Utf8Out, open: string, kind: ColumnKind, value: Cell): void {
  switch (typeof value) {
    case 'string':
      return stringCell(out, open, kind, value);
    case 'number': {
      if (Number.isInteger(value) && value < 1e15 && value > -1e15) {
        out.room(open.length + VALUE_START.length);
        out.pos = put(out.buf, put(out.buf, out.pos, open), VALUE_START);
        if (value === 0) out.byte(48); // (-0 too, as String(-0) writes it)
        else out.number(value);
        out.ascii(VALUE_END);
        return;
      }
      const digits = numberText(value);
      const number = excelNumberText(digits);
      return number !== undefined ? valueCell(out, open, '', number) : textCell(out, open, digits);
    }
    case 'boolean':
      return valueCell(out, open, ' t="b"', value ? '1' : '0');
    default:
      return textCell(out, open, `\\x${hex(value as Uint8Array)}`);
  }
}

/**
 * Writes the XML of rows `batch[from..to)` into `out`, as Excel rows `firstExcelRow`… (row 1 is
 * the header); `firstDataRow` is the 1-based data row of `batch[from]`, for errors.
 */
export function writeRowsXml(
  out: Utf8Out,
  columns: readonly ResultColumn[],
  kinds: readonly ColumnKind[],
  letters: readonly string[],
  batch: readonly Cell[][],
  from: number,
  to: number,
  firstExcelRow: number,
  firstDataRow: number,
  allReferences: boolean,
): void {
  const n = columns.length;
  let r = from;
  let i = 0;
  try {
    for (; r < to; r++) {
      const row = batch[r]!;
      const rn = firstExcelRow + r - from;
      out.ascii('<row r="');
      out.number(rn);
      out.ascii('">');
      // A cell's `r` is optional (ECMA-376 §18.3.1.4: it follows the previous cell). Unless
      // `allReferences`, it is written only after a gap (NULL has no cell; '' is an empty text
      // cell), which saves a quarter of the XML (see XlsxLimits).
      let gap = allReferences;
      for (i = 0; i < n; i++) {
        const v = row[i];
        if (v === null || v === undefined) gap = true;
        else {
          cell(out, gap ? `<c r="${letters[i]!}${rn}"` : '<c', kinds[i]!, v);
          gap = allReferences;
        }
      }
      out.ascii('</row>');
    }
  } catch (error) {
    if (error instanceof TooLong) throw new ExportValueError(firstDataRow + r - from, columns[i]!.name, error.message);
    throw error;
  }
}

/**
 * Rows to write as sheet XML, a piece at a time: a batch of cells (below), or COPY's text bytes
 * (pg-copy-xlsx.ts). `write` writes up to `maxRows` of the rows not yet written, as Excel rows
 * `firstExcelRow`… (`firstDataRow`: their 1-based data row, for errors), and returns how many.
 */
export interface XlsxRowChunk {
  readonly done: boolean;
  write(out: Utf8Out, maxRows: number, firstExcelRow: number, firstDataRow: number, allReferences: boolean): number;
}

/** A batch of cells as a chunk. */
class CellRows implements XlsxRowChunk {
  #from = 0;

  constructor(
    private readonly batch: readonly Cell[][],
    private readonly columns: readonly ResultColumn[],
    private readonly kinds: readonly ColumnKind[],
    private readonly letters: readonly string[],
  ) {}

  get done(): boolean {
    return this.#from >= this.batch.length;
  }

  write(out: Utf8Out, maxRows: number, firstExcelRow: number, firstDataRow: number, allReferences: boolean): number {
    const from = this.#from;
    const to = Math.min(this.batch.length, from + maxRows);
    writeRowsXml(out, this.columns, this.kinds, this.letters, this.batch, from, to, firstExcelRow, firstDataRow, allReferences);
    this.#from = to;
    return to - from;
  }
}

export function writeXlsx(
  columns: readonly ResultColumn[],
  batches: AsyncIterable<Cell[][]>,
  out: Out,
  onProgress?: (rowsSoFar: number) => void,
  limits: XlsxLimits = {},
): Promise<{ rows: number; bytes: number }> {
  const kinds = columns.map((c) => c.kind);
  const letters = columns.map((_, i) => columnLetters(i));
  // (Wrapped one by one, not by an async generator of its own: an extra async layer kept each
  // batch alive long enough to reach the old generation, and the RSS grew by ~100 MB at 1M rows.)
  return writeXlsxChunks(columns, batches, out, onProgress, limits, (batch) => new CellRows(batch, columns, kinds, letters));
}

/** The workbook of `chunks` (rows of `columns`) into `out`; see writeXlsx. */
export async function writeXlsxChunks<T>(
  columns: readonly ResultColumn[],
  source: AsyncIterable<T>,
  out: Out,
  onProgress: ((rowsSoFar: number) => void) | undefined,
  limits: XlsxLimits,
  chunkOf: (item: T) => XlsxRowChunk,
): Promise<{ rows: number; bytes: number }> {
  if (columns.length > XLSX_MAX_COLUMNS) throw new ExportValueError(0, '', `an XLSX sheet holds at most 16,384 columns; the result has ${columns.length}`);
  for (const c of columns) if (c.name.length > MAX_CELL_CHARS) throw new ExportValueError(0, c.name.slice(0, 64), 'the column name is longer than an XLSX cell holds');
  const perSheet = Math.max(1, limits.rowsPerSheet ?? XLSX_ROWS_PER_SHEET);
  const level = limits.compressionLevel ?? 1;
  const allReferences = limits.allReferences ?? false;
  const header = (): string => `<row r="1">${columns.map((c) => inlineString('<c', c.name, ` s="${STYLE_HEADER}"`)).join('')}</row>`;

  // The workbook's zip goes into `out` as it is written (back-pressure: an entry's write waits
  // for `out`), and leaves `out` open: the caller ends it.
  // 1 MiB of buffer (about three batches of XML): the next batch is written while deflate, in the
  // thread pool, compresses the last (with 128 KiB they took turns: PostgreSQL, 1M rows, −0.4 s).
  const zip = new ZipWriter(out as Writable, { hash: false, endOut: false, bufferBytes: 1 << 20 });
  const latch = failureLatch();
  const { failure, fail } = latch;
  const onOutClose = (): void => fail(new Error('The output stream was closed before the export finished'));
  out.on('error', fail);
  out.on('close', onOutClose);

  let entry: ZipEntry | undefined;
  let sheets = 0;
  let sheetRows = 0;
  let rows = 0;
  /** Expected bytes of the next batch's XML (the last one's): its buffer is sized from it. */
  let batchBytes = 0;
  const open = (name: string): ZipEntry => {
    const e = zip.entry(name, { level });
    e.on('error', fail);
    entry = e;
    return e;
  };
  const put = async (bytes: Buffer | string): Promise<void> => {
    if (!entry!.write(bytes)) await Promise.race([drained(entry!), failure]);
  };
  const close = async (): Promise<void> => {
    const e = entry!;
    e.end();
    await Promise.race([e.done, failure]);
    entry = undefined;
  };
  const part = async (name: string, xml: string): Promise<void> => {
    open(name);
    await put(xml);
    await close();
  };
  const closeSheet = async (): Promise<void> => {
    await put(SHEET_TAIL);
    await close();
  };
  const openSheet = async (): Promise<void> => {
    sheets++;
    sheetRows = 0;
    open(sheetPath(sheets));
    await put(SHEET_HEAD + header());
  };

  try {
    await part('_rels/.rels', ROOT_RELS);
    await part('xl/styles.xml', STYLES);
    for await (const item of source) {
      const chunk = chunkOf(item);
      while (!chunk.done) {
        if (latch.failed) await failure;
        if (entry === undefined || sheetRows === perSheet) {
          if (entry !== undefined) await closeSheet();
          await openSheet();
        }
        // A buffer of its own per batch: the entry (and what is after it) may still hold the last one.
        const xml = new Utf8Out(batchBytes);
        const n = chunk.write(xml, perSheet - sheetRows, sheetRows + 2, rows + 1, allReferences);
        batchBytes = xml.pos;
        if (xml.pos > 0) await put(xml.bytes());
        sheetRows += n;
        rows += n;
      }
      onProgress?.(rows);
    }
    if (entry === undefined) await openSheet();
    await closeSheet();
    await part('xl/workbook.xml', workbook(sheets));
    await part('xl/_rels/workbook.xml.rels', workbookRels(sheets));
    await part('[Content_Types].xml', contentTypes(sheets));
    zip.finish();
    if (latch.failed) await failure;
    return { rows, bytes: zip.bytesWritten };
  } catch (error) {
    fail(error);
    entry?.on('error', () => undefined).destroy();
    throw error;
  } finally {
    out.off('error', fail);
    out.off('close', onOutClose);
  }
}
