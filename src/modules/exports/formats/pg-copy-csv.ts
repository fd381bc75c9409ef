import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { drained, isDestroyed, type Out, writeChunk } from './output.js';
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
 * Why: the row path costs a JS object per cell; this path scans and copies the engine's bytes,
 * which is what brings a PostgreSQL CSV export close to `psql \copy` (bench/exports.bench.ts).
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const APOSTROPHE = 0x27;
const LOWER_E = 0x65;

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

/** The size of the output buffers (a multiple of COPY's chunks, which are 8 to 64 KiB). */
const OUTPUT_BYTES = 256 * 1024;

/**
 * The index (0–3) of the first byte flagged in a SWAR mask (`0x80` per flagged byte, little
 * endian). Exact for the lowest one: a false positive of the zero-byte test can only appear above
 * a true zero byte.
 */
function firstFlagged(mask: number): number {
  return (31 - Math.clz32(mask & -mask)) >> 3;
}

/** A copy of `buf`'s first `used` bytes in a buffer with room for `more` bytes after them. */
function grown(buf: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, used + more + 64));
  buf.copy(bigger, 0, 0, used);
  return bigger;
}

/** Where the scanner is between two chunks: at a field's start, or inside one. */
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field was a chunk's last byte: its end, or the first half of `""`. */
const QUOTE_PENDING = 3;
const IN_FLOAT = 4;

/**
 * The byte scanner over COPY's CSV, one chunk at a time (a field, a `""` or a record may be split
 * anywhere between chunks). Speed matters, it sees every byte of the export:
 * - the bytes are copied as they are scanned, four at a time (a SWAR test, `(x - 0x01010101) & ~x
 *   & 0x80808080`, flags the zero bytes of the 32-bit `x`, so the bytes equal to a stop byte once
 *   xored with it): a word is stored whole and the position moves to its first stop byte, if
 *   any. Into a large output buffer: no `indexOf`/`Buffer.copy` binding calls per field, which
 *   cost more than the bytes themselves for fields of tens of bytes;
 * - one pass of the outer loop per field: its first byte says quoted or not (COPY quotes a field
 *   only as a whole, so an unquoted one stops only at a comma or LF, a quoted one only at a
 *   quote), `""` is handled inside the quoted loop, and only columns that need something
 *   (booleans, floats, formula escaping) look further at their first byte;
 * - the state lives in locals during a chunk, the fields keep one type each, and there are no
 *   closures (a local captured by one lives on the heap, which made this loop several times
 *   slower; a field changing type made V8 drop its first optimized code).
 * Measured on 1M rows of 8 mixed columns (139 MB of COPY output), CPU time on the shared 2-core
 * test machine: 1.5–2.3 s for the slice-and-copy scanner this replaced, 0.45–0.8 s for this one.
 */
export class PgCopyCsvConverter {
  /** Data rows seen so far (the header excluded). */
  rows = 0;
  readonly #rowTreatment: Uint8Array;
  readonly #headerTreatment: Uint8Array;
  #state = FIELD_START;
  #column = 0;
  #header = true;
  /** A quoted text field was opened at a chunk's end: the next byte decides the formula escape. */
  #escapeNext = false;
  /** Inside a float field at the end of the previous chunk: its text so far (not yet written out). */
  #float = '';
  /** The output buffer being filled, handed on once full (flush() hands on the rest). */
  #out: Buffer = Buffer.alloc(0);
  #pos = 0;

  constructor(columns: readonly ResultColumn[], formulaEscape: boolean) {
    // One entry more than columns (NONE): a malformed extra field reads a treatment too.
    this.#rowTreatment = new Uint8Array(columns.length + 1);
    this.#headerTreatment = new Uint8Array(columns.length + 1);
    columns.forEach((c, k) => {
      this.#rowTreatment[k] = treatmentOf(c.kind, formulaEscape);
      this.#headerTreatment[k] = treatmentOf('text', formulaEscape);
    });
  }

  /**
   * Adapts `chunk` into the output buffer. Returns the previous output buffer once it is full
   * (about OUTPUT_BYTES; the caller may keep it), else null: the consumers downstream (zip, hash,
   * file writes) then see a few large chunks, not COPY's pieces, which are 8 KiB each once Node
   * keeps up with the server.
   */
  convert(chunk: Uint8Array): Buffer | null {
    const n = chunk.length;
    // Room for the chunk plus what is inserted (CR per record, `'`, `rue`/`alse`, float digits):
    // every insertion first makes sure that `out.length - pos >= n - i` still holds after it.
    const need = n + (n >> 3) + 64 + this.#float.length;
    let full: Buffer | null = null;
    if (this.#out.length - this.#pos < need) {
      if (this.#pos > 0) full = this.#out.subarray(0, this.#pos);
      this.#out = Buffer.allocUnsafe(Math.max(OUTPUT_BYTES, need));
      this.#pos = 0;
    }
    let out = this.#out;
    let pos = this.#pos;
    let dst = new DataView(out.buffer, out.byteOffset, out.length);
    const src = new DataView(chunk.buffer, chunk.byteOffset, n);
    let i = 0;
    let state = this.#state;
    let column = this.#column;
    let header = this.#header;
    let rows = this.rows;
    let escapeNext = this.#escapeNext;
    let treatments = header ? this.#headerTreatment : this.#rowTreatment;
    // A float field goes from `floatStart` (in `out`) to `pos`; `sawE`: written in exponent form.
    let floatStart = pos;
    let sawE = false;
    if (state === IN_FLOAT) {
      pos += out.write(this.#float, pos, 'latin1');
      sawE = this.#float.includes('e');
      this.#float = '';
    }
    let b = 0;
    while (i < n) {
      if (state === FIELD_START) {
        b = chunk[i]!;
        const t = treatments[column]!;
        if (b === QUOTE) {
          out[pos++] = QUOTE;
          i++;
          state = QUOTED;
          // Formula escaping: decided on the first content byte, maybe in the next chunk.
          if (t === ESCAPE) escapeNext = true;
        } else {
          state = UNQUOTED;
          if (t === BOOLEAN) {
            if (b === 0x74 || b === 0x66) {
              if (pos + 5 + (n - i) > out.length) {
                out = grown(out, pos, 5 + (n - i));
                dst = new DataView(out.buffer, out.byteOffset, out.length);
              }
              if (b === 0x74) {
                dst.setUint32(pos, 0x65757274, true); // "true"
                pos += 4;
              } else {
                dst.setUint32(pos, 0x736c6166, true); // "fals"
                out[pos + 4] = 0x65; // "e"
                pos += 5;
              }
              i++;
            }
          } else if (t === FLOAT) {
            if (b !== COMMA && b !== LF) {
              state = IN_FLOAT;
              floatStart = pos;
              sawE = false;
            }
          } else if (t === ESCAPE && isFormulaStart(b)) {
            if (pos + 1 + (n - i) > out.length) {
              out = grown(out, pos, 1 + (n - i));
              dst = new DataView(out.buffer, out.byteOffset, out.length);
            }
            out[pos++] = APOSTROPHE;
          }
        }
      }
      if (state === QUOTED) {
        if (escapeNext) {
          if (i === n) break;
          escapeNext = false;
          b = chunk[i]!;
          if (b !== QUOTE && isFormulaStart(b)) {
            if (pos + 1 + (n - i) > out.length) {
              out = grown(out, pos, 1 + (n - i));
              dst = new DataView(out.buffer, out.byteOffset, out.length);
            }
            out[pos++] = APOSTROPHE;
          }
        }
        // Quoted bytes up to the closing quote, `""` included.
        for (;;) {
          while (i + 4 <= n) {
            const w = src.getInt32(i, true);
            const q = w ^ 0x22222222;
            const m = (q - 0x01010101) & ~q & 0x80808080;
            dst.setInt32(pos, w, true); // (bytes past the quote are overwritten next)
            if (m === 0) {
              pos += 4;
              i += 4;
              continue;
            }
            const k = firstFlagged(m);
            pos += k;
            i += k;
            break;
          }
          while (i < n) {
            b = chunk[i]!;
            if (b === QUOTE) break;
            out[pos++] = b;
            i++;
          }
          if (i === n) break;
          out[pos++] = QUOTE;
          i++;
          if (i === n) {
            state = QUOTE_PENDING;
            break;
          }
          if (chunk[i] !== QUOTE) {
            state = UNQUOTED; // that was the closing quote
            break;
          }
          out[pos++] = QUOTE; // `""`: an escaped quote, still inside
          i++;
        }
        if (i === n) break;
      } else if (state === QUOTE_PENDING) {
        if (chunk[i] === QUOTE) {
          out[pos++] = QUOTE; // the second half of a `""` split between chunks
          i++;
          state = QUOTED;
          continue;
        }
        state = UNQUOTED;
      } else if (state === IN_FLOAT) {
        // Only the exponent form (an `e`) is rewritten; other floats pass as they are. Always
        // unquoted: COPY quotes no number, and NaN/Infinity/-Infinity have no `e`.
        for (;;) {
          while (i + 4 <= n) {
            const w = src.getInt32(i, true);
            const c = w ^ 0x2c2c2c2c;
            const l = w ^ 0x0a0a0a0a;
            const e = w ^ 0x65656565;
            const m = (((c - 0x01010101) & ~c) | ((l - 0x01010101) & ~l) | ((e - 0x01010101) & ~e)) & 0x80808080;
            dst.setInt32(pos, w, true);
            if (m === 0) {
              pos += 4;
              i += 4;
              continue;
            }
            const k = firstFlagged(m);
            pos += k;
            i += k;
            break;
          }
          while (i < n) {
            b = chunk[i]!;
            if (b === COMMA || b === LF || b === LOWER_E) break;
            out[pos++] = b;
            i++;
          }
          if (i === n || b !== LOWER_E) break;
          sawE = true; // the exponent form: copy the `e`, go on to the field's end
          out[pos++] = b;
          i++;
        }
        if (i === n) {
          // The field goes on in the next chunk: its text waits there.
          this.#float = out.toString('latin1', floatStart, pos);
          pos = floatStart;
          break;
        }
        if (sawE) {
          const text = numberText(Number(out.toString('latin1', floatStart, pos)));
          pos = floatStart;
          if (pos + text.length + (n - i) > out.length) {
            out = grown(out, pos, text.length + (n - i));
            dst = new DataView(out.buffer, out.byteOffset, out.length);
          }
          pos += out.write(text, pos, 'latin1');
        }
        state = UNQUOTED;
      }
      // UNQUOTED: the bytes up to the comma or LF that ends the field (after a closing quote, none).
      while (i + 4 <= n) {
        const w = src.getInt32(i, true);
        const c = w ^ 0x2c2c2c2c;
        const l = w ^ 0x0a0a0a0a;
        const m = (((c - 0x01010101) & ~c) | ((l - 0x01010101) & ~l)) & 0x80808080;
        dst.setInt32(pos, w, true);
        if (m === 0) {
          pos += 4;
          i += 4;
          continue;
        }
        const k = firstFlagged(m);
        pos += k;
        i += k;
        break;
      }
      while (i < n) {
        b = chunk[i]!;
        if (b === COMMA || b === LF) break;
        out[pos++] = b;
        i++;
      }
      if (i === n) break;
      if (b === COMMA) {
        out[pos++] = COMMA;
        if (column < treatments.length - 1) column++; // (more fields than columns: malformed, kept as is)
      } else {
        if (pos + 2 + (n - i) > out.length) {
          out = grown(out, pos, 2 + (n - i));
          dst = new DataView(out.buffer, out.byteOffset, out.length);
        }
        out[pos++] = CR;
        out[pos++] = LF;
        column = 0;
        if (header) {
          header = false;
          treatments = this.#rowTreatment;
        } else rows++;
      }
      i++;
      state = FIELD_START;
    }
    this.#state = state;
    this.#column = column;
    this.#header = header;
    this.rows = rows;
    this.#escapeNext = escapeNext;
    this.#out = out;
    this.#pos = pos;
    return full;
  }

  /** What the output buffer holds (null if nothing), handed on now. */
  flush(): Buffer | null {
    const rest = this.#pos > 0 ? this.#out.subarray(0, this.#pos) : null;
    this.#out = Buffer.alloc(0);
    this.#pos = 0;
    return rest;
  }

  /** Throws unless the input ended where a record ends (COPY ends every record with LF). */
  end(): void {
    if (this.#state !== FIELD_START || this.#column !== 0) throw new Error('COPY output ended inside a field');
  }
}

/** The converter as a stream (for pipelines and tests); writeCopyCsv uses the converter directly. */
export class PgCopyCsvAdapter extends Transform {
  readonly #converter: PgCopyCsvConverter;

  constructor(columns: readonly ResultColumn[], formulaEscape: boolean) {
    super();
    this.#converter = new PgCopyCsvConverter(columns, formulaEscape);
  }

  /** Data rows seen so far (the header excluded). */
  get rows(): number {
    return this.#converter.rows;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const full = this.#converter.convert(chunk);
    done(null, full ?? undefined);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#converter.end();
      done(null, this.#converter.flush() ?? undefined);
    } catch (e) {
      done(e as Error);
    }
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
  const converter = new PgCopyCsvConverter(columns, options.csvFormulaEscape);
  let bytes = 0;
  try {
    // 'data' events, not `for await`: COPY comes in ~17,000 pieces per million rows here, and a
    // promise per piece cost ~0.05–0.15 s of an export (measured). The output's back-pressure
    // pauses the source until it drains.
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        csv.off('data', onData);
        csv.off('end', onEnd);
        csv.off('error', settle);
        csv.off('close', onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onData = (chunk: Buffer): void => {
        let full: Buffer | null;
        try {
          full = converter.convert(chunk);
        } catch (e) {
          settle(e);
          return;
        }
        onProgress?.(converter.rows);
        if (full === null) return;
        bytes += full.length;
        if (isDestroyed(out)) return settle(new Error('The output stream was closed before the export finished'));
        if (!out.write(full)) {
          csv.pause();
          drained(out).then(() => csv.resume(), settle);
        }
      };
      const onEnd = (): void => settle();
      const onClose = (): void => settle(new Error('the COPY data stream closed before its end'));
      csv.on('data', onData);
      csv.once('end', onEnd);
      csv.once('error', settle);
      csv.once('close', onClose);
      if (csv.destroyed) return settle(csv.errored ?? new Error('the COPY data stream closed before its end'));
      if (isDestroyed(out)) return settle(new Error('The output stream was closed before the export finished'));
      if (options.csvBom) {
        // Three bytes ahead of the data: queued at once, the data's writes then follow the back-pressure.
        out.write(UTF8_BOM);
        bytes += UTF8_BOM.length;
      }
    });
    converter.end();
    const rest = converter.flush();
    if (rest !== null) {
      await writeChunk(out, rest);
      bytes += rest.length;
    }
  } catch (e) {
    csv.destroy();
    throw e;
  }
  return { rows: converter.rows, bytes };
}
