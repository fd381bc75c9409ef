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
