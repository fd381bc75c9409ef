import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { type Out, writeChunk } from './output.js';
import { numberText } from './values.js';

/**
 * The PostgreSQL fast path for CSV: the engine's own `COPY … TO STDOUT (FORMAT csv, HEADER)` bytes
 * (Connector.copyCsv), adapted byte by byte to what csv.ts writes, so a CSV export reads the same
 * whichever path made it:
 * - records end in CRLF (COPY writes LF; a LF inside a quoted value is data and stays);
 * - booleans are `true`/`false` (COPY writes `t`/`f`);
 * - text and JSON cells (and header names) starting with = + - @ TAB or CR get a leading `'`
 *   (formula neutralisation, when on). PostgreSQL's text of the other kinds never needs it: a
 *   number or a date starting with `-` is a number or `-infinity`, which csv.ts leaves alone too.
 * - floats that PostgreSQL writes in exponent form (`1e+20`, `-1.5e-07`) are rewritten as JavaScript
 *   prints the same double (`100000000000000000000`, `-1.5e-7`): the digits are the same shortest
 *   round-trip digits (extra_float_digits=3), only the notation differs.
 * Quoting, NULL (empty unquoted) versus '' (`""`), binary (`\x…` hex), decimals and dates are
 * already the same.
 *
 * Why: the row path costs a JS object per cell; this path copies the engine's bytes in slices,
 * which is what brings a PostgreSQL CSV export close to `psql \copy` (bench/exports.bench.ts).
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CRLF = Buffer.from('\r\n');
const APOSTROPHE = Buffer.from("'");
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

function isFormulaStart(b: number): boolean {
  return b === 0x3d || b === 0x2b || b === 0x2d || b === 0x40 || b === 0x09 || b === CR;
}

/** What a column's fields need: nothing, formula escaping, t/f → true/false, float notation. */
const NONE = 0;
const ESCAPE = 1;
const BOOLEAN = 2;
const FLOAT = 3;

function treatmentOf(kind: ColumnKind, formulaEscape: boolean): number {
  if (kind === 'boolean') return BOOLEAN;
  if (kind === 'float') return FLOAT;
  return formulaEscape && (kind === 'text' || kind === 'json') ? ESCAPE : NONE;
}

/**
 * A byte scanner over COPY's CSV. Speed matters (it sees every byte of the export): the state
 * lives in locals during a chunk, and plain stretches are skipped with `indexOf` (memchr) — to the
 * next quote inside a quoted field, to the next comma or LF outside one — with the positions of
 * the next comma and LF cached per chunk.
 */
export class PgCopyCsvAdapter extends Transform {
  /** Data rows seen so far (the header excluded). */
  rows = 0;
  readonly #rowTreatment: number[];
  readonly #headerTreatment: number[];
  #inQuotes = false;
  /** The previous byte was a quote inside a quoted field: either its end or the first of `""`. */
  #quotePending = false;
  #atFieldStart = true;
  #column = 0;
  #header = true;
  /** Inside an (always unquoted) float field: its text so far, from earlier chunks. */
  #float: string | null = null;
  /** A quoted text field just opened: its first content byte decides the formula escape. */
  #escapeFirst = false;

  constructor(columns: readonly ResultColumn[], formulaEscape: boolean) {
    super();
    this.#rowTreatment = columns.map((c) => treatmentOf(c.kind, formulaEscape));
    this.#headerTreatment = columns.map(() => treatmentOf('text', formulaEscape));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const n = chunk.length;
    // Output: the chunk's bytes plus what is inserted (CR per record, `'`, `rue`/`alse`); grown if needed.
    let out = Buffer.allocUnsafe(n + (n >> 2) + 64);
    let pos = 0;
    let from = 0;
    const room = (extra: number): void => {
      if (pos + extra <= out.length) return;
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, pos + extra + 64));
      out.copy(bigger, 0, 0, pos);
      out = bigger;
    };
    /** Copies the input from `from` up to `to`, then `insert`. */
    const emit = (to: number, insert?: Buffer): void => {
      const len = to - from + (insert ? insert.length : 0);
      room(len);
      if (to > from) pos += chunk.copy(out, pos, from, to);
      if (insert) pos += insert.copy(out, pos);
      from = to;
    };
    let inQuotes = this.#inQuotes;
    let quotePending = this.#quotePending;
    let atFieldStart = this.#atFieldStart;
    let column = this.#column;
    let header = this.#header;
    let rows = this.rows;
    let float = this.#float;
    let escapeFirst = this.#escapeFirst;
    let treatments = header ? this.#headerTreatment : this.#rowTreatment;
    let floatFrom = 0;
    let nextComma = -2;
    let nextLf = -2;
    let i = 0;
    while (i < n) {
      if (float !== null) {
        // Inside a float field: it ends at the next comma or LF. Only the exponent form (an `e`)
        // is rewritten; otherwise its bytes pass through untouched.
        if (nextComma !== -1 && nextComma < i) nextComma = chunk.indexOf(COMMA, i);
        if (nextLf !== -1 && nextLf < i) nextLf = chunk.indexOf(LF, i);
        const end = nextComma === -1 ? nextLf : nextLf === -1 ? nextComma : Math.min(nextComma, nextLf);
        const stop = end === -1 ? n : end;
        const e = chunk.indexOf(0x65, floatFrom);
        if (float !== '' || (e !== -1 && e < stop)) {
          // Rare: exponent form, or a field split across chunks. Handled as text.
          float += chunk.toString('latin1', floatFrom, stop);
          from = stop;
          if (end === -1) {
            i = n;
            break;
          }
          emit(end, Buffer.from(float.includes('e') ? numberText(Number(float)) : float, 'latin1'));
        } else if (end === -1) {
          float += chunk.toString('latin1', floatFrom, n);
          from = n;
          i = n;
          break;
        }
        float = null;
        i = end;
        continue;
      }
      const b = chunk[i]!;
      if (quotePending) {
        quotePending = false;
        if (b === QUOTE) {
          i++; // `""`: an escaped quote, still inside the field
          continue;
        }
        inQuotes = false; // that was the closing quote; b is a comma or LF
      } else if (inQuotes) {
        if (escapeFirst) {
          escapeFirst = false;
          if (b !== QUOTE && isFormulaStart(b)) emit(i, APOSTROPHE);
        }
        const q = chunk.indexOf(QUOTE, i);
        if (q === -1) {
          i = n;
          break;
        }
        quotePending = true;
        i = q + 1;
        continue;
      }
      if (atFieldStart) {
        atFieldStart = false;
        const t = treatments[column] ?? NONE;
        if (b === QUOTE) {
          inQuotes = true;
          escapeFirst = t === ESCAPE; // decided on the first content byte, maybe in the next chunk
          i++;
          continue;
        }
        if (t === FLOAT && b !== COMMA && b !== LF) {
          float = '';
          floatFrom = i;
          emit(i); // the float's bytes are copied (or replaced) at its end
          continue;
        }
        if (t === BOOLEAN && (b === 0x74 || b === 0x66)) {
          emit(i, b === 0x74 ? TRUE : FALSE);
          from = i + 1;
        } else if (t === ESCAPE && isFormulaStart(b)) {
          emit(i, APOSTROPHE);
        }
      }
      if (b === COMMA) {
        column++;
        atFieldStart = true;
        i++;
        continue;
      }
      if (b === LF) {
        emit(i, CRLF);
        from = i + 1;
        if (header) {
          header = false;
          treatments = this.#rowTreatment;
        } else rows++;
        column = 0;
        atFieldStart = true;
        i++;
        continue;
      }
      // Plain bytes of an unquoted field: jump to its end.
      if (nextComma !== -1 && nextComma < i) nextComma = chunk.indexOf(COMMA, i);
      if (nextLf !== -1 && nextLf < i) nextLf = chunk.indexOf(LF, i);
      const end = nextComma === -1 ? nextLf : nextLf === -1 ? nextComma : Math.min(nextComma, nextLf);
      i = end === -1 ? n : end;
    }
    this.#inQuotes = inQuotes;
    this.#quotePending = quotePending;
    this.#atFieldStart = atFieldStart;
    this.#column = column;
    this.#header = header;
    this.rows = rows;
    this.#float = float;
    this.#escapeFirst = escapeFirst;
    emit(n);
    done(null, out.subarray(0, pos));
  }

  override _flush(done: TransformCallback): void {
    // COPY ends every record with LF, so a float field is always closed before the end.
    done(this.#float === null ? null : new Error('COPY output ended inside a field'));
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Writes COPY's CSV (from Connector.copyCsv) into `out` as csv.ts would, with back-pressure;
 * never ends `out`. UTF-8 only (the caller takes the row path for other encodings).
 */
export async function writeCopyCsv(
  csv: Readable,
  columns: readonly ResultColumn[],
  out: Out,
  options: { csvFormulaEscape: boolean; csvBom: boolean },
  onProgress?: (rowsSoFar: number) => void,
): Promise<{ rows: number; bytes: number }> {
  const adapter = new PgCopyCsvAdapter(columns, options.csvFormulaEscape);
  const feeding = pipeline(csv, adapter);
  let bytes = 0;
  try {
    if (options.csvBom) {
      await writeChunk(out, UTF8_BOM);
      bytes += UTF8_BOM.length;
    }
    for await (const chunk of adapter as AsyncIterable<Buffer>) {
      await writeChunk(out, chunk);
      bytes += chunk.length;
      onProgress?.(adapter.rows);
    }
    await feeding;
  } catch (e) {
    adapter.destroy();
    await feeding.catch(() => undefined);
    throw e;
  }
  return { rows: adapter.rows, bytes };
}
