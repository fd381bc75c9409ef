/**
 * A CSV field as the value of its column, or a clear refusal (`"abc" is not a number`). The empty
 * field: NULL, except in a text column, where only an unquoted empty field is NULL and `""` is the
 * empty string: the convention the export's CSV writer follows (NULL unquoted empty, '' as `""`),
 * which csv-parse tells apart (its cast context's `quoting`; csv-rows.ts hands NULL over as null).
 * Values are checked by form only; the database decides ranges (an out-of-range integer is refused
 * by it, per row, at execution).
 */
import type { Cell, ColumnKind } from '../../connectors/index.js';
import { NUMERIC_TEXT, SPECIAL_FLOAT } from '../exports/formats/values.js';
import type { TargetColumn } from './target-table.js';

export class ValueError extends Error {}

const INTEGER = /^[+-]?\d+$/;
const DATE = /^\d{4,}-\d{2}-\d{2}(?: BC)?$/;
const DATETIME = /^\d{4,}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?(?: BC)?$/;
const TIME = /^-?\d{2,3}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}(?::?\d{2})?)?$/;
const HEX = /^\\x((?:[0-9a-fA-F]{2})*)$/;
const TRUE = new Set(['true', 't', '1', 'yes', 'y', 'on']);
const FALSE = new Set(['false', 'f', '0', 'no', 'n', 'off']);
const INFINITE = new Set(['infinity', '-infinity']);

const quote = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);

const EXPECTED: Partial<Record<ColumnKind, string>> = {
  integer: 'not an integer',
  decimal: 'not a number',
  float: 'not a number',
  boolean: 'not a boolean (true/false, t/f, 1/0, yes/no)',
  date: 'not a date (yyyy-mm-dd)',
  datetime: 'not a date and time (yyyy-mm-dd hh:mm:ss)',
  timestamptz: 'not a date and time (yyyy-mm-dd hh:mm:ss±hh)',
  time: 'not a time (hh:mm:ss)',
  binary: 'not binary data (\\x followed by hex digits, as the export writes it)',
  json: 'not JSON',
};

/** `field` null: an unquoted empty field. */
export function csvValue(field: string | null, column: TargetColumn): Cell {
  if (field === null) return null;
  const kind = column.kind;
  if (field === '') return kind === 'text' ? '' : null;
  const refuse = (): never => {
    throw new ValueError(`${quote(field)} is ${EXPECTED[kind] ?? 'not valid'}`);
  };
  switch (kind) {
    case 'integer':
      return INTEGER.test(field) ? field : refuse();
    case 'decimal':
    case 'float':
      return NUMERIC_TEXT.test(field) || SPECIAL_FLOAT.test(field) ? field : refuse();
    case 'boolean': {
      const v = field.toLowerCase();
      return TRUE.has(v) ? true : FALSE.has(v) ? false : refuse();
    }
    case 'date':
      return DATE.test(field) || INFINITE.has(field) ? field : refuse();
    case 'datetime':
    case 'timestamptz':
      return DATETIME.test(field) || INFINITE.has(field) ? field : refuse();
    case 'time':
      return TIME.test(field) ? field : refuse();
    case 'binary': {
      const m = HEX.exec(field);
      return m ? Buffer.from(m[1]!, 'hex') : refuse();
    }
    case 'json':
      try {
        JSON.parse(field);
      } catch {
        refuse();
      }
      return field;
    default:
      return field;
  }
}
