/**
 * SQLite metadata from sqlite_master and the table-valued pragmas (which, unlike `PRAGMA x(name)`,
 * take bound parameters). SQLite has one database per file (`main`), no comments and no size
 * statistics; row estimates exist only after ANALYZE (sqlite_stat1).
 */
import type Database from 'better-sqlite3';
import type { ColumnInfo, DatabaseInfo, IndexInfo, TableInfo } from '../connector.js';
import type { TableKeys } from '../write-session.js';
import { normalizeDefault } from '../sql-literal.js';
import { expressionPart, firstListTerms } from '../sql-text.js';

export const SQLITE_MAIN = 'main';

export function listSqliteDatabases(db: Database.Database): DatabaseInfo[] {
  return [{ name: SQLITE_MAIN, encoding: String(db.pragma('encoding', { simple: true })) }];
}

interface MasterRow {
  name: string;
  type: 'table' | 'view';
}

export function listSqliteTables(db: Database.Database): TableInfo[] {
  const encoding = String(db.pragma('encoding', { simple: true }));
  const rows = db
    .prepare<[], MasterRow>(
      `select name, type from sqlite_master
        where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\'
        order by name`,
    )
    .all();
  const estimates = rowEstimates(db);
  return rows.map((r) => ({
    schema: SQLITE_MAIN,
    name: r.name,
    type: r.type === 'view' ? 'VIEW' : 'TABLE',
    engine: null,
    comment: '',
    estimatedRows: r.type === 'view' ? null : (estimates.get(r.name) ?? null),
    sizeBytes: null,
    encoding: r.type === 'view' ? null : encoding,
  }));
}

/** Row counts ANALYZE stored: the first number of every sqlite_stat1 `stat` is the table's row count. */
function rowEstimates(db: Database.Database): Map<string, number> {
  const hasStats = db.prepare(`select 1 from sqlite_master where type = 'table' and name = 'sqlite_stat1'`).get();
  if (!hasStats) return new Map();
  const rows = db
    .prepare<[], { tbl: string; n: number }>(`select tbl, max(cast(stat as integer)) as n from sqlite_stat1 group by tbl`)
    .all();
  return new Map(rows.map((r) => [r.tbl, r.n]));
}

interface PragmaColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

/**
 * `hidden` 1 marks virtual-table internals; 2 and 3 are generated columns, which are real columns.
 * SQLite lets primary-key columns hold NULL unless declared NOT NULL (a legacy quirk); they are
 * reported NOT NULL, as every other engine would.
 */
export function listSqliteColumns(db: Database.Database, table: string): ColumnInfo[] {
  const rows = db
    .prepare<[string], PragmaColumn>(
      `select name, type, "notnull", dflt_value, pk from pragma_table_xinfo(?) where hidden <> 1 order by cid`,
    )
    .all(table);
  const rowidAlias = rowidAliasColumn(db, table, rows);
  return rows.map((r, i) => {
    const dataType = r.type.toLowerCase();
    const args = typeArguments(dataType);
    const isText = /char|clob|text/.test(dataType);
    return {
      name: r.name,
      position: i + 1,
      dataType,
      nullable: r.notnull === 0 && r.pk === 0,
      defaultValue: normalizeDefault(r.dflt_value),
      comment: '',
      primaryKey: r.pk > 0,
      autoIncrement: r.name === rowidAlias,
      maxLength: isText ? (args[0] ?? null) : null,
      precision: isText ? null : (args[0] ?? null),
      scale: isText ? null : (args[1] ?? null),
    };
  });
}

/**
 * The column that aliases the rowid, which SQLite fills automatically: the only primary-key column,
 * declared exactly `INTEGER`, in a table that has a rowid (a WITHOUT ROWID table's key is an index
 * with origin 'pk'; a rowid table's INTEGER PRIMARY KEY has no such index).
 */
function rowidAliasColumn(db: Database.Database, table: string, columns: PragmaColumn[]): string | undefined {
  const pk = columns.filter((c) => c.pk > 0);
  if (pk.length !== 1 || pk[0]!.type.toUpperCase() !== 'INTEGER') return undefined;
  const pkIndex = db.prepare(`select 1 from pragma_index_list(?) where origin = 'pk'`).get(table);
  return pkIndex ? undefined : pk[0]!.name;
}

/** `decimal(10,2)` → [10, 2]; `varchar(64)` → [64]; `text` → []. */
function typeArguments(dataType: string): number[] {
  const match = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(dataType);
  if (!match) return [];
  return match[2] === undefined ? [Number(match[1])] : [Number(match[1]), Number(match[2])];
}

/** The table's name as stored, compared case-insensitively as SQLite does; undefined for a view or a missing table. */
function findSqliteTable(db: Database.Database, table: string): string | undefined {
  const found = db
    .prepare<[string], MasterRow>(`select name, type from sqlite_master where type in ('table', 'view') and name = ? collate nocase`)
    .get(table);
  return found?.type === 'table' ? found.name : undefined;
}

interface KeyPragmaColumn extends PragmaColumn {
  hidden: number;
}

/**
 * Columns, primary key and NOT NULL unique keys of a table (TableKeys); null for a view or a
 * missing table. Names compare case-insensitively, as SQLite does. `hidden` 2 and 3 mark
 * generated columns; the rowid alias (`INTEGER PRIMARY KEY`) is the key and autoIncrement.
 * Unique keys: unique indexes (UNIQUE constraints have one) that are not partial, without
 * expressions (index_info cid -2), whose columns are all NOT NULL; without the primary key's own
 * index (origin 'pk') and without repeats, ordered by index name.
 */
export function sqliteTableKeys(db: Database.Database, table: string): TableKeys | null {
  const name = findSqliteTable(db, table);
  if (name === undefined) return null;
  const rows = db
    .prepare<[string], KeyPragmaColumn>(`select name, type, "notnull", dflt_value, pk, hidden from pragma_table_xinfo(?) where hidden <> 1 order by cid`)
    .all(name);
  const rowidAlias = rowidAliasColumn(db, name, rows);
  const primaryKey = rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk).map((r) => r.name);
  const notNull = new Set(rows.filter((r) => r.notnull === 1 || r.name === rowidAlias).map((r) => r.name));
  const indexes = db
    .prepare<[string], { name: string }>(`select name from pragma_index_list(?) where "unique" = 1 and partial = 0 and origin <> 'pk' order by name`)
    .all(name);
  const indexColumns = db.prepare<[string], { cid: number; name: string | null }>(`select cid, name from pragma_index_info(?) order by seqno`);
  const uniqueKeys: string[][] = [];
  for (const index of indexes) {
    const cols = indexColumns.all(index.name);
    if (!cols.every((c) => c.cid >= 0 && c.name !== null && notNull.has(c.name))) continue;
    const names = cols.map((c) => c.name!);
    if ([primaryKey, ...uniqueKeys].some((u) => u.length === names.length && u.every((c, i) => c.toLowerCase() === names[i]!.toLowerCase()))) continue;
    uniqueKeys.push(names);
  }
  return {
    schema: SQLITE_MAIN,
    name,
    columns: rows.map((r) => ({ name: r.name, generated: r.hidden === 2 || r.hidden === 3, identityAlways: false, autoIncrement: r.name === rowidAlias })),
    primaryKey,
    uniqueKeys,
  };
}

interface IndexPartRow {
  name: string;
  is_unique: number;
  origin: 'c' | 'u' | 'pk';
  seqno: number;
  /** -2: an expression; -1: the rowid. */
  cid: number;
  column_name: string | null;
  /** The CREATE INDEX statement as written; null for the implicit indexes of UNIQUE and PRIMARY KEY. */
  sql: string | null;
}

/** What follows an indexed expression in CREATE INDEX and is not part of it. */
const TRAILING_ORDER = /\s+(?:asc|desc)$/i;
const TRAILING_COLLATE = /\s+collate\s+(?:"(?:[^"]|"")*"|'(?:[^']|'')*'|`[^`]*`|\[[^\]]*\]|\w+)$/i;

/**
 * Indexes of a table (IndexInfo); [] for a view or a missing table (names compared as
 * findSqliteTable does). pragma_index_list gives every index, the implicit ones of UNIQUE and
 * PRIMARY KEY constraints (`sqlite_autoindex_…`, origin 'u' / 'pk') included; pragma_index_xinfo
 * their key columns (key = 1; a WITHOUT ROWID table's indexes also carry its primary key, key 0).
 * An INTEGER PRIMARY KEY (the rowid itself) has no index: it is reported as `PRIMARY`.
 *
 * SQLite keeps no text for an expression part (cid -2): it is taken from the CREATE INDEX
 * statement as written, without its COLLATE and ASC/DESC. `where` stays null (IndexInfo reports
 * PostgreSQL predicates only) and `method` too: SQLite indexes are all b-trees and it does not say.
 */
export function listSqliteIndexes(db: Database.Database, table: string): IndexInfo[] {
  const name = findSqliteTable(db, table);
  if (name === undefined) return [];
  const parts = db
    .prepare<[string], IndexPartRow>(
      `select il.name as name, il."unique" as is_unique, il.origin as origin,
              ii.seqno as seqno, ii.cid as cid, ii.name as column_name, m.sql as sql
         from pragma_index_list(?) il
         join pragma_index_xinfo(il.name) ii on ii.key = 1
         left join sqlite_master m on m.type = 'index' and m.name = il.name
        order by il.name, ii.seqno`,
    )
    .all(name);
  const indexes = new Map<string, IndexInfo>();
  for (const p of parts) {
    let index = indexes.get(p.name);
    if (!index) {
      index = { name: p.name, columns: [], unique: p.is_unique === 1, primary: p.origin === 'pk', where: null, method: null };
      indexes.set(p.name, index);
    }
    index.columns.push(p.column_name ?? (p.cid === -2 ? indexExpression(p.sql, p.seqno) : 'rowid'));
  }
  const columns = db.prepare<[string], PragmaColumn>(`select name, type, "notnull", dflt_value, pk from pragma_table_xinfo(?) where hidden <> 1 order by cid`).all(name);
  const rowidAlias = rowidAliasColumn(db, name, columns);
  const all = [...indexes.values()];
  if (rowidAlias !== undefined) all.push({ name: 'PRIMARY', columns: [rowidAlias], unique: true, primary: true, where: null, method: null });
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The `seqno`-th (0-based) indexed term of a CREATE INDEX statement, as IndexInfo shows an expression part. */
function indexExpression(sql: string | null, seqno: number): string {
  const term = (sql === null ? null : firstListTerms(sql))?.[seqno];
  if (term === undefined) return '()';
  return expressionPart(term.replace(TRAILING_ORDER, '').replace(TRAILING_COLLATE, ''));
}
