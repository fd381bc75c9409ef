/**
 * MySQL/MariaDB result columns → ColumnKind and cells, from the column definitions the server sends
 * before the rows (protocol type, character set, flags). The text protocol sends every value as
 * text; `rawTypeCast` keeps it raw (string for numbers and temporals, bytes for string-like types)
 * and the per-column converter makes the cell, so nothing is parsed through a JS Date or double
 * on the way.
 */
import type { FieldPacket, TypeCast } from 'mysql2';
import { floatCell, integerCell } from '../cells.js';
import type { Cell, ColumnKind, ResultColumn } from '../result-set.js';

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

/** Types whose raw value is taken as bytes: text is decoded per column below (connection charset utf8mb4). */
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
 * The value as the server sent it: bytes for string-like types (whose character set the typeCast
 * field does not tell), text for the rest; null stays null.
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

type RawToCell = (raw: string | Buffer) => Cell;

const text = (raw: string | Buffer): string => (typeof raw === 'string' ? raw : raw.toString('utf8'));

const CONVERT_BY_KIND: Partial<Record<ColumnKind, RawToCell>> = {
  integer: (raw) => integerCell(text(raw)),
  float: (raw) => floatCell(text(raw)),
  // A copy: the driver's buffer is a slice of a network packet, which it would keep alive.
  binary: (raw) => (typeof raw === 'string' ? Buffer.from(raw, 'latin1') : Buffer.from(raw)),
};

/** The converter of one column: raw value → cell (NULL is handled by the caller). */
export function mysqlCellConverter(kind: ColumnKind): RawToCell {
  return CONVERT_BY_KIND[kind] ?? text;
}
