/**
 * CSV per RFC 4180: CRLF line ends, a header row of column names, `"` doubled inside quotes.
 * NULL is an empty unquoted field and '' is `""` (the PostgreSQL COPY … CSV convention), so the
 * two stay distinct. Booleans `true`/`false`, binary `\x` + lowercase hex, numbers as given.
 *
 * Written by hand, one batch at a time: csv-stringify measured about 10× slower than this needs
 * to be. For UTF-8 (the default) `rowsUtf8` writes the batch's bytes directly (utf8-out.ts: a
 * third less garbage); `rows` builds the same text as one string, for the other encodings. That
 * string is built with `+=` (V8 ropes, flattened once by the encoder): an array of parts joined
 * per batch or per row measured 10–40% slower. The two must stay byte-for-byte equal
 * (text-formats.test.ts runs every CSV case through both).
 */
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import { isWellFormed } from './encoding.js';
import type { TextFormatWriter } from './text-format.js';
import { Utf8Out } from './utf8-out.js';
import { hex, looksLikeFormula, numberText } from './values.js';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = 34;

/**
 * `"text"` with each `"` doubled (the string path: other encodings, or a batch the byte path gave
 * back). By hand with indexOf/slice: ~1.6× as fast as `text.replace(/"/g, '""')` or `replaceAll`
 * (~0.1 s less per 1M quoted values with two quotes).
 */
function quoted(text: string): string {
  let at = text.indexOf('"');
  if (at === -1) return `"${text}"`;
  let s = '"';
  let from = 0;
  while (at !== -1) {
    s += text.slice(from, at + 1) + '"'; // up to and with the quote, then its double
    from = at + 1;
    at = text.indexOf('"', from);
  }
  return s + text.slice(from) + '"';
}

/** Equals the first char code a spreadsheet takes for a formula (= + - @ TAB CR). */
function formulaStart(c: number): boolean {
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

function field(text: string, kind: ColumnKind, formulaEscape: boolean): string {
  if (text === '') return '""';
  // OWASP: a leading `'` makes a spreadsheet show the text instead of running it. The first-char
  // test in front keeps the kind checks of looksLikeFormula off the common path.
  if (formulaEscape && formulaStart(text.charCodeAt(0)) && looksLikeFormula(kind, text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? quoted(text) : text;
}

/**
 * Writes a string cell as `field` would, straight as bytes when it is ASCII: one pass copies it
 * and spots the characters that need quotes, a second (rare) one writes it quoted. Returns false,
 * having written nothing, when the text is not well-formed UTF-16 (the string path reports or
 * replaces the lone surrogate).
 */
function writeField(out: Utf8Out, text: string, kind: ColumnKind, formulaEscape: boolean): boolean {
  const len = text.length;
  if (len === 0) {
    out.ascii('""');
    return true;
  }
  out.room(2 * len + 3); // worst case: a `'`, every char a doubled quote, the two quotes
  const buf = out.buf;
  const start = out.pos;
  let p = start;
  const formula = formulaEscape && formulaStart(text.charCodeAt(0)) && looksLikeFormula(kind, text);
  if (formula) buf[p++] = 39;
  let special = false;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      const f = field(text, kind, formulaEscape);
      if (!isWellFormed(f)) return false;
      out.utf8(f);
      return true;
    }
    if (c === QUOTE || c === 44 || c === 10 || c === 13) special = true;
    buf[p++] = c;
  }
  if (special) {
    p = start;
    buf[p++] = QUOTE;
    if (formula) buf[p++] = 39;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) buf[p++] = QUOTE;
      buf[p++] = c;
    }
    buf[p++] = QUOTE;
  }
  out.pos = p;
  return true;
}

export function csvWriter(columns: readonly ResultColumn[], options: { csvFormulaEscape: boolean }): TextFormatWriter {
  const kinds = columns.map((c) => c.kind);
  const escape = options.csvFormulaEscape;
  const n = columns.length;
  let lastBytes = 0;
  return {
    // Names are text to a spreadsheet too: neutralised like text cells.
    head: () => `${columns.map((c) => field(c.name, 'text', escape)).join(',')}\r\n`,
    rows(batch) {
      let s = '';
      for (const row of batch) {
        for (let i = 0; i < n; i++) {
          if (i > 0) s += ',';
          const v = row[i];
          if (v === null || v === undefined) continue;
          switch (typeof v) {
            case 'string':
              s += field(v, kinds[i]!, escape);
              break;
            case 'number':
              // Not `s += v`: String(n)'s result is allocated in the old generation (see numberString).
              s += numberText(v);
              break;
            case 'boolean':
              s += v ? 'true' : 'false';
              break;
            default:
              s += `\\x${hex(v)}`;
          }
        }
        s += '\r\n';
      }
      return s;
    },
    rowsUtf8(batch: readonly Cell[][]): Buffer | undefined {
      const out = new Utf8Out(lastBytes);
      for (const row of batch) {
        for (let i = 0; i < n; i++) {
          if (i > 0) out.byte(44);
          const v = row[i];
          if (v === null || v === undefined) continue;
          switch (typeof v) {
            case 'string':
              if (!writeField(out, v, kinds[i]!, escape)) return undefined;
              break;
            case 'number':
              out.number(v);
              break;
            case 'boolean':
              out.ascii(v ? 'true' : 'false');
              break;
            default:
              out.ascii(`\\x${hex(v)}`);
          }
        }
        out.room(2);
        out.buf[out.pos++] = 13;
        out.buf[out.pos++] = 10;
      }
      lastBytes = out.pos;
      return out.bytes();
    },
    tail: () => '',
  };
}
