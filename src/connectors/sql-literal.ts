import { formatDmsTime } from '../lib/time.js';
import type { Engine } from './connector.js';

/**
 * Catalogs report column defaults as SQL text: `'new'` (MariaDB, SQLite), `'new'::text`
 * (PostgreSQL). ColumnInfo.defaultValue shows literals as their plain value, like DMS does.
 */

/** `'it''s'` → `it's`; `'new'::text` or `'a'::character varying` → the value; anything else → null. */
export function parseStringLiteral(text: string): string | null {
  const match = /^'((?:[^']|'')*)'(?:::[\w ."[\]()]+)?$/s.exec(text);
  return match ? match[1]!.replaceAll("''", "'") : null;
}

/** A catalog default → ColumnInfo.defaultValue: literals unquoted, `NULL` → null, expressions as-is. */
export function normalizeDefault(text: string | null): string | null {
  if (text === null || /^null(?:::[\w ."[\]()]+)?$/i.test(text)) return null;
  return parseStringLiteral(text) ?? text;
}

/**
 * A point in time as a literal each engine compares with its date/time columns: the wall-clock
 * time in `timeZone` as `'yyyy-MM-dd HH:mm:ss'` (MySQL/MariaDB DATETIME, SQLite text); on
 * PostgreSQL with the zone's UTC offset appended, which a `timestamptz` column reads as the exact
 * instant and a `timestamp` (without time zone) column ignores.
 */
export function timestampLiteral(engine: Engine, epochMs: number, timeZone: string): string {
  const wall = formatDmsTime(epochMs, timeZone);
  if (engine !== 'postgresql') return `'${wall}'`;
  const [date, time] = wall.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  const offsetMin = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(epochMs / 1000) * 1000) / 60_000);
  const abs = Math.abs(offsetMin);
  return `'${wall}${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}'`;
}
