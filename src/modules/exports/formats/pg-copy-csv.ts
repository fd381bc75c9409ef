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

type Treatment = 'escape' | 'boolean' | 'float' | 'none';

function treatmentOf(kind: ColumnKind, formulaEscape: boolean): Treatment {
  if (kind === 'boolean') return 'boolean';
  if (kind === 'float') return 'float';
  return formulaEscape && (kind === 'text' || kind === 'json') ? 'escape' : 'none';
}

export class PgCopyCsvAdapter extends Transform {
  /** Data rows seen so far (the header excluded). */
  rows = 0;
  readonly #rowTreatment: Treatment[];
  readonly #headerTreatment: Treatment[];
  #inQuotes = false;
  /** The previous byte was a quote inside a quoted field: either its end or the first of `""`. */
  #quotePending = false;
  #atFieldStart = true;
  /** Just after the opening quote of a field, before its first content byte. */
  #afterOpeningQuote = false;
  #column = 0;
  #header = true;
  /** Inside an (always unquoted) float field: its text so far, from earlier chunks. */
  #float: string | null = null;

  constructor(columns: readonly ResultColumn[], formulaEscape: boolean) {
    super();
    this.#rowTreatment = columns.map((c) => treatmentOf(c.kind, formulaEscape));
    this.#headerTreatment = columns.map(() => treatmentOf('text', formulaEscape));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const parts: Buffer[] = [];
    let from = 0;
    const cut = (to: number, insert?: Buffer): void => {
      if (to > from) parts.push(chunk.subarray(from, to));
      if (insert) parts.push(insert);
      from = to;
    };
    let floatFrom = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#float !== null) {
        if (b !== COMMA && b !== LF) continue;
        const text = this.#float + chunk.toString('latin1', floatFrom, i);
        this.#float = null;
        from = i; // drop the original text
        cut(i, Buffer.from(text.includes('e') ? numberText(Number(text)) : text, 'latin1'));
      }
      if (this.#quotePending) {
        this.#quotePending = false;
        if (b === QUOTE) continue; // `""`: an escaped quote, still inside the field
        this.#inQuotes = false; // the closing quote; b is a separator or a record end
      } else if (this.#inQuotes) {
        if (this.#afterOpeningQuote) {
          this.#afterOpeningQuote = false;
          if (this.#treatment() === 'escape' && isFormulaStart(b) && b !== QUOTE) cut(i, APOSTROPHE);
        }
        if (b === QUOTE) this.#quotePending = true;
        continue;
      }
      if (this.#atFieldStart) {
        this.#atFieldStart = false;
        if (b === QUOTE) {
          this.#inQuotes = true;
          this.#afterOpeningQuote = true;
          continue;
        }
        const t = this.#treatment();
        if (t === 'float' && b !== COMMA && b !== LF) {
          // Held back until its end (maybe in a later chunk), then written in JavaScript's notation.
          cut(i);
          this.#float = '';
          floatFrom = i;
          continue;
        }
        if (t === 'boolean' && (b === 0x74 || b === 0x66)) {
          cut(i, b === 0x74 ? TRUE : FALSE);
          from = i + 1;
          continue;
        }
        if (t === 'escape' && isFormulaStart(b)) cut(i, APOSTROPHE);
      }
      if (b === COMMA) {
        this.#column++;
        this.#atFieldStart = true;
      } else if (b === LF) {
        cut(i, CRLF);
        from = i + 1;
        if (this.#header) this.#header = false;
        else this.rows++;
        this.#column = 0;
        this.#atFieldStart = true;
      }
    }
    if (this.#float !== null) {
      this.#float += chunk.toString('latin1', floatFrom, chunk.length);
      from = chunk.length;
    }
    cut(chunk.length);
    done(null, parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }

  override _flush(done: TransformCallback): void {
    // COPY ends every record with LF, so a float field is always closed before the end.
    done(this.#float === null ? null : new Error('COPY output ended inside a field'));
  }

  #treatment(): Treatment {
    return (this.#header ? this.#headerTreatment : this.#rowTreatment)[this.#column] ?? 'none';
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
