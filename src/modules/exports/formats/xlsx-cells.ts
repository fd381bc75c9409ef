/**
 * SpreadsheetML cell text: XML escaping (with Excel's `_xHHHH_` for what XML 1.0 cannot carry),
 * numbers Excel can hold exactly, and date serial numbers.
 */
import { numberString } from './values.js';

/** Excel's limit on the characters of one cell. */
export const MAX_CELL_CHARS = 32_767;

/** Styles (indexes into cellXfs of styles.xml, see xlsx-parts.ts). */
export const STYLE_HEADER = 1;
export const STYLE_DATE = 2;
export const STYLE_DATETIME = 3;
export const STYLE_DATETIME_FRACTION = 4;

/** Cheap pre-check: does the text need any escaping at all? (Most cells do not.) */
const NEEDS_ESCAPE = /[&<>_\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/; // one class: faster than with `_x…_` as an alternative
/**
 * `& < >` as entities; a literal `_xHHHH_` in the data gets its `_` escaped as `_x005F_` (else
 * Excel would decode it); a surrogate pair is a valid character and stays; everything else matched
 * is not allowed in XML 1.0 (C0 controls, lone surrogates, U+FFFE/FFFF) or would not survive XML
 * line-end normalisation (CR, read back as LF), and becomes `_xHHHH_` as Excel itself writes it.
 */
const ESCAPE = /[&<>]|_(?=x[0-9A-Fa-f]{4}_)|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/g;

function escapeOne(match: string): string {
  switch (match) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '_':
      return '_x005F_';
    default:
      if (match.length === 2) return match;
      return `_x${match.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;
  }
}

export function xmlText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE, escapeOne) : text;
}

/** XML whitespace: space, TAB, LF, CR. */
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * An inline-string cell. `open` is the start tag up to its attributes (`<c`, or `<c r="B7"`, see
 * xlsx.ts); `xml:space` only when edge whitespace would otherwise be dropped.
 */
export function inlineString(open: string, text: string, style = ''): string {
  const last = text.length - 1;
  const preserve = last >= 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(last))) ? ' xml:space="preserve"' : '';
  return `${open}${style} t="inlineStr"><is><t${preserve}>${xmlText(text)}</t></is></c>`;
}

/**
 * The `<v>` text of a number given as text ('12.30', '-9223372036854775808', '1e-7') when Excel
 * holds it exactly (≤ 15 significant digits, within range), else undefined. One pass over the
 * characters (this runs for every numeric cell): validates, counts the significant digits, and
 * notes whether the text is already canonical (then it is written as is, no double round trip).
 */
export function excelNumberText(text: string): string | undefined {
  const length = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 45 || c === 43) c = text.charCodeAt(++i); // - +
  let canonical = text.charCodeAt(0) !== 43;
  let digits = 0; // mantissa digits seen
  let first = -1; // index among them of the first and last non-zero digit
  let last = -1;
  let point = false;
  let lastFractionZero = false;
  const start = i;
  for (; i < length; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) {
        if (first < 0) first = digits;
        last = digits;
      } else if (!point && digits === 0 && i + 1 < length && text.charCodeAt(i + 1) !== 46) canonical = false; // leading zero: '007'
      if (point) lastFractionZero = c === 48;
      digits++;
    } else if (c === 46 && !point) {
      if (i === start || i === length - 1) canonical = false; // '.5', '5.'
      point = true;
    } else break;
  }
  if (digits === 0) return undefined;
  if (lastFractionZero) canonical = false; // '12.30'
  if (i < length) {
    // An exponent: e[+-]digits, to the end.
    if (c !== 101 && c !== 69) return undefined;
    c = text.charCodeAt(++i);
    if (c === 45 || c === 43) i++;
    if (i === length) return undefined;
    for (; i < length; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    canonical = false;
  }
  const significant = first < 0 ? 0 : last - first + 1;
  if (significant > 15) return undefined;
  if (canonical && digits <= 15) return text; // '-12.3', '0.05', '123': fine as they are, and in range
  const n = Number(text);
  if (!inExcelRange(n) || (n === 0 && significant > 0)) return undefined; // overflow, underflow
  // ≤ 15 significant digits survive the trip through a double, so String() gives the same value.
  return numberString(n);
}

/** Excel holds 15 significant digits, within about ±1e±308: anything else is written as text. */
function inExcelRange(n: number): boolean {
  const abs = Math.abs(n);
  return Number.isFinite(n) && (abs === 0 || (abs >= 1e-307 && abs < 1e308));
}

/** The `<v>` text of a JS number when Excel holds it exactly, else undefined. */
export function excelNumber(n: number): string | undefined {
  const text = numberString(n);
  return Number.isInteger(n) && n < 1e15 && n > -1e15 ? text : excelNumberText(text);
}

const DAY_MICROS = 86_400_000_000;
/** Days from 1970-01-01 back to Excel's day 0, 1899-12-30. */
const EXCEL_EPOCH_DAYS = 25_569;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at i as a number, or -1. */
function two(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * 'YYYY-MM-DD' at the start of `text` → Excel serial, or undefined (not a date Excel has: zero
 * dates, BC, before 1900, 'infinity'). Excel's 1900 date system: serial 1 is 1900-01-01 and a
 * fictitious 1900-02-29 is serial 60, so from 1900-03-01 on the serial is the days since
 * 1899-12-30. Plain arithmetic (days from civil), no Date objects: this runs for every date cell.
 */
function daySerial(text: string): number | undefined {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const hi = two(text, 0);
  const lo = two(text, 2);
  const m = two(text, 5);
  const d = two(text, 8);
  if (hi < 19 || lo < 0 || m < 1 || m > 12 || d < 1) return undefined;
  const y = hi * 100 + lo;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!)) return undefined;
  // Howard Hinnant's days_from_civil (years ≥ 1900 here, so no negative eras).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const days = era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468 + EXCEL_EPOCH_DAYS;
  return days < 61 ? days - 1 : days;
}

/** 'YYYY-MM-DD' → serial, or undefined. */
export function dateSerial(text: string): number | undefined {
  return text.length === 10 ? daySerial(text) : undefined;
}

/**
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]' → serial with the time as a fraction of a day (a number, not an
 * object: this runs for every datetime cell). A double near 50,000 resolves about 0.6 µs, so the
 * microseconds read back exactly (rounded to the µs).
 */
export function datetimeSerial(text: string): number | undefined {
  const length = text.length;
  if (length < 19 || length === 20 || length > 26) return undefined;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const h = two(text, 11);
  const min = two(text, 14);
  const s = two(text, 17);
  if (h < 0 || h > 23 || min < 0 || min > 59 || s < 0 || s > 59) return undefined;
  let micros = 0;
  if (length > 19) {
    if (text.charCodeAt(19) !== 46) return undefined;
    for (let i = 20; i < 26; i++) {
      const c = i < length ? text.charCodeAt(i) - 48 : 0;
      if (c < 0 || c > 9) return undefined;
      micros = micros * 10 + c;
    }
  }
  const days = daySerial(text);
  if (days === undefined) return undefined;
  micros += ((h * 60 + min) * 60 + s) * 1e6;
  return days + micros / DAY_MICROS;
}

/** 0 → A, 25 → Z, 26 → AA … */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
