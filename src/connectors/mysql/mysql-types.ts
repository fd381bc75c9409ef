/**
 * MySQL/MariaDB result columns → ColumnKind and cells, from the column definitions the server sends
 * before the rows (protocol type, character set, flags). The text protocol sends every value as
 * text; `steerRowParser` has mysql2's generated row parser read each value straight into its cell
 * (integers) or into the text or bytes the cell is (or is made from), so nothing is parsed through
 * a JS Date or an inexact double on the way.
 */
import type { FieldPacket, TypeCast } from 'mysql2';
import { floatCell } from '../cells.js';
import type { ColumnKind, ResultColumn } from '../result-set.js';

/** The `binary` character set: a string-like column with it holds bytes, not text. */
const BINARY_CHARSET = 63;

/** Column definition flags (include/mysql_com.h). */
const FLAG = { unsigned: 32, enum: 256, set: 2048 } as const;

/** Protocol column types (include/field_types.h) with a kind of their own; string-like types are decided by charset. */
const KIND_BY_TYPE: ReadonlyMap<number, ColumnKind> = new Map<number, ColumnKind>([
  [1, 'integer'], // TINY
  [2, 'integer'], // SHORT
  [3, 'integer'], // LONG
  [8, 'integer'], // LONGLONG
  [9, 'integer'], // INT24
  [13, 'integer'], // YEAR
  [0, 'decimal'], // DECIMAL
  [246, 'decimal'], // NEWDECIMAL
  [4, 'float'], // FLOAT
  [5, 'float'], // DOUBLE
  [10, 'date'], // DATE
  [14, 'date'], // NEWDATE
  [7, 'datetime'], // TIMESTAMP
  [12, 'datetime'], // DATETIME
  [17, 'datetime'], // TIMESTAMP2
  [18, 'datetime'], // DATETIME2
  [11, 'time'], // TIME
  [19, 'time'], // TIME2
  [16, 'binary'], // BIT: its bytes, as the server sends them
  [245, 'json'], // JSON (MySQL; MariaDB's JSON is LONGTEXT, see extendedFormat)
  [255, 'binary'], // GEOMETRY: internal SRID + WKB
  [6, 'text'], // NULL (`select null`): every cell is null
]);

const NAME_BY_TYPE: ReadonlyMap<number, string> = new Map([
  [1, 'TINYINT'],
  [2, 'SMALLINT'],
  [3, 'INT'],
  [8, 'BIGINT'],
  [9, 'MEDIUMINT'],
  [13, 'YEAR'],
  [0, 'DECIMAL'],
  [246, 'DECIMAL'],
  [4, 'FLOAT'],
  [5, 'DOUBLE'],
  [10, 'DATE'],
  [14, 'DATE'],
  [7, 'TIMESTAMP'],
  [17, 'TIMESTAMP'],
  [12, 'DATETIME'],
  [18, 'DATETIME'],
  [11, 'TIME'],
  [19, 'TIME'],
  [16, 'BIT'],
  [245, 'JSON'],
  [255, 'GEOMETRY'],
  [6, 'NULL'],
  [15, 'VARCHAR'],
  [253, 'VARCHAR'],
  [254, 'CHAR'],
  [249, 'TINYTEXT'],
  [250, 'MEDIUMTEXT'],
  [251, 'LONGTEXT'],
  [252, 'TEXT'],
]);

/** Binary spelling of the string-like types, for a column in the binary character set. */
const BINARY_NAME: Readonly<Record<string, string>> = {
  VARCHAR: 'VARBINARY',
  CHAR: 'BINARY',
  TINYTEXT: 'TINYBLOB',
  MEDIUMTEXT: 'MEDIUMBLOB',
  LONGTEXT: 'LONGBLOB',
  TEXT: 'BLOB',
};

/** What the column definition of a result carries (mysql2 ColumnDefinition, which has more than its typing). */
interface ColumnDefinition {
  name: string;
  columnType: number;
  characterSet: number;
  flags: number;
  /** MariaDB 10.5+ extended metadata: `json` for its JSON columns. */
  extendedFormat?: string | undefined;
  /** MariaDB 10.5+ extended metadata: `uuid`, `inet6`, … */
  extendedTypeName?: string | undefined;
}

/** Types whose raw value is taken as bytes by `rawTypeCast` (the typeCast field does not tell the character set). */
const BYTES_TYPES: ReadonlySet<string> = new Set([
  'VAR_STRING',
  'STRING',
  'VARCHAR',
  'TINY_BLOB',
  'MEDIUM_BLOB',
  'LONG_BLOB',
  'BLOB',
  'BIT',
  'GEOMETRY',
  'JSON',
  'ENUM',
  'SET',
  'VECTOR',
]);

/**
 * The value as the server sent it: bytes for string-like types, text for the rest; null stays
 * null. For short statements (counts); the rows of a read go through `steerRowParser` instead.
 */
export const rawTypeCast: TypeCast = (field) => (BYTES_TYPES.has(field.type) ? field.buffer() : field.string());

function definitionOf(field: FieldPacket): ColumnDefinition {
  const f = field as unknown as ColumnDefinition;
  return { name: f.name, columnType: f.columnType, characterSet: f.characterSet, flags: f.flags, extendedFormat: f.extendedFormat, extendedTypeName: f.extendedTypeName };
}

export function mysqlKind(field: FieldPacket): ColumnKind {
  const d = definitionOf(field);
  const kind = KIND_BY_TYPE.get(d.columnType);
  if (kind) return kind;
  if (d.characterSet === BINARY_CHARSET) return 'binary';
  if (d.extendedFormat === 'json') return 'json';
  return 'text';
}

export function mysqlTypeName(field: FieldPacket): string {
  const d = definitionOf(field);
  if (d.extendedTypeName) return d.extendedTypeName.toUpperCase();
  if (d.extendedFormat === 'json') return 'JSON';
  if (d.flags & FLAG.enum) return 'ENUM';
  if (d.flags & FLAG.set) return 'SET';
  const name = NAME_BY_TYPE.get(d.columnType) ?? `TYPE ${d.columnType}`;
  const kind = KIND_BY_TYPE.get(d.columnType);
  const numeric = (kind === 'integer' || kind === 'decimal' || kind === 'float') && name !== 'YEAR';
  if (numeric) return d.flags & FLAG.unsigned ? `${name} UNSIGNED` : name;
  if (kind) return name;
  return d.characterSet === BINARY_CHARSET ? (BINARY_NAME[name] ?? name) : name;
}

export function mysqlColumns(fields: readonly FieldPacket[]): ResultColumn[] {
  return fields.map((f) => ({ name: f.name, kind: mysqlKind(f), dbType: mysqlTypeName(f) }));
}

/** The column definition properties mysql2 compiles its row parser from (besides name and flags). */
interface ParsedDefinition {
  columnType: number;
  characterSet: number;
  /** Read at row time: the encoding a string-like value is decoded with. */
  encoding: string;
  extendedFormat?: string | undefined;
}

const NULL_TYPE = 6;
const NEWDECIMAL_TYPE = 246;
const BLOB_TYPE = 252;

/**
 * Rewrites the column definitions mysql2 is about to compile its text-row parser from (call it in
 * the query's 'fields' event, which mysql2 emits just before it compiles; `mysqlKind` must have
 * read them first), so that the generated parser reads each value the way its cell needs:
 * - integer: left alone; TINY…LONG and YEAR come as numbers, LONGLONG as a number when it is a
 *   safe integer, else its exact digits (the reader pool has supportBigNumbers without
 *   bigNumberStrings) — the cell itself, with no text in between;
 * - binary: as BLOB bytes (GEOMETRY and VECTOR would otherwise be parsed into objects);
 * - text, json: as a string decoded from UTF-8 (the connection charset is utf8mb4; a JSON value
 *   would otherwise be JSON.parse'd);
 * - decimal, float, date, datetime, time: as DECIMAL, i.e. the server's ASCII text (a double would
 *   otherwise be parsed digit by digit, which is not always the closest double).
 * Why not a typeCast function: mysql2 calls it per value with a fresh closure for the default
 * read; at 1M rows × 8 columns that cost ~0.6 s of the ~2.9 s read (measured with typeCast vs
 * without), and it made every string value a Buffer slice first, then a string.
 * `checkSteeredRow` verifies on the first row that the parser did follow these definitions.
 */
export function steerRowParser(fields: readonly FieldPacket[], kinds: readonly ColumnKind[]): void {
  fields.forEach((field, i) => {
    const f = field as unknown as ParsedDefinition;
    switch (kinds[i]) {
      case 'integer':
        return;
      case 'binary':
        f.columnType = BLOB_TYPE;
        f.characterSet = BINARY_CHARSET;
        return;
      case 'text':
      case 'json':
        if (f.columnType === NULL_TYPE) return; // `select null`: every value is NULL
        f.columnType = BLOB_TYPE;
        f.encoding = 'utf8';
        f.extendedFormat = undefined;
        return;
      default:
        f.columnType = NEWDECIMAL_TYPE;
    }
  });
}

/**
 * Throws unless the non-null values of a row read by a steered parser have the JS type
 * `steerRowParser` asked for (mysql2 compiling its parser before the 'fields' event would
 * otherwise hand over parsed doubles or JSON objects without a word). Once per query.
 */
export function checkSteeredRow(row: readonly unknown[], columns: readonly ResultColumn[]): void {
  columns.forEach(({ kind, name }, i) => {
    const v = row[i];
    if (v === null || v === undefined) return;
    const ok = kind === 'integer' ? typeof v === 'number' || typeof v === 'string' : kind === 'binary' ? Buffer.isBuffer(v) : typeof v === 'string';
    if (!ok) throw new Error(`mysql2 did not read column ${name} (${kind}) as raw text or bytes: got ${typeof v}`);
  });
}

/** What a steered parser reads for a column → its cell; undefined: the value is the cell already. */
type RawToCell = (raw: string | number | Buffer) => string | number | Buffer;

const CONVERT_BY_KIND: Partial<Record<ColumnKind, RawToCell>> = {
  float: (raw) => floatCell(raw as string),
  // A copy: the driver's buffer is a slice of a network packet, which it would keep alive.
  binary: (raw) => Buffer.from(raw as Buffer),
};

/** The converter of one column of a steered parser (NULL is handled by the caller); undefined: none needed. */
export function mysqlCellConverter(kind: ColumnKind): RawToCell | undefined {
  return CONVERT_BY_KIND[kind];
}
