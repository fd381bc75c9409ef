/** Shared by the DDL rules: names of statements and tables in messages, what a statement adds. */
import type { Engine } from '../../../connectors/connector.js';
import type { AnalyzedDdl, DdlColumn, DdlIndex } from '../ddl-types.js';
import { refName } from '../table-refs.js';

export const mysqlish = (engine: Engine): boolean => engine === 'mysql' || engine === 'mariadb';

/** Column and index names compare exactly on PostgreSQL (folded already), case-insensitively elsewhere. */
export function sameName(engine: Engine): (a: string, b: string) => boolean {
  return engine === 'postgresql' ? (a, b) => a === b : (a, b) => a.toLowerCase() === b.toLowerCase();
}

/** `CREATE TABLE shop.orders`, `ALTER TABLE orders`, … for messages. */
export function what(s: AnalyzedDdl): string {
  const t = s.table ? ` ${refName(s.table)}` : '';
  switch (s.kind) {
    case 'CREATE_TABLE':
      return `CREATE TABLE${t}`;
    case 'ALTER_TABLE':
      return `ALTER TABLE${t}`;
    case 'DROP_TABLE':
      return `DROP TABLE ${(s.tables?.length ? s.tables : s.table ? [s.table] : []).map(refName).join(', ')}`;
    case 'RENAME_TABLE':
      return `RENAME TABLE${t}`;
    case 'CREATE_INDEX':
      return `CREATE INDEX${s.indexes[0]?.name ? ` ${s.indexes[0].name}` : ''}${s.table ? ` ON ${refName(s.table)}` : ''}`;
    case 'DROP_INDEX':
      return `DROP INDEX ${s.indexName ?? ''}`.trimEnd();
    case 'COMMENT':
      return `COMMENT ON${t}`;
    default:
      return 'the statement';
  }
}

/** Columns the statement defines: CREATE TABLE's, ALTER ADD COLUMN's, and (with `redefined`) MySQL MODIFY/CHANGE's. */
export function definedColumns(s: AnalyzedDdl, redefined = false): DdlColumn[] {
  if (s.kind === 'CREATE_TABLE') return s.columns;
  if (s.kind !== 'ALTER_TABLE') return [];
  return s.actions.flatMap((a) => {
    if (a.op === 'ADD_COLUMN') return [a.column];
    if (redefined && a.op === 'MODIFY_COLUMN' && a.change === 'REDEFINE') return [a.column as DdlColumn];
    return [];
  });
}

export interface AddedIndex {
  /** As in the statement; the primary key is `PRIMARY KEY`. */
  label: string;
  name: string | null;
  columns: string[];
  unique: boolean;
  primary: boolean;
  method: string | null;
  partial: boolean;
}

const label = (i: DdlIndex, primary: boolean): string =>
  primary ? `PRIMARY KEY (${i.columns.join(', ')})` : `${i.unique ? 'unique ' : ''}index ${i.name ? `${i.name} ` : ''}(${i.columns.join(', ')})`;

function added(i: DdlIndex, primary = false): AddedIndex {
  return { label: label(i, primary), name: i.name, columns: i.columns, unique: i.unique || primary, primary, method: i.method ?? null, partial: Boolean(i.where) };
}

/** Indexes the statement creates (the primary key and unique constraints too, not foreign keys), in order. */
export function addedIndexes(s: AnalyzedDdl): AddedIndex[] {
  switch (s.kind) {
    case 'CREATE_TABLE':
      return [
        ...(s.primaryKey.length ? [added({ name: null, columns: s.primaryKey, unique: true }, true)] : []),
        ...s.indexes.filter((i) => !i.foreignKey).map((i) => added(i)),
      ];
    case 'CREATE_INDEX':
      return s.indexes.filter((i) => !i.foreignKey).map((i) => added(i));
    case 'ALTER_TABLE':
      return s.actions.flatMap((a): AddedIndex[] => {
        if (a.op === 'ADD_INDEX' && !a.index.foreignKey) return [added(a.index)];
        if (a.op === 'ADD_PRIMARY_KEY') return [added({ name: a.name ?? null, columns: a.columns, unique: true }, true)];
        if (a.op === 'ADD_COLUMN' && a.column.primaryKey) return [added({ name: null, columns: [a.column.name], unique: true }, true)];
        if (a.op === 'ADD_COLUMN' && a.column.unique) return [added({ name: null, columns: [a.column.name], unique: true })];
        return [];
      });
    default:
      return [];
  }
}

/** Foreign keys the statement declares: `(cols) → table (cols)`. */
export function addedForeignKeys(s: AnalyzedDdl): { columns: string[]; target: string }[] {
  const fk = (columns: string[], ref: NonNullable<DdlIndex['foreignKey']>) => ({ columns, target: `${refName(ref.table)}${ref.columns.length ? ` (${ref.columns.join(', ')})` : ''}` });
  if (s.kind === 'CREATE_TABLE') return s.indexes.flatMap((i) => (i.foreignKey ? [fk(i.columns, i.foreignKey)] : []));
  if (s.kind !== 'ALTER_TABLE') return [];
  return s.actions.flatMap((a) => {
    if (a.op === 'ADD_INDEX' && a.index.foreignKey) return [fk(a.index.columns, a.index.foreignKey)];
    if (a.op === 'ADD_COLUMN' && a.column.references) return [fk([a.column.name], a.column.references)];
    return [];
  });
}

/** `a, b and c` */
export function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** A DEFAULT that gives a value (DEFAULT NULL gives none). */
export function hasDefault(c: Pick<DdlColumn, 'defaultValue'>): boolean {
  return c.defaultValue !== null && !/^\s*null\s*$/i.test(c.defaultValue);
}

/** `about 1,234,567 rows` */
export function rowsText(rows: number): string {
  return `about ${Math.round(rows).toLocaleString('en-US')} rows`;
}
