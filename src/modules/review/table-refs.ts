/** Table references: comparing, de-duplicating and naming them in messages. */
import type { TableRef } from './types.js';

/**
 * Same table as far as the text can tell: names equal ignoring case (PostgreSQL names are already
 * folded where unquoted; MySQL and SQLite compare table names case-insensitively by default on the
 * platforms we target), and schemas equal or at least one unqualified (`t` and `shop.t` in a
 * ticket for `shop` are the same table; a wrong match only makes a rule more careful).
 */
export function sameTable(a: TableRef, b: TableRef): boolean {
  if (a.name.toLowerCase() !== b.name.toLowerCase()) return false;
  return a.schema === null || b.schema === null || a.schema.toLowerCase() === b.schema.toLowerCase();
}

export function uniqueRefs(refs: readonly TableRef[]): TableRef[] {
  const seen = new Set<string>();
  const out: TableRef[] = [];
  for (const r of refs) {
    const key = `${r.schema ?? ''}\u0000${r.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ schema: r.schema, name: r.name });
  }
  return out;
}

export function refName(r: TableRef): string {
  return r.schema === null ? r.name : `${r.schema}.${r.name}`;
}
