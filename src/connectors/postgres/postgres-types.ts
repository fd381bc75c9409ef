/**
 * PostgreSQL result columns → ColumnKind and cells, by the type OID of each column (RowDescription
 * carries the base type of a domain, so domains come out as their base type). Values arrive as the
 * server's text: the reader installs a parser that returns it untouched, and the session settings
 * (postgres-reader.ts) fix its format.
 */
import type { CustomTypesConfig } from 'pg';
import { floatCell, integerCell } from '../cells.js';
import type { Cell, ColumnKind } from '../result-set.js';

/** A type parser that keeps the server's text for every OID; conversion happens per column below. */
export const RAW_TEXT_TYPES = { getTypeParser: () => (text: string) => text } as unknown as CustomTypesConfig;

/** Built-in type OIDs (pg_type.dat, stable across versions). */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  timetz: 1266,
  numeric: 1700,
  jsonb: 3802,
} as const;

const KIND_BY_OID: ReadonlyMap<number, ColumnKind> = new Map<number, ColumnKind>([
  [OID.bool, 'boolean'],
  [OID.bytea, 'binary'],
  [OID.int2, 'integer'],
  [OID.int4, 'integer'],
  [OID.int8, 'integer'],
  [OID.oid, 'integer'],
  [OID.numeric, 'decimal'],
  [OID.float4, 'float'],
  [OID.float8, 'float'],
  [OID.json, 'json'],
  [OID.jsonb, 'json'],
  [OID.date, 'date'],
  [OID.timestamp, 'datetime'],
  [OID.timestamptz, 'timestamptz'],
  [OID.time, 'time'],
  [OID.timetz, 'time'],
]);

/**
 * Names of the common built-in types as `format_type()` spells them, so most results need no
 * catalog lookup; any other OID (enums, extension types, arrays) is looked up once per database.
 */
export const BUILTIN_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [16, 'boolean'],
  [17, 'bytea'],
  [18, '"char"'],
  [19, 'name'],
  [20, 'bigint'],
  [21, 'smallint'],
  [23, 'integer'],
  [25, 'text'],
  [26, 'oid'],
  [114, 'json'],
  [142, 'xml'],
  [700, 'real'],
  [701, 'double precision'],
  [790, 'money'],
  [869, 'inet'],
  [1042, 'bpchar'],
  [1043, 'character varying'],
  [1082, 'date'],
  [1083, 'time without time zone'],
  [1114, 'timestamp without time zone'],
  [1184, 'timestamp with time zone'],
  [1186, 'interval'],
  [1266, 'time with time zone'],
  [1700, 'numeric'],
  [2950, 'uuid'],
  [3802, 'jsonb'],
]);

export function pgKind(oid: number): ColumnKind {
  return KIND_BY_OID.get(oid) ?? 'text';
}

type TextToCell = (text: string) => Cell;

const asText: TextToCell = (text) => text;

/** bytea in `bytea_output = 'hex'`: `\x` then two hex digits per byte. */
const hexBytes: TextToCell = (text) => Buffer.from(text.slice(2), 'hex');

const CONVERT_BY_KIND: Partial<Record<ColumnKind, TextToCell>> = {
  integer: integerCell,
  float: floatCell,
  boolean: (text) => text === 't',
  binary: hexBytes,
};

/** The converter of one column: text → cell (NULL is handled by the caller). */
export function pgCellConverter(oid: number): TextToCell {
  return CONVERT_BY_KIND[pgKind(oid)] ?? asText;
}

/** The converter of one column, or undefined when its text is the cell already (text, numeric, dates…). */
export function pgCellConversion(oid: number): TextToCell | undefined {
  return CONVERT_BY_KIND[pgKind(oid)];
}

/** The converter of the cells of a column kind, or undefined when its text is the cell already (COPY's text fields). */
export function pgKindConversion(kind: ColumnKind): TextToCell | undefined {
  return CONVERT_BY_KIND[kind];
}
