/**
 * SQLite result columns → ColumnKind and cells. SQLite is dynamically typed: a column has a
 * declared type at most (none for expressions), and any cell may hold any storage class. The kind
 * follows the declared type, read the way SQLite derives affinity (`INT` anywhere means integer,
 * then text, blob, real), refined for the names other engines use (BOOL, DATE, TIME, JSON, DEC);
 * an expression column takes the kind of its first non-null value. A cell whose stored value does
 * not fit its kind keeps its own form (a text in an INTEGER column stays a string).
 */
import { integerCell } from '../cells.js';
import type { Cell, ColumnKind, ResultColumn } from '../result-set.js';

/** The kind of a declared column type (`varchar(64)`, `BIGINT`, `decimal(10,2)`, `datetime`). */
export function sqliteDeclaredKind(declared: string): ColumnKind {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (/CHAR|CLOB|TEXT/.test(t)) return 'text';
  if (t.includes('BLOB')) return 'binary';
  if (/REAL|FLOA|DOUB/.test(t)) return 'float';
  if (t.includes('BOOL')) return 'boolean';
  if (/DATETIME|TIMESTAMP/.test(t)) return 'datetime';
  if (t.includes('DATE')) return 'date';
  if (t.includes('TIME')) return 'time';
  if (t.includes('JSON')) return 'json';
  if (/DEC|NUMERIC/.test(t)) return 'decimal';
  return 'text';
}

/** The kind of an untyped column from a value it holds (raw, safeIntegers mode). */
export function sqliteValueKind(value: unknown): ColumnKind {
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return 'float';
  if (value instanceof Uint8Array) return 'binary';
  return 'text';
}

/**
 * A raw value (integers as bigint) → the cell of its column's kind: integers as safe numbers or
 * exact strings; decimal columns as strings (SQLite keeps a decimal as INTEGER or REAL, so the
 * digits are those of the stored number); boolean columns map 0/1; infinite REALs become
 * 'Infinity'/'-Infinity' as PostgreSQL prints them.
 */
export function sqliteCell(value: unknown, kind: ColumnKind): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    if (kind === 'decimal') return value.toString();
    if (kind === 'boolean' && (value === 0n || value === 1n)) return value === 1n;
    return integerCell(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    // Not String(value): V8 allocates that in the old generation (its number-string cache), i.e.
    // garbage only a full GC reclaims, one per decimal cell (exports/formats/values.ts numberString).
    return kind === 'decimal' ? JSON.stringify(value) : value;
  }
  return value as string | Uint8Array;
}

/** A column as better-sqlite3 describes a statement's result. */
interface DeclaredColumn {
  name: string;
  type: string | null;
}

/** Result columns: the kind of the declared type, or (an expression) of the first non-null value in `firstRows`. */
export function sqliteColumns(declared: readonly DeclaredColumn[], firstRows: readonly unknown[][]): ResultColumn[] {
  return declared.map((c, i) => ({
    name: c.name,
    kind: c.type ? sqliteDeclaredKind(c.type) : sqliteValueKind(firstRows.find((r) => r[i] !== null)?.[i]),
    dbType: c.type ?? '',
  }));
}

/**
 * Raw rows (safeIntegers) → cells, in place: the rows are fresh arrays of better-sqlite3's, and
 * mapping each to a new one is 1M arrays of garbage per million rows (read alone of 1M rows × 8
 * columns: ~3.07 → ~2.8 s; better-sqlite3's own iterate is ~2.6 s of it). Strings (most cells)
 * are cells already; numbers, bigints and blobs go through sqliteCell.
 */
export function sqliteRowsToCells(columns: readonly ResultColumn[]): (rows: unknown[][]) => Cell[][] {
  const kinds = columns.map((c) => c.kind);
  const n = kinds.length;
  return (rows) => {
    for (const row of rows) {
      for (let i = 0; i < n; i++) {
        const v = row[i];
        if (v !== null && typeof v !== 'string') row[i] = sqliteCell(v, kinds[i]!);
      }
    }
    return rows as Cell[][];
  };
}
