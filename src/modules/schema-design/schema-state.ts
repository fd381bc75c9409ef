/**
 * A table's schema as the database's catalog reports it, in a form two databases of the same
 * engine can be compared by: what a publish checks on its target before it changes anything
 * (drift), and how it finds which changes a target already has.
 */
import type { Connector } from '../../connectors/index.js';

export interface TableState {
  exists: boolean;
  columns: { name: string; type: string; nullable: boolean; default: string | null; comment: string }[];
  /** By name; the primary key included. */
  indexes: { name: string; columns: string[]; unique: boolean; primary: boolean }[];
}

export const ABSENT: TableState = { exists: false, columns: [], indexes: [] };

/** Catalog names compare case-insensitively on MySQL/MariaDB and SQLite, exactly on PostgreSQL. */
export const tableKey = (engine: Connector['engine'], name: string): string => (engine === 'postgresql' ? name : name.toLowerCase());

/** Where designs live: PostgreSQL `public`, MySQL the database itself, SQLite `main`. */
export const schemaOf = (engine: Connector['engine'], database: string): string => (engine === 'postgresql' ? 'public' : engine === 'sqlite' ? 'main' : database);

export async function readTableState(c: Connector, database: string, table: string): Promise<TableState> {
  const resolved = await c.listColumns(database, schemaOf(c.engine, database), table);
  if (resolved.length === 0) return ABSENT;
  const indexes = await c.listIndexes(database, schemaOf(c.engine, database), table);
  return {
    exists: true,
    columns: resolved.map((col) => ({ name: col.name, type: col.dataType, nullable: col.nullable, default: col.defaultValue, comment: col.comment })),
    indexes: indexes.map((i) => ({ name: i.name, columns: i.columns, unique: i.unique, primary: i.primary })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The differences of `actual` from `expected`, in words; [] when they are the same. */
export function differences(table: string, expected: TableState, actual: TableState): string[] {
  if (!expected.exists && !actual.exists) return [];
  if (!expected.exists) return [`table ${table} exists but is not expected yet`];
  if (!actual.exists) return [`table ${table} is missing`];
  const out: string[] = [];
  const cols = (s: TableState) => new Map(s.columns.map((c) => [c.name, c]));
  const e = cols(expected);
  const a = cols(actual);
  for (const [name, c] of e) {
    const got = a.get(name);
    if (!got) out.push(`column ${table}.${name} is missing`);
    else {
      if (got.type !== c.type) out.push(`column ${table}.${name} is ${got.type}, expected ${c.type}`);
      if (got.nullable !== c.nullable) out.push(`column ${table}.${name} is ${got.nullable ? 'nullable' : 'NOT NULL'}, expected ${c.nullable ? 'nullable' : 'NOT NULL'}`);
      if (got.default !== c.default) out.push(`column ${table}.${name} has default ${got.default ?? 'none'}, expected ${c.default ?? 'none'}`);
      if (got.comment !== c.comment) out.push(`column ${table}.${name} has comment "${got.comment}", expected "${c.comment}"`);
    }
  }
  for (const name of a.keys()) if (!e.has(name)) out.push(`column ${table}.${name} is not expected (added by hand?)`);
  const ix = (s: TableState) => new Map(s.indexes.map((i) => [i.name, i]));
  const ei = ix(expected);
  const ai = ix(actual);
  for (const [name, i] of ei) {
    const got = ai.get(name);
    if (!got) out.push(`index ${name} on ${table} is missing`);
    else if (got.columns.join(',') !== i.columns.join(',') || got.unique !== i.unique) out.push(`index ${name} on ${table} is ${describe(got)}, expected ${describe(i)}`);
  }
  for (const name of ai.keys()) if (!ei.has(name)) out.push(`index ${name} on ${table} is not expected (added by hand?)`);
  return out;
}

const describe = (i: TableState['indexes'][number]): string => `${i.unique ? 'unique ' : ''}(${i.columns.join(', ')})`;
