/**
 * MySQL / MariaDB metadata from information_schema. Every column is aliased in lower case because
 * MySQL 8 returns information_schema column names in upper case.
 */
import type { ColumnInfo, DatabaseInfo, IndexInfo, TableInfo } from '../connector.js';
import type { TableKeys } from '../write-session.js';
import { normalizeDefault } from '../sql-literal.js';
import { expressionPart } from '../sql-text.js';

/** Runs one parameterized statement and returns its rows. */
export type MysqlRun = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Schemas the server keeps for itself; never shown as user databases. */
export const MYSQL_SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'] as const;

export async function listMysqlDatabases(run: MysqlRun): Promise<DatabaseInfo[]> {
  const rows = await run(
    `select schema_name as name, default_character_set_name as encoding
       from information_schema.schemata
      where schema_name not in (?)`,
    [MYSQL_SYSTEM_SCHEMAS],
  );
  return rows.map((r) => ({ name: String(r.name), encoding: String(r.encoding) })).sort(byName);
}

/** Both return [] for an unknown schema; the caller tells "empty" from "unknown" with this. */
export async function mysqlSchemaExists(run: MysqlRun, database: string): Promise<boolean> {
  const rows = await run('select 1 as found from information_schema.schemata where schema_name = ?', [database]);
  return rows.length > 0;
}

export async function listMysqlTables(run: MysqlRun, database: string): Promise<TableInfo[]> {
  const rows = await run(
    `select table_schema as table_schema, table_name as name, table_type as table_type, engine as engine,
            table_comment as comment, table_rows as table_rows, table_collation as collation,
            data_length + index_length as size_bytes
       from information_schema.tables
      where table_schema = ? and table_type in ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')`,
    [database],
  );
  const tables = rows.map((r): TableInfo => {
    const isView = r.table_type === 'VIEW';
    return {
      schema: String(r.table_schema),
      name: String(r.name),
      type: isView ? 'VIEW' : 'TABLE',
      engine: r.engine == null ? null : String(r.engine),
      // Views carry the placeholder comment 'VIEW'; they cannot have a real one.
      comment: isView ? '' : String(r.comment ?? ''),
      estimatedRows: isView ? null : numberOrNull(r.table_rows),
      sizeBytes: isView ? null : numberOrNull(r.size_bytes),
      // A collation name starts with its character set, and no character set name contains '_'.
      encoding: r.collation == null ? null : String(r.collation).split('_')[0]!,
    };
  });
  return tables.sort(byName);
}

/**
 * `mariaDb` selects how column_default is spelled: MariaDB ≥ 10.2.7 quotes literals and reports a
 * nullable column without default as the text NULL; MySQL reports literals bare.
 */
export async function listMysqlColumns(run: MysqlRun, database: string, table: string, mariaDb: boolean): Promise<ColumnInfo[]> {
  const rows = await run(
    `select column_name as name, column_type as data_type, is_nullable as is_nullable,
            column_default as default_value, column_comment as comment, column_key as column_key,
            extra as extra, character_maximum_length as max_length,
            numeric_precision as num_precision, numeric_scale as num_scale
       from information_schema.columns
      where table_schema = ? and table_name = ?
      order by ordinal_position`,
    [database, table],
  );
  return rows.map((r, i) => {
    const rawDefault = r.default_value == null ? null : String(r.default_value);
    return {
      name: String(r.name),
      position: i + 1,
      dataType: String(r.data_type),
      nullable: r.is_nullable === 'YES',
      defaultValue: mariaDb ? normalizeDefault(rawDefault) : rawDefault,
      comment: String(r.comment ?? ''),
      primaryKey: r.column_key === 'PRI',
      autoIncrement: /\bauto_increment\b/i.test(String(r.extra ?? '')),
      maxLength: numberOrNull(r.max_length),
      precision: numberOrNull(r.num_precision),
      scale: numberOrNull(r.num_scale),
    };
  });
}

/**
 * Names in code-point order, as PostgreSQL (type `name`) and SQLite order them; information_schema
 * collations would put `customers` before `customer_totals`.
 */
function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** BIGINT columns arrive as strings (bigNumberStrings); statistics fit a double. */
function numberOrNull(value: unknown): number | null {
  return value == null ? null : Number(value);
}

/**
 * The table `table` of `database` with its names as stored; undefined for a view or a missing
 * table. information_schema compares names as the server does (case-insensitively on MariaDB's
 * utf8 columns); an exact match is preferred.
 */
async function findMysqlTable(run: MysqlRun, database: string, table: string): Promise<{ schema: string; name: string } | undefined> {
  const [found] = await run(
    `select table_schema as table_schema, table_name as table_name, table_type as table_type
       from information_schema.tables
      where table_schema = ? and table_name = ?
      order by binary table_name = binary ? desc
      limit 1`,
    [database, table, table],
  );
  if (!found || found.table_type === 'VIEW') return undefined;
  return { schema: String(found.table_schema), name: String(found.table_name) };
}

/** Extra of a column the server computes: generated columns, MariaDB system-versioning row_start/row_end. */
const GENERATED_EXTRA = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b|\bROW (START|END)\b/i;

/**
 * Columns, primary key and NOT NULL unique keys of a table (TableKeys); null for a view or a
 * missing table (names resolved as findMysqlTable does). Unique keys: unique indexes other than
 * PRIMARY whose parts are all columns (no MySQL 8 functional key part) and NOT NULL, in key order,
 * ordered by index name (a unique prefix index still makes the full values unique).
 */
export async function mysqlTableKeys(run: MysqlRun, database: string, table: string): Promise<TableKeys | null> {
  const found = await findMysqlTable(run, database, table);
  if (!found) return null;
  const { schema, name } = found;
  const columns = await run(
    `select column_name as name, is_nullable as is_nullable, extra as extra
       from information_schema.columns
      where table_schema = ? and table_name = ?
      order by ordinal_position`,
    [schema, name],
  );
  const parts = await run(
    `select index_name as index_name, column_name as column_name
       from information_schema.statistics
      where table_schema = ? and table_name = ? and non_unique = 0
      order by index_name = 'PRIMARY' desc, index_name, seq_in_index`,
    [schema, name],
  );
  const notNull = new Set(columns.filter((c) => c.is_nullable === 'NO').map((c) => String(c.name)));
  const indexes = new Map<string, (string | null)[]>();
  for (const p of parts) {
    const key = String(p.index_name);
    indexes.set(key, [...(indexes.get(key) ?? []), p.column_name == null ? null : String(p.column_name)]);
  }
  const primaryKey = (indexes.get('PRIMARY') ?? []).filter((c): c is string => c !== null);
  const uniqueKeys: string[][] = [];
  for (const [index, cols] of indexes) {
    if (index === 'PRIMARY' || !cols.every((c): c is string => c !== null && notNull.has(c))) continue;
    if ([primaryKey, ...uniqueKeys].some((u) => u.length === cols.length && u.every((c, i) => c === cols[i]))) continue;
    uniqueKeys.push(cols);
  }
  return {
    schema,
    name,
    columns: columns.map((c) => {
      const extra = String(c.extra ?? '');
      return { name: String(c.name), generated: GENERATED_EXTRA.test(extra), identityAlways: false, autoIncrement: /\bauto_increment\b/i.test(extra) };
    }),
    primaryKey,
    uniqueKeys,
  };
}

/**
 * MySQL ≥ 8.0.13 has functional key parts (information_schema.statistics.expression); MariaDB has
 * none (nor the column). From the version string, not the declared engine.
 */
export function mysqlFunctionalKeyParts(version: string): boolean {
  if (/mariadb/i.test(version)) return false;
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 13));
}

/**
 * Indexes of a table (IndexInfo), the primary key included (`PRIMARY`); [] for a view or a missing
 * table (names resolved as findMysqlTable does). One row per key part: the column, or (MySQL 8
 * functional key part) column_name NULL and the expression's text. Prefix lengths (sub_part) are
 * not part of IndexInfo. Ordered by name in code-point order, as the other engines order them.
 */
export async function listMysqlIndexes(run: MysqlRun, database: string, table: string, functionalKeyParts: boolean): Promise<IndexInfo[]> {
  const found = await findMysqlTable(run, database, table);
  if (!found) return [];
  const parts = await run(
    `select index_name as index_name, non_unique as non_unique, column_name as column_name,
            ${functionalKeyParts ? 'expression' : 'null'} as expression, index_type as index_type
       from information_schema.statistics
      where table_schema = ? and table_name = ? and binary table_name = binary ?
      order by index_name, seq_in_index`,
    [found.schema, found.name, found.name],
  );
  const indexes = new Map<string, IndexInfo>();
  for (const p of parts) {
    const name = String(p.index_name);
    let index = indexes.get(name);
    if (!index) {
      index = { name, columns: [], unique: Number(p.non_unique) === 0, primary: name === 'PRIMARY', where: null, method: String(p.index_type).toLowerCase() };
      indexes.set(name, index);
    }
    index.columns.push(p.column_name != null ? String(p.column_name) : expressionPart(String(p.expression ?? '')));
  }
  return [...indexes.values()].sort(byName);
}
