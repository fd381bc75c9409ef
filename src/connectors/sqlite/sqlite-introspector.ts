/**
 * SQLite metadata from sqlite_master and the table-valued pragmas (which, unlike `PRAGMA x(name)`,
 * take bound parameters). SQLite has one database per file (`main`), no comments and no size
 * statistics; row estimates exist only after ANALYZE (sqlite_stat1).
 */
import type Database from 'better-sqlite3';
import type { ColumnInfo, DatabaseInfo, TableInfo } from '../connector.js';
import { normalizeDefault } from '../sql-literal.js';

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
