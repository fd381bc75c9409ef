/**
 * SQL: multi-row INSERTs in the chosen dialect that recreate the rows when run against an empty
 * copy of the table. The dialect need not be the source engine's, so a value the dialect cannot
 * hold (NaN in MySQL, U+0000 in PostgreSQL text) is an ExportValueError, never a changed value.
 *
 * String literals never depend on session settings:
 * - PostgreSQL: `'…'` with `''`; but text holding a backslash as `E'…'` with `\\` (and bytea as
 *   `E'\\x…'::bytea`), because with standard_conforming_strings off (not the default since 9.1,
 *   but possible) a plain literal reads backslashes as escapes. A `SET` in the file cannot fix
 *   that: a client sending the file as one multi-statement query has it parsed before the SET runs;
 * - SQLite: `'…'` with `''` (no backslash escapes exist); text holding U+0000 as
 *   `CAST(X'<utf-8 hex>' AS TEXT)`, since the SQL text itself cannot carry a NUL; numbers given as
 *   text that are not int64 are quoted too (see `isInt64`);
 * - MySQL: `'…'` with `''`; but a backslash means different things with and without
 *   NO_BACKSLASH_ESCAPES in sql_mode (and `SET sql_mode` would clobber the importer's other
 *   modes), so text holding `\`, U+0000 or U+001A (which the Windows client reads as EOF) is
 *   written as `_utf8mb4 X'<utf-8 hex>'`: a utf8mb4 string in any sql_mode and file encoding.
 * The file starts with a comment naming the source and columns, then the client encoding
 * (`SET NAMES` / `SET client_encoding`) matching the bytes of the file.
 */
import type { Cell, ColumnKind, ResultColumn } from '../../../connectors/result-set.js';
import type { ExportEncoding } from './encoding.js';
import { ExportValueError } from './errors.js';
import type { TextFormatWriter } from './text-format.js';
import { hex, isNumericKind, numberString, NUMERIC_TEXT, SPECIAL_FLOAT } from './values.js';

export type SqlDialect = 'mysql' | 'postgresql' | 'sqlite';

export interface SqlWriterOptions {
  encoding: ExportEncoding;
  sqlDialect: SqlDialect;
  sqlTable: { schema?: string | undefined; name: string };
  sqlRowsPerInsert: number;
  sqlSource?: string | undefined;
}

export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  return dialect === 'mysql' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`;
}

/** The client encoding to declare so the server reads the file's bytes right (GB2312 files are cp936, i.e. GBK). */
const MYSQL_CHARSETS: Record<ExportEncoding, string> = { UTF8: 'utf8mb4', UTF8MB4: 'utf8mb4', GB2312: 'gbk', GBK: 'gbk', ISO_8859_1: 'latin1', LATAIN1: 'latin1', CP1252: 'latin1' };
const PG_ENCODINGS: Record<ExportEncoding, string> = { UTF8: 'UTF8', UTF8MB4: 'UTF8', GB2312: 'GBK', GBK: 'GBK', ISO_8859_1: 'LATIN1', LATAIN1: 'LATIN1', CP1252: 'WIN1252' };

const MYSQL_UNSAFE = /[\\\0\x1a]/;
const QUOTE = /'/g;
const BACKSLASH = /\\/g;
const CONTROL = /[\x00-\x1f\x7f]+/g;

function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/** A value the dialect cannot hold; `rows` adds the row and column. */
class Unwritable extends Error {}
const fail = (reason: string): never => {
  throw new Unwritable(reason);
};

function stringLiteral(dialect: SqlDialect, text: string): string {
  if (dialect === 'mysql') {
    if (MYSQL_UNSAFE.test(text)) return `_utf8mb4 X'${utf8Hex(text)}'`;
  } else if (text.includes('\0')) {
    if (dialect === 'postgresql') fail('PostgreSQL text cannot hold the character U+0000');
    return `CAST(X'${utf8Hex(text)}' AS TEXT)`;
  } else if (dialect === 'postgresql' && text.includes('\\')) {
    return `E'${text.replace(BACKSLASH, '\\\\').replace(QUOTE, "''")}'`;
  }
  return `'${text.replace(QUOTE, "''")}'`;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * SQLite parses a numeric literal beyond int64, or with a fraction, as a double (lossy past 15
 * digits, and `12.30` becomes 12.3). Quoted, the number is text and the column's affinity decides:
 * TEXT, BLOB and untyped columns keep it exactly, NUMERIC/REAL/INTEGER ones convert it as they
 * would any such value (SQLite's own limit). So numbers given as text go in quoted unless int64;
 * JS numbers, exact doubles already, stay unquoted.
 */
function isInt64(text: string): boolean {
  if (!INTEGER_TEXT.test(text)) return false;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** NaN / ±Infinity (a float, or PostgreSQL's numeric specials). */
function special(dialect: SqlDialect, kind: ColumnKind, text: string): string {
  if (dialect === 'postgresql') return `'${text}'::${kind === 'decimal' ? 'numeric' : 'float8'}`;
  // SQLite reads an overflowing literal as ±Infinity (and stores NaN as NULL: not exact).
  if (dialect === 'sqlite' && text !== 'NaN') return text === 'Infinity' ? '9e999' : '-9e999';
  return fail(`${text} cannot be written in ${dialect === 'mysql' ? 'MySQL' : 'SQLite'}`);
}

export function literal(dialect: SqlDialect, kind: ColumnKind, v: Cell | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  switch (typeof v) {
    case 'string':
      if (isNumericKind(kind)) {
        if (NUMERIC_TEXT.test(v) && (dialect !== 'sqlite' || isInt64(v))) return v;
        if (SPECIAL_FLOAT.test(v)) return special(dialect, kind, v);
      }
      return stringLiteral(dialect, v);
    case 'number':
      if (!Number.isFinite(v)) return special(dialect, kind, String(v));
      // `-0` would be read as the integer 0 negated, i.e. 0.
      if (v === 0 && 1 / v < 0) return dialect === 'postgresql' ? "'-0'::float8" : '-0e0';
      return numberString(v);
    case 'boolean':
      if (dialect === 'postgresql') return v ? 'TRUE' : 'FALSE';
      return v ? '1' : '0';
    default:
      return dialect === 'postgresql' ? `E'\\\\x${hex(v)}'::bytea` : `X'${hex(v)}'`;
  }
}

export function sqlWriter(columns: readonly ResultColumn[], options: SqlWriterOptions): TextFormatWriter {
  const dialect = options.sqlDialect;
  const { schema, name } = options.sqlTable;
  const table = schema ? `${quoteIdentifier(dialect, schema)}.${quoteIdentifier(dialect, name)}` : quoteIdentifier(dialect, name);
  const insert = `INSERT INTO ${table} (${columns.map((c) => quoteIdentifier(dialect, c.name)).join(', ')}) VALUES\n`;
  const perInsert = Math.max(1, Math.floor(options.sqlRowsPerInsert) || 1);
  const kinds = columns.map((c) => c.kind);
  let inStatement = 0; // rows written into the open INSERT

  return {
    head() {
      const oneLine = (text: string): string => text.replace(CONTROL, ' ');
      const source = oneLine(options.sqlSource ?? (schema ? `${schema}.${name}` : name));
      const cols = columns.map((c) => `${oneLine(c.name)} ${oneLine(c.dbType)}`).join(', ');
      let s = `-- OpenDMS export of ${source}; columns: ${cols}\n`;
      if (dialect === 'mysql') s += `SET NAMES ${MYSQL_CHARSETS[options.encoding]};\n`;
      if (dialect === 'postgresql') s += `SET client_encoding = '${PG_ENCODINGS[options.encoding]}';\n`;
      return s;
    },
    rows(batch, firstRow) {
      let s = '';
      for (let r = 0; r < batch.length; r++) {
        const row = batch[r]!;
        s += inStatement === 0 ? insert : ',\n';
        s += '(';
        for (let i = 0; i < kinds.length; i++) {
          if (i > 0) s += ', ';
          try {
            s += literal(dialect, kinds[i]!, row[i]);
          } catch (error) {
            if (error instanceof Unwritable) throw new ExportValueError(firstRow + r, columns[i]!.name, error.message);
            throw error;
          }
        }
        s += ')';
        if (++inStatement === perInsert) {
          s += ';\n';
          inStatement = 0;
        }
      }
      return s;
    },
    tail: () => (inStatement > 0 ? ';\n' : ''),
  };
}
