import type { Readable } from 'node:stream';
import { pgKindConversion } from '../../../connectors/postgres/postgres-types.js';
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { ExportValueError } from './errors.js';
import type { Out } from './output.js';
import type { Utf8Out } from './utf8-out.js';
import { columnLetters, MAX_CELL_CHARS } from './xlsx-cells.js';
import { cell, TooLong, writeXlsxChunks, type XlsxLimits, type XlsxRowChunk } from './xlsx.js';

/**
 * The PostgreSQL fast path for XLSX: the sheet XML is written from the bytes of
 * `COPY (…) TO STDOUT` in its text format (Connector.copyText), typed by the columns' kinds, with
 * the same cells as the row path (xlsx.ts `cell` on what postgres-types.ts converts): no pg row
 * parsing, no JS string or array per row. The cells whose bytes are their XML as they are (plain
 * ASCII text, integers of at most 15 digits, booleans, NULL) are copied from COPY's buffer; every
 * other field (decimals, floats, dates, text with escapes or non-ASCII…) is decoded to its text
 * and goes through the row path's own code, so the two paths cannot drift apart on the hard cases.
 *
 * COPY text: fields separated by TAB, rows ended by LF, NULL as `\N`, and a backslash before
 * `\ b f n r t v` (COPY TO writes no octal or hex escapes). In UTF-8 a byte 0x5C, 0x09 or 0x0A is
 * never part of a multi-byte character.
 */

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;

/** COPY input gathered into one chunk of rows before its XML is written (~2.5× as much XML). */
const CHUNK_BYTES = 128 * 1024;

/** How a column's fields are written. */
const TEXT = 0; // text-like: copied when plain ASCII, else decoded
const INTEGER = 1;
const BOOLEAN = 2;
const NUMBER = 3; // decimal, float: copied when canonical with ≤ 15 digits, else decoded
const OTHER = 4; // always decoded (date, datetime, binary)

/**
 * Per byte: 0 plain (printable ASCII that is its own XML text), 1 field end (TAB, LF), 2 backslash,
 * 3 anything else (XML-escaped, control, non-ASCII: the field is decoded). One load per byte.
 */
const CLASS = new Uint8Array(256).fill(3);
for (let b = 0x20; b <= 0x7e; b++) CLASS[b] = 0;
for (const b of [0x26, 0x3c, 0x3e, 0x5f]) CLASS[b] = 3; // & < > _
CLASS[TAB] = 1;
CLASS[LF] = 1;
CLASS[BACKSLASH] = 2;

function modeOf(kind: ColumnKind): number {
  switch (kind) {
    case 'integer':
      return INTEGER;
    case 'boolean':
      return BOOLEAN;
    case 'decimal':
    case 'float':
      return NUMBER;
    case 'date':
    case 'datetime':
    case 'binary':
      return OTHER;
    default:
      return TEXT;
  }
}

const ESCAPED: Record<number, number> = { 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9, 0x76: 11 };

/** A field's text: its bytes with COPY's backslash escapes undone, as UTF-8. */
function fieldText(buf: Buffer, start: number, end: number, escaped: boolean): string {
  if (!escaped) return buf.toString('utf8', start, end);
  const bytes = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let p = start; p < end; p++) {
    let b = buf[p]!;
    if (b === BACKSLASH && p + 1 < end) {
      const next = buf[++p]!;
      b = ESCAPED[next] ?? next;
    }
    bytes[n++] = b;
  }
  return bytes.toString('utf8', 0, n);
}

const C_OPEN = Buffer.from('<c');
const VALUE_OPEN = Buffer.from('><v>');
const VALUE_CLOSE = Buffer.from('</v></c>');
const BOOL_TRUE = Buffer.from(' t="b"><v>1</v></c>');
const BOOL_FALSE = Buffer.from(' t="b"><v>0</v></c>');
const TEXT_OPEN = Buffer.from(' t="inlineStr"><is><t>');
const TEXT_OPEN_PRESERVE = Buffer.from(' t="inlineStr"><is><t xml:space="preserve">');
const TEXT_CLOSE = Buffer.from('</t></is></c>');

/** Copies `src[start..end)` into `out` (a loop: a Buffer#copy per short field costs more than its bytes). */
function putRange(out: Utf8Out, src: Buffer, start: number, end: number): void {
  out.room(end - start);
  const buf = out.buf;
  let p = out.pos;
  for (let i = start; i < end; i++) buf[p++] = src[i]!;
  out.pos = p;
}

function putBytes(out: Utf8Out, bytes: Buffer): void {
  putRange(out, bytes, 0, bytes.length);
}

/** One chunk of complete COPY rows (`buf[0..end)`). */
class CopyRows implements XlsxRowChunk {
  #pos = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly end: number,
    private readonly columns: readonly ResultColumn[],
    private readonly modes: readonly number[],
    private readonly converters: readonly (((text: string) => Cell) | undefined)[],
    private readonly letters: readonly string[],
  ) {
    this.kinds = columns.map((c) => c.kind);
  }

  private readonly kinds: readonly ColumnKind[];

  get done(): boolean {
    return this.#pos >= this.end;
  }

  write(out: Utf8Out, maxRows: number, firstExcelRow: number, firstDataRow: number, allReferences: boolean): number {
    const { buf, end, modes, kinds, letters } = this;
    const n = modes.length;
    let p = this.#pos;
    let written = 0;
    let i = 0;
    try {
      while (written < maxRows && p < end) {
        const rn = firstExcelRow + written;
        out.ascii('<row r="');
        out.number(rn);
        out.ascii('">');
        let gap = allReferences;
        for (i = 0; i < n; i++) {
          // The field: [start, p) up to the TAB (LF after the last one).
          const start = p;
          // Plain: printable ASCII without & < > _ and backslash (its bytes are its XML text).
          let plain = true;
          let escaped = false;
          for (;;) {
            const c = CLASS[buf[p]!]!;
            if (c !== 0) {
              if (c === 1) break;
              plain = false;
              if (c === 2 && buf[p + 1] !== LF) {
                escaped = true;
                p++; // the escaped byte (never TAB or LF)
              }
            }
            p++;
          }
          if (p >= end) throw new Error('COPY data: a row with fewer fields than columns');
          const fieldEnd = p;
          const last = buf[p] === LF;
          p++;
          if (last !== (i === n - 1)) throw new Error('COPY data: a row with a different number of fields than columns');
          const len = fieldEnd - start;
          if (escaped && len === 2 && buf[start + 1] === 0x4e) {
            gap = true; // \N: NULL, no cell
            continue;
          }
          const open = gap ? `<c r="${letters[i]!}${rn}"` : null;
          gap = allReferences;
          const mode = modes[i]!;
          if (plain && mode === TEXT && len <= MAX_CELL_CHARS) {
            this.#open(out, open);
            putBytes(out, len > 0 && (buf[start] === 0x20 || buf[fieldEnd - 1] === 0x20) ? TEXT_OPEN_PRESERVE : TEXT_OPEN);
            putRange(out, buf, start, fieldEnd);
            putBytes(out, TEXT_CLOSE);
            continue;
          }
          if (mode === BOOLEAN && len === 1 && (buf[start] === 0x74 || buf[start] === 0x66)) {
            this.#open(out, open);
            putBytes(out, buf[start] === 0x74 ? BOOL_TRUE : BOOL_FALSE);
            continue;
          }
          const number = mode === INTEGER ? (plainInteger(buf, start, fieldEnd) ? AS_VALUE : DECODE) : mode === NUMBER ? canonicalNumber(buf, start, fieldEnd, kinds[i] === 'float') : DECODE;
          if (number === AS_TEXT) {
            // A float of 16–17 significant digits: text, as the row path writes what Excel cannot hold.
            this.#open(out, open);
            putBytes(out, TEXT_OPEN);
            putRange(out, buf, start, fieldEnd);
            putBytes(out, TEXT_CLOSE);
            continue;
          }
          if (number === AS_VALUE) {
            // The number's own text is its <v>, as xlsx.ts writes it (see plainInteger, canonicalNumber).
            this.#open(out, open);
            putBytes(out, VALUE_OPEN);
            putRange(out, buf, start, fieldEnd);
            putBytes(out, VALUE_CLOSE);
            continue;
          }
          const text = fieldText(buf, start, fieldEnd, escaped);
          const convert = this.converters[i];
          cell(out, open ?? '<c', this.columns[i]!.kind, convert ? convert(text) : text);
        }
        out.ascii('</row>');
        written++;
        this.#pos = p;
      }
    } catch (error) {
      if (error instanceof TooLong) throw new ExportValueError(firstDataRow + written, this.columns[i]!.name, error.message);
      throw error;
    }
    return written;
  }

  #open(out: Utf8Out, open: string | null): void {
    if (open === null) putBytes(out, C_OPEN);
    else out.ascii(open);
  }
}

/**
 * How the row path writes a decimal or float text: AS_VALUE, its bytes as the `<v>`, when it is
 * `-`? digits with at most one inner `.`, 1 to 15 digits, no leading zero (but `0.5`), no trailing
 * zero after the point, not zero with a sign (`-0`, which a float writes as `0`): that is
 * excelNumberText's "canonical" case. For a float, PostgreSQL's shortest round-trip digits in fixed
 * notation (it uses an exponent below 1e-4 and from 1e15) are also what JavaScript prints for the
 * same double; with 16–17 significant digits (|x| ≥ 1) the row path writes them AS_TEXT. DECODE:
 * anything else goes through the row path's code.
 */
function canonicalNumber(buf: Buffer, start: number, end: number, float: boolean): number {
  const negative = buf[start] === 0x2d;
  let p = negative ? start + 1 : start;
  if (p >= end || end - p > 18) return DECODE;
  const first = p;
  let point = -1;
  let nonZero = false;
  for (; p < end; p++) {
    const b = buf[p]!;
    if (b === 0x2e) {
      if (point >= 0 || p === first || p === end - 1) return DECODE;
      point = p;
    } else if (b >= 0x30 && b <= 0x39) {
      if (b !== 0x30) nonZero = true;
    } else return DECODE;
  }
  const digits = end - first - (point >= 0 ? 1 : 0);
  if (buf[first] === 0x30 && end - first > 1 && point !== first + 1) return DECODE; // '007'
  if (point >= 0 && buf[end - 1] === 0x30) return DECODE; // '12.30'
  if (!nonZero && negative) return DECODE;
  if (digits <= 15) return AS_VALUE;
  // 16–17 digits from the first non-zero one to the last (non-zero, after the point): more
  // significant digits than Excel holds, which the row path writes as text, the same digits.
  return float && point >= 0 && buf[first] !== 0x30 && digits <= 17 ? AS_TEXT : DECODE;
}

const DECODE = 0;
const AS_VALUE = 1;
const AS_TEXT = 2;

/** `-`? then 1 to 15 digits. */
function plainInteger(buf: Buffer, start: number, end: number): boolean {
  let p = buf[start] === 0x2d ? start + 1 : start;
  const digits = end - p;
  if (digits < 1 || digits > 15) return false;
  for (; p < end; p++) {
    const b = buf[p]!;
    if (b < 0x30 || b > 0x39) return false;
  }
  return true;
}

/** COPY's pieces gathered into chunks of complete rows. */
async function* copyChunks(text: Readable, columns: readonly ResultColumn[]): AsyncGenerator<XlsxRowChunk> {
  const modes = columns.map((c) => modeOf(c.kind));
  const converters = columns.map((c) => pgKindConversion(c.kind));
  const letters = columns.map((_, i) => columnLetters(i));
  let pieces: Buffer[] = [];
  let total = 0;
  let ended = false;
  try {
    for await (const piece of text as AsyncIterable<Buffer>) {
      pieces.push(piece);
      total += piece.length;
      if (total < CHUNK_BYTES) continue;
      const buf = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, total);
      const end = buf.lastIndexOf(LF) + 1;
      if (end === 0) {
        pieces = [buf]; // one row longer than a chunk: keep gathering
        continue;
      }
      pieces = end < total ? [buf.subarray(end)] : [];
      total -= end;
      yield new CopyRows(buf, end, columns, modes, converters, letters);
    }
    ended = true;
    if (total > 0) {
      const buf = Buffer.concat(pieces, total);
      if (buf[total - 1] !== LF) throw new Error('COPY data ended inside a row');
      yield new CopyRows(buf, total, columns, modes, converters, letters);
    }
  } finally {
    if (!ended) text.destroy();
  }
}

/** Writes COPY's text rows (from Connector.copyText) as an XLSX workbook into `out`, as writeXlsx would. */
export function writeCopyXlsx(text: Readable, columns: readonly ResultColumn[], out: Out, onProgress?: (rowsSoFar: number) => void, limits: XlsxLimits = {}): Promise<{ rows: number; bytes: number }> {
  return writeXlsxChunks(columns, copyChunks(text, columns), out, onProgress, limits, (chunk) => chunk);
}
