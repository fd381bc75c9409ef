/**
 * Cell helpers shared by the formats. A cell's JS type decides first (SQLite is dynamically
 * typed: an `integer` column may hold a text or a blob, "written as its own type", see
 * result-set.ts), the column kind refines how a string is read (number text, date text, JSON).
 */
import type { ColumnKind } from '../../../connectors/result-set.js';

/** A decimal number as engines print it: `-12.30`, `1e-7`, `.5`. Not NaN/Infinity. */
export const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** PostgreSQL's special float/numeric values (the only non-numeric strings of those kinds). */
export const SPECIAL_FLOAT = /^(?:NaN|Infinity|-Infinity)$/;

export function isNumericKind(kind: ColumnKind): boolean {
  return kind === 'integer' || kind === 'decimal' || kind === 'float';
}

/**
 * String(n), with the same digits, but without V8's number-string cache: String(n), `${n}` and
 * `'' + n` of a non-Smi number put the result in that cache, which lives in the old generation,
 * so each such string is allocated there and is garbage only a full GC reclaims. At one or two
 * per row (a float column, XLSX date serials) that was most of what made an export's RSS grow with
 * its row count (SQLite CSV, 1M rows: old space +0.3–0.7 MB per scavenge). JSON.stringify of a
 * finite number is ECMAScript's Number::toString too, allocated young; measured as fast.
 */
export function numberString(n: number): string {
  return Number.isFinite(n) ? JSON.stringify(n) : String(n);
}

/** numberString(n), except that -0 keeps its sign (PostgreSQL float8 prints it as `-0`). */
export function numberText(n: number): string {
  return n === 0 && 1 / n < 0 ? '-0' : numberString(n);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function hex(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('hex');
}

export function base64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64');
}

/**
 * CSV/formula injection (OWASP): a spreadsheet runs a cell starting with = + - @ TAB or CR as a
 * formula. Only text may be neutralised: a number or a date is never altered, so a string of a
 * numeric kind is left alone when it is a number (`-5`), and of a date/time kind when it is
 * PostgreSQL's `-infinity` (no other date/time text starts with one of those characters).
 */
export function looksLikeFormula(kind: ColumnKind, text: string): boolean {
  const c = text.charCodeAt(0);
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return false;
  switch (kind) {
    case 'integer':
    case 'decimal':
    case 'float':
      return !NUMERIC_TEXT.test(text) && !SPECIAL_FLOAT.test(text);
    case 'date':
    case 'datetime':
    case 'timestamptz':
    case 'time':
      return text !== '-infinity';
    default:
      return true;
  }
}
